package dev.facesieve.pipeline.cli;

import dev.facesieve.model.Margin;
import dev.facesieve.model.Preprocessing;
import dev.facesieve.model.TrainConfig;
import dev.facesieve.pipeline.TrainJob;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code facesieve train}: sub-center ArcFace on prepared faces. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Trains a backbone and a sub-center ArcFace head on prepared faces (or only the head on a"
          + " frozen ONNX embedder) and writes a model directory: model.json, centres.parquet,"
          + " parameters and a checkpoint."
    })
public final class TrainCommand implements Callable<Integer> {
  @Option(names = "--data", required = true, description = "A 'facesieve prepare' output.")
  Path data;

  @Option(names = "--output", required = true, description = "Model directory.")
  Path output;

  @Option(
      names = "--backbone",
      defaultValue = "small",
      description =
          "small, mobilefacenet, "
              + "iresnet18, iresnet34, iresnet50, iresnet100, or onnx:<file> (head-only).")
  String backbone;

  @Option(names = "--subcenters", defaultValue = "3", description = "Sub-centres per class (K).")
  int subCenters;

  @Option(names = "--scale", defaultValue = "64", description = "Logit scale s.")
  double scale;

  @Option(
      names = "--margin",
      defaultValue = "0.5",
      description = "ArcFace angular margin m " + "(radians).")
  double margin;

  @Option(
      names = "--cosface-margin",
      defaultValue = "0",
      description =
          "Additive cosine margin "
              + "m3 of the combined margin cos(theta + m) - m3 (0 = pure ArcFace).")
  double m3;

  @Option(
      names = "--embedding-size",
      defaultValue = "512",
      description = "Embedding size D " + "(must match the ONNX model's output for onnx:).")
  int embeddingSize;

  @Option(names = "--epochs", defaultValue = "10", description = "Epochs.")
  int epochs;

  @Option(names = "--batch-size", defaultValue = "64", description = "Batch size.")
  int batchSize;

  @Option(names = "--lr", defaultValue = "0.1", description = "Peak learning rate.")
  double lr;

  @Option(
      names = "--warmup-epochs",
      defaultValue = "1",
      description = "Linear warm-up, then " + "polynomial decay.")
  double warmup;

  @Option(names = "--weight-decay", defaultValue = "5e-4", description = "SGD weight decay.")
  double weightDecay;

  @Option(
      names = "--sample-rate",
      defaultValue = "1.0",
      description = "Partial FC: share of " + "classes per step (positives plus random negatives).")
  double sampleRate;

  @Option(names = "--seed", defaultValue = "1", description = "Random seed.")
  long seed;

  @Option(
      names = "--checkpoint-every",
      defaultValue = "500",
      description = "Steps between " + "checkpoints.")
  int checkpointEvery;

  @Option(
      names = "--channels",
      description =
          "Input channel order RGB or BGR (default: RGB for "
              + "trained backbones, BGR for onnx:).")
  String channels;

  @Option(names = "--resume", description = "Continue from the output's last checkpoint.")
  boolean resume;

  @Option(names = "--overwrite", description = "Replace a finished model directory.")
  boolean overwrite;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  TrainConfig config() {
    Margin m = new Margin(scale, 1, margin, m3);
    Preprocessing pre = channels == null ? null : new Preprocessing(112, channels, 127.5f, 128f);
    return new TrainConfig(
            "small",
            subCenters,
            embeddingSize,
            m,
            epochs,
            batchSize,
            lr,
            0.9,
            weightDecay,
            warmup,
            sampleRate,
            seed,
            checkpointEvery,
            4096,
            pre)
        .withBackbone(backbone);
  }

  @Override
  @SuppressWarnings("unchecked")
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, Object> model =
        TrainJob.run(data, output, config(), resume, overwrite, ProgressPrinter.forConsole(out));
    List<Map<String, Object>> epochsRun = (List<Map<String, Object>>) model.get("epochs");
    if (!epochsRun.isEmpty()) {
      Map<String, Object> last = epochsRun.get(epochsRun.size() - 1);
      out.printf(
          "trained: final epoch loss %.3f, accuracy %.3f%n",
          ((Number) last.get("loss")).doubleValue(), ((Number) last.get("accuracy")).doubleValue());
    }
    out.printf("model: %s%n", output.resolve("model.json"));
    out.flush();
    return 0;
  }
}
