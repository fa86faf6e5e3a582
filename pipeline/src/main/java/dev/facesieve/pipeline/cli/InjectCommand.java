package dev.facesieve.pipeline.cli;

import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.synth.NoiseInjector;
import dev.facesieve.datasets.synth.SyntheticCollection;
import dev.facesieve.pipeline.OutputKind;
import dev.facesieve.pipeline.StageOutput;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code facesieve inject}: label noise with ground truth in a real identity-folder dataset. */
@Command(
    name = "inject",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = "Copies an identity-per-folder dataset adding label noise, with truth.csv.")
public final class InjectCommand implements Callable<Integer> {
  @Option(
      names = "--input",
      required = true,
      paramLabel = "<dir>",
      description = "The clean dataset: a root/<identity>/<image> folder.")
  Path input;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "<dir>",
      description = "Output folder of the noisy copy (hard links to the input's files).")
  Path output;

  @Option(
      names = "--close-set-noise",
      defaultValue = "0.1",
      paramLabel = "<share>",
      description = "Share of each class (0 to 1) showing another kept identity.")
  double closeSet;

  @Option(
      names = "--open-set-noise",
      defaultValue = "0.1",
      paramLabel = "<share>",
      description = "Share of each class (0 to 1) showing a held-out identity.")
  double openSet;

  @Option(
      names = "--held-out",
      defaultValue = "0.2",
      paramLabel = "<share>",
      description = "Share of identities (0 to 1) held out as sources of open-set noise.")
  double heldOut;

  @Option(
      names = "--noise-mode",
      defaultValue = "coherent",
      paramLabel = "<mode>",
      description =
          "coherent: a class's noise comes from one partner identity, like web noise; random:"
              + " from any identity.")
  String mode;

  @Option(
      names = "--seed",
      defaultValue = "1",
      paramLabel = "<n>",
      description = "Seed of every random choice (same seed, same noisy copy).")
  long seed;

  @Option(
      names = "--overwrite",
      description = "Replace an earlier 'facesieve inject' output (never other files).")
  boolean overwrite;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    SyntheticCollection.NoiseMode m;
    try {
      m = SyntheticCollection.NoiseMode.parse(mode);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--noise-mode must be coherent or random, got " + mode);
    }
    NoiseInjector.Config config = new NoiseInjector.Config(closeSet, openSet, heldOut, m, seed);
    StageOutput stage = StageOutput.open(output, OutputKind.INJECT, null, overwrite, input);
    Map<NoiseKind, Long> counts;
    boolean done = false;
    try {
      counts = NoiseInjector.inject(input, stage.staging(), config);
      stage.commit(stage.staged(), null);
      done = true;
    } finally {
      if (!done) {
        stage.abandon();
      }
    }
    spec.commandLine().getOut().printf("wrote %s (truth: %s)%n", output, counts);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
