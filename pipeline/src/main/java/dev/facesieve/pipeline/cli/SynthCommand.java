package dev.facesieve.pipeline.cli;

import dev.facesieve.datasets.synth.SyntheticCollection;
import dev.facesieve.pipeline.OutputKind;
import dev.facesieve.pipeline.StageOutput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code facesieve synth}: writes a synthetic noisy collection with ground truth. */
@Command(
    name = "synth",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = "Draws a synthetic noisy face collection with the ground truth of every image.")
public final class SynthCommand implements Callable<Integer> {
  @Option(
      names = "--output",
      required = true,
      paramLabel = "<dir>",
      description = "Output folder of the collection, its truth.csv and its description.")
  Path output;

  @Option(
      names = "--identities",
      defaultValue = "50",
      paramLabel = "<n>",
      description = "Number of identities (classes) in the set.")
  int identities;

  @Option(
      names = "--images-per-identity",
      defaultValue = "20",
      paramLabel = "<n>",
      description = "Images drawn per identity, noisy ones included.")
  int imagesPerIdentity;

  @Option(
      names = "--close-set-noise",
      defaultValue = "0.15",
      paramLabel = "<share>",
      description = "Share of images (0 to 1) showing another identity of the set.")
  double closeSet;

  @Option(
      names = "--open-set-noise",
      defaultValue = "0.15",
      paramLabel = "<share>",
      description = "Share of images (0 to 1) showing an identity outside the set.")
  double openSet;

  @Option(
      names = "--corrupt",
      defaultValue = "0.01",
      paramLabel = "<share>",
      description = "Share of images (0 to 1) with unusable bytes, for prepare to quarantine.")
  double corrupt;

  @Option(
      names = "--noise-mode",
      defaultValue = "coherent",
      paramLabel = "<mode>",
      description =
          "coherent: a class's noise comes from one look-alike, like web noise; random: from"
              + " any identity.")
  String mode;

  @Option(
      names = "--seed",
      defaultValue = "1",
      paramLabel = "<n>",
      description = "Seed of every random choice (same seed, same collection).")
  long seed;

  @Option(
      names = "--format",
      defaultValue = "recordio",
      paramLabel = "<format>",
      description = "Layout written: recordio (InsightFace .rec) or folder (one per identity).")
  String format;

  @Option(
      names = "--overwrite",
      description = "Replace an earlier 'facesieve synth' output (never other files).")
  boolean overwrite;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    SyntheticCollection.Config c = config();
    SyntheticCollection.Summary s = write(c, output, overwrite);
    spec.commandLine()
        .getOut()
        .printf(
            "wrote %s of %s to %s (truth: %s)%n",
            Plural.of(s.images(), "image", "images"),
            Plural.of(identities, "identity", "identities"),
            output,
            s.byKind());
    spec.commandLine().getOut().flush();
    return 0;
  }

  /**
   * Generates the collection and its description into {@code out}, replacing only an earlier {@code
   * synth} output there, and only when {@code overwrite}.
   */
  static SyntheticCollection.Summary write(
      SyntheticCollection.Config c, Path out, boolean overwrite) throws IOException {
    StageOutput stage = StageOutput.open(out, OutputKind.SYNTH, null, overwrite);
    boolean done = false;
    try {
      SyntheticCollection.Summary s = SyntheticCollection.generate(c, stage.staging());
      SyntheticCollection.describe(c, s, stage.staging());
      stage.commit(stage.staged(), null);
      done = true;
      return s;
    } finally {
      if (!done) {
        stage.abandon();
      }
    }
  }

  SyntheticCollection.Config config() {
    SyntheticCollection.NoiseMode m;
    SyntheticCollection.Layout l;
    try {
      m = SyntheticCollection.NoiseMode.parse(mode);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--noise-mode must be coherent or random, got " + mode);
    }
    try {
      l = SyntheticCollection.Layout.parse(format);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--format must be recordio or folder, got " + format);
    }
    return new SyntheticCollection.Config(
        identities, imagesPerIdentity, closeSet, openSet, corrupt, seed, m, l);
  }
}
