package dev.facesieve.pipeline;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.contract.PrepareManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The test set of {@code --exclude-identities-of}, prepared: the folder itself when it is a {@code
 * prepare} output, else prepared here (default options) into the clean stage's staging folder, on
 * the output's file system so that workers elsewhere read it, and deleted after the pipeline.
 *
 * @param shows the identities its faces show ({@link CleanSummaries#testIdentities}), which the
 *     truth metrics compare with
 */
record TestSet(Location prepared, boolean preparedHere, int identities, Set<String> shows) {

  /** Prepares (or opens) the test set {@code in} with {@code runner}, into {@code staging}. */
  static TestSet of(Path in, Runners.Choice runner, Location staging) throws IOException {
    if (Files.isRegularFile(in.resolve(PrepareManifest.FILE))) {
      Location prepared = Location.of(in);
      return new TestSet(
          prepared,
          false,
          PrepareManifest.read(in).identities(),
          CleanSummaries.testIdentities(prepared));
    }
    Location out = staging.resolve("test-prepared");
    PrepareManifest m =
        PrepareJob.run(
            PrepareJob.Settings.builder().setInput(in).setOutput(out).setRunner(runner).build(),
            ProgressListener.NONE);
    if (m.counts().prepared() == 0) {
      throw new InputException(in, "the test set holds no face that could be prepared");
    }
    return new TestSet(out, true, m.identities(), CleanSummaries.testIdentities(out));
  }

  /** Deletes the test set when it was prepared here. */
  void deleteIfPreparedHere() throws IOException {
    if (preparedHere) {
      prepared.deleteRecursively();
    }
  }
}
