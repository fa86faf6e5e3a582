package dev.facesieve.pipeline.cli;

import dev.facesieve.model.Margin;
import dev.facesieve.model.Preprocessing;
import dev.facesieve.model.TrainConfig;
import picocli.CommandLine.Option;

/**
 * Training options; mixed into {@code train} and {@code run}; defaults are {@link TrainConfig}'s.
 */
public final class TrainOptions {
  @Option(
      names = "--backbone",
      defaultValue = TrainConfig.DEFAULT_BACKBONE,
      description =
          "onnx:<file> (recommended: a pretrained ArcFace-style embedder with a 112x112 input;"
              + " only the sub-centre head is trained, minutes on a CPU), or a backbone trained"
              + " from scratch: small (a CPU-sized CNN, the default), mobilefacenet, iresnet18,"
              + " iresnet34, iresnet50 or iresnet100 (GPU-sized budgets on real data).")
  String backbone;

  @Option(
      names = "--subcenters",
      defaultValue = "" + TrainConfig.DEFAULT_SUB_CENTERS,
      description = "Sub-centres per class (K).")
  int subCenters;

  @Option(
      names = "--scale",
      defaultValue = "" + TrainConfig.DEFAULT_SCALE,
      description = "Logit scale s.")
  double scale;

  @Option(
      names = "--margin",
      defaultValue = "" + TrainConfig.DEFAULT_ARC_MARGIN,
      description = "ArcFace angular margin m " + "(radians).")
  double margin;

  @Option(
      names = "--cosface-margin",
      defaultValue = "" + TrainConfig.DEFAULT_COSFACE_MARGIN,
      description =
          "Additive cosine margin "
              + "m3 of the combined margin cos(theta + m) - m3 (0 = pure ArcFace).")
  double m3;

  @Option(
      names = "--embedding-size",
      defaultValue = "" + TrainConfig.DEFAULT_EMBEDDING_SIZE,
      description = "Embedding size D " + "(must match the ONNX model's output for onnx:).")
  int embeddingSize;

  @Option(
      names = "--epochs",
      defaultValue = "" + TrainConfig.DEFAULT_EPOCHS,
      description = "Epochs.")
  int epochs;

  @Option(
      names = "--batch-size",
      defaultValue = "" + TrainConfig.DEFAULT_BATCH_SIZE,
      description = "Batch size.")
  int batchSize;

  @Option(
      names = "--lr",
      defaultValue = "" + TrainConfig.DEFAULT_LEARNING_RATE,
      description = "Peak learning rate.")
  double lr;

  @Option(
      names = "--warmup-epochs",
      defaultValue = "" + TrainConfig.DEFAULT_WARMUP_EPOCHS,
      description = "Linear warm-up, then " + "polynomial decay.")
  double warmup;

  @Option(
      names = "--weight-decay",
      defaultValue = "" + TrainConfig.DEFAULT_WEIGHT_DECAY,
      description = "SGD weight decay.")
  double weightDecay;

  @Option(
      names = "--sample-rate",
      defaultValue = "" + TrainConfig.DEFAULT_SAMPLE_RATE,
      description = "Partial FC: share of " + "classes per step (positives plus random negatives).")
  double sampleRate;

  @Option(
      names = "--seed",
      defaultValue = "" + TrainConfig.DEFAULT_SEED,
      description = "Random seed.")
  long seed;

  @Option(
      names = "--checkpoint-every",
      defaultValue = "" + TrainConfig.DEFAULT_CHECKPOINT_EVERY,
      description = "Steps between " + "checkpoints.")
  int checkpointEvery;

  @Option(
      names = "--channels",
      description =
          "Input channel order RGB or BGR (default: RGB for "
              + "trained backbones, BGR for onnx:).")
  String channels;

  TrainConfig config() {
    TrainConfig.Builder b =
        TrainConfig.builder()
            .setBackbone(backbone)
            .setSubCenters(subCenters)
            .setEmbeddingSize(embeddingSize)
            .setMargin(new Margin(scale, 1, margin, m3))
            .setEpochs(epochs)
            .setBatchSize(batchSize)
            .setLearningRate(lr)
            .setWeightDecay(weightDecay)
            .setWarmupEpochs(warmup)
            .setSampleRate(sampleRate)
            .setSeed(seed)
            .setCheckpointEvery(checkpointEvery);
    if (channels != null) {
      b.setPreprocessing(new Preprocessing(112, channels, 127.5f, 128f));
    }
    return b.build();
  }
}
