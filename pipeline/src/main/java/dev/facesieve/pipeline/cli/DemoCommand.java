package dev.facesieve.pipeline.cli;

import dev.facesieve.datasets.synth.SyntheticCollection;
import dev.facesieve.model.Margin;
import dev.facesieve.model.TrainConfig;
import dev.facesieve.pipeline.Location;
import dev.facesieve.pipeline.PrepareJob;
import dev.facesieve.pipeline.RunFolder;
import dev.facesieve.pipeline.RunJob;
import java.io.PrintWriter;
import java.nio.file.Path;
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
    description =
        "Generates a synthetic noisy collection with ground truth and runs prepare -> train ->"
            + " clean -> report on it with the embedded default runner.")
public final class DemoCommand implements Callable<Integer> {
  @Option(
      names = "--output",
      defaultValue = "facesieve-demo",
      paramLabel = "<dir>",
      description =
          "Output folder: the synthetic collection and the run's prepared/, model/, clean/.")
  Path output;

  @Option(
      names = "--identities",
      defaultValue = "20",
      paramLabel = "<n>",
      description = "Number of synthetic identities (classes) to draw.")
  int identities;

  @Option(
      names = "--images-per-identity",
      defaultValue = "30",
      paramLabel = "<n>",
      description = "Images drawn per identity, noisy ones included.")
  int images;

  @Option(
      names = "--seed",
      defaultValue = "1",
      paramLabel = "<n>",
      description = "Seed of the collection and of training (same seed, same demo).")
  long seed;

  @Option(
      names = "--epochs",
      defaultValue = "10",
      paramLabel = "<n>",
      description = "Training epochs: full passes over the prepared faces.")
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
    // regenerated each time: replaces the collection demo wrote there, and nothing else
    SyntheticCollection.Summary s = SynthCommand.write(c, synth, true);
    out.printf(
        "synthetic collection: %s, %s, truth %s -> %s%n",
        Plural.of(s.images(), "image", "images"),
        Plural.of(identities, "identity", "identities"),
        s.byKind(),
        synth);
    out.flush();
    TrainConfig cfg =
        TrainConfig.builder()
            .setBackbone("small")
            .setEmbeddingSize(128)
            // s=64 (the paper's) does not converge in a few CPU epochs from scratch; see README
            .setMargin(Margin.arcFace(32, 0.5))
            .setEpochs(epochs)
            .setBatchSize(32)
            .setLearningRate(0.1)
            .setSeed(seed)
            .setCheckpointEvery(100)
            .build();
    RunJob.Settings rs =
        RunJob.Settings.builder(
                Location.of(synth),
                Location.of(output),
                PrepareJob.Settings.of(synth, RunFolder.prepared(output)),
                cfg)
            .setRunner(runner.choice())
            .build();
    return RunCommand.execute(
        out,
        rs,
        "demo",
        "backbone: small (the demo's CPU-sized CNN, trained from scratch; on your own data a"
            + " pretrained ONNX embedder, facesieve run --backbone onnx:<file>, is the recommended"
            + " path)");
  }
}
