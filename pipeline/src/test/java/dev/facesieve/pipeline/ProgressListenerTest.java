package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progress reaches the listener a job is given, and the command line prints it. */
class ProgressListenerTest {
  @TempDir Path dir;

  record Update(String stage, long done, long total) {}

  @Test
  void prepareReportsRecordsReadToItsListenerAndTheConsole() throws Exception {
    Path synth = dir.resolve("synth");
    CommandLineTest.Result r =
        CommandLineTest.run(
            "synth",
            "--output",
            synth.toString(),
            "--identities",
            "5",
            "--images-per-identity",
            "6",
            "--format",
            "folder",
            "--seed",
            "9");
    assertEquals(0, r.code(), r.err());

    List<Update> heard = new ArrayList<>();
    PrepareJob.run(
        PrepareJob.Settings.of(synth, dir.resolve("job")),
        (stage, done, total) -> heard.add(new Update(stage, done, total)));
    assertEquals(new Update("prepare", 30, 30), heard.get(heard.size() - 1), heard.toString());
    for (int i = 1; i < heard.size(); i++) {
      assertTrue(heard.get(i).done() >= heard.get(i - 1).done(), heard.toString());
    }

    r =
        CommandLineTest.run(
            "prepare", "--input", synth.toString(), "--output", dir.resolve("cli").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(
        r.out().lines().anyMatch(l -> l.matches("prepare 100% \\[=+\\] 30/30 img .*")), r.out());
  }
}
