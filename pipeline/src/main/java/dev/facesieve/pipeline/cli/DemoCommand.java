package dev.facesieve.pipeline.cli;

import dev.facesieve.datasets.synth.SyntheticCollection;
import dev.facesieve.model.TrainConfig;
import dev.facesieve.pipeline.CleanJob;
import dev.facesieve.pipeline.PrepareJob;
import dev.facesieve.pipeline.StageOutput;
import dev.facesieve.pipeline.TrainJob;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code facesieve demo}: generates a synthetic noisy collection with ground truth and runs the
 * pipeline's stages on it with the embedded default runner.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = "Generates a synthetic noisy collection and runs FaceSieve on it.")
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--output", defaultValue = "facesieve-demo", description = "Output folder.")
  Path output;

  @Option(names = "--identities", defaultValue = "20", description = "Identities.")
  int identities;

  @Option(names = "--images-per-identity", defaultValue = "30", description = "Images per class.")
  int images;

  @Option(names = "--seed", defaultValue = "1", description = "Random seed.")
  long seed;

  @Option(names = "--epochs", defaultValue = "8", description = "Training epochs.")
  int epochs;

  @Mixin RunnerOptions runner;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path synth = output.resolve("synthetic");
    SyntheticCollection.Config c =
        new SyntheticCollection.Config(
            identities,
            images,
            0.15,
            0.15,
            0.02,
            seed,
            SyntheticCollection.NoiseMode.COHERENT,
            SyntheticCollection.Layout.RECORDIO);
    StageOutput.deleteRecursively(synth);
    SyntheticCollection.Summary s = SyntheticCollection.generate(c, synth);
    SyntheticCollection.describe(c, s, synth);
    out.printf(
        "synthetic collection: %d images, %d identities, truth %s -> %s%n",
        s.images(), identities, s.byKind(), synth);
    out.flush();
    Path prepared = output.resolve("prepared");
    Map<String, Object> m =
        PrepareJob.run(
            PrepareJob.Settings.of(synth, prepared)
                .withRunner(runner.choice())
                .withOverwrite(true));
    PrepareCommand.print(out, m, prepared);
    Path model = output.resolve("model");
    TrainConfig cfg =
        TrainConfig.defaults()
            .withBackbone("small")
            .withEmbeddingSize(128)
            .withEpochs(epochs)
            .withBatchSize(32)
            .withLearningRate(0.1)
            .withSeed(seed)
            .withCheckpointEvery(100);
    Map<String, Object> trained =
        TrainJob.run(prepared, model, cfg, false, true, ProgressPrinter.forConsole(out));
    out.printf("trained small CNN + sub-center ArcFace (K=3): %s%n", model.resolve("model.json"));
    Path clean = output.resolve("clean");
    Map<String, Object> summary =
        CleanJob.run(
            CleanJob.Settings.of(prepared, model, clean)
                .withRunner(runner.choice())
                .withOverwrite(true));
    CleanCommand.print(out, summary, clean);
    out.println(
        "kept faces: "
            + clean.resolve("kept")
            + ", review the drops: "
            + clean.resolve("dropped.csv"));
    out.flush();
    return trained.isEmpty() ? 1 : 0;
  }
}
