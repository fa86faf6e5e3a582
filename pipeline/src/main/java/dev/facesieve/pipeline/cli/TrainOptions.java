package dev.facesieve.pipeline.cli;

import dev.facesieve.model.Margin;
import dev.facesieve.model.Preprocessing;
import dev.facesieve.model.TrainConfig;
import picocli.CommandLine.Option;

/** Training options; mixed into {@code train} and {@code run}. */
public final class TrainOptions {
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
}
