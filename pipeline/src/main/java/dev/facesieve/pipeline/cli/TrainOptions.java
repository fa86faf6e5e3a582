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
              + " from scratch: small (a CPU-sized CNN), mobilefacenet, iresnet18,"
              + " iresnet34, iresnet50 or iresnet100 (GPU-sized budgets on real data).")
  String backbone;

  @Option(
      names = "--subcenters",
      defaultValue = "" + TrainConfig.DEFAULT_SUB_CENTERS,
      paramLabel = "<K>",
      description = "Sub-centres per class (K in the paper); 1 is plain ArcFace.")
  int subCenters;

  @Option(
      names = "--scale",
      defaultValue = "" + TrainConfig.DEFAULT_SCALE,
      paramLabel = "<s>",
      description =
          "Logit scale s that multiplies the cosines before the softmax (the paper's 64; a"
              + " smaller one such as 32 converges faster on small data).")
  double scale;

  @Option(
      names = "--margin",
      defaultValue = "" + TrainConfig.DEFAULT_ARC_MARGIN,
      paramLabel = "<rad>",
      description =
          "ArcFace additive angular margin m in radians (0.5 rad = 28.6 degrees), added to the"
              + " angle to the face's own class.")
  double margin;

  @Option(
      names = "--cosface-margin",
      defaultValue = "" + TrainConfig.DEFAULT_COSFACE_MARGIN,
      paramLabel = "<m3>",
      description =
          "CosFace additive cosine margin m3 of the combined margin cos(theta + m) - m3 (a"
              + " cosine, no unit; 0 is pure ArcFace).")
  double m3;

  @Option(
      names = "--embedding-size",
      defaultValue = "" + TrainConfig.DEFAULT_EMBEDDING_SIZE,
      paramLabel = "<D>",
      description =
          "Embedding dimensions D (for onnx: it must match the ONNX model's output size).")
  int embeddingSize;

  @Option(
      names = "--epochs",
      defaultValue = "" + TrainConfig.DEFAULT_EPOCHS,
      paramLabel = "<n>",
      description = "Training epochs: full passes over the prepared faces.")
  int epochs;

  @Option(
      names = "--batch-size",
      defaultValue = "" + TrainConfig.DEFAULT_BATCH_SIZE,
      paramLabel = "<faces>",
      description = "Faces per training step (batch size).")
  int batchSize;

  @Option(
      names = "--lr",
      defaultValue = "" + TrainConfig.DEFAULT_LEARNING_RATE,
      paramLabel = "<rate>",
      description =
          "Peak learning rate of SGD with momentum, reached at the end of the warm-up and then"
              + " decayed to 0.")
  double lr;

  @Option(
      names = "--warmup-epochs",
      defaultValue = "" + TrainConfig.DEFAULT_WARMUP_EPOCHS,
      paramLabel = "<epochs>",
      description =
          "Epochs of linear learning-rate warm-up from 0 to --lr, followed by polynomial"
              + " (power 2) decay to 0; fractions such as 0.5 are allowed.")
  double warmup;

  @Option(
      names = "--weight-decay",
      defaultValue = "" + TrainConfig.DEFAULT_WEIGHT_DECAY,
      paramLabel = "<decay>",
      description = "SGD weight decay: the L2 penalty on the weights, added to every gradient.")
  double weightDecay;

  @Option(
      names = "--sample-rate",
      defaultValue = "" + TrainConfig.DEFAULT_SAMPLE_RATE,
      paramLabel = "<share>",
      description =
          "Partial FC: share of the classes (0 to 1) whose centres each step updates, the"
              + " batch's own plus random others; 1 updates all.")
  double sampleRate;

  @Option(
      names = "--seed",
      defaultValue = "" + TrainConfig.DEFAULT_SEED,
      paramLabel = "<n>",
      description = "Seed of every random choice in training (same seed, same model).")
  long seed;

  @Option(
      names = "--checkpoint-every",
      defaultValue = "" + TrainConfig.DEFAULT_CHECKPOINT_EVERY,
      paramLabel = "<steps>",
      description = "Training steps between checkpoints that --resume continues from.")
  int checkpointEvery;

  @Option(
      names = "--channels",
      paramLabel = "<RGB|BGR>",
      description =
          "Channel order the backbone expects, RGB or BGR (when not given: RGB for trained"
              + " backbones, BGR for onnx:).")
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
