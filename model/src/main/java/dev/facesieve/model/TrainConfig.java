package dev.facesieve.model;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Path;
import javax.annotation.Nullable;

/**
 * Settings of a training run; immutable, each {@code withX} validates.
 *
 * @param backbone a name from {@link Backbones#NAMES}, or {@code onnx:<file>} for a frozen
 *     pretrained embedder (only the head is trained, on cached embeddings)
 * @param sampleRate Partial FC: share of classes in each step's softmax (all positive classes of
 *     the batch plus random negatives); 1 uses every class
 * @param warmupEpochs linear learning-rate warm-up, then polynomial (power 2) decay to 0
 * @param checkpointEvery steps between checkpoints (the end of training always checkpoints)
 */
public record TrainConfig(
    String backbone,
    int subCenters,
    int embeddingSize,
    Margin margin,
    int epochs,
    int batchSize,
    double learningRate,
    double momentum,
    double weightDecay,
    double warmupEpochs,
    double sampleRate,
    long seed,
    int checkpointEvery,
    int shuffleBuffer,
    @Nullable Preprocessing preprocessing) {

  public TrainConfig {
    checkArgument(subCenters > 0, "K must be > 0, got %s", subCenters);
    checkArgument(embeddingSize > 0, "embedding size must be > 0, got %s", embeddingSize);
    checkArgument(epochs > 0, "epochs must be > 0, got %s", epochs);
    checkArgument(batchSize > 1, "batch size must be > 1, got %s", batchSize);
    checkArgument(learningRate > 0, "learning rate must be > 0, got %s", learningRate);
    checkArgument(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), got %s", momentum);
    checkArgument(weightDecay >= 0, "weight decay must be >= 0, got %s", weightDecay);
    checkArgument(warmupEpochs >= 0, "warm-up epochs must be >= 0, got %s", warmupEpochs);
    checkArgument(
        sampleRate > 0 && sampleRate <= 1, "sample rate must be in (0, 1], got %s", sampleRate);
    checkArgument(checkpointEvery > 0, "checkpoint interval must be > 0, got %s", checkpointEvery);
    checkArgument(shuffleBuffer > 0, "shuffle buffer must be > 0, got %s", shuffleBuffer);
  }

  /** The paper's defaults: IResNet-50, K=3, s=64, m=0.5, D=512, SGD 0.1 with momentum 0.9. */
  public static TrainConfig defaults() {
    return new TrainConfig(
        "iresnet50",
        3,
        512,
        Margin.arcFace(64, 0.5),
        20,
        128,
        0.1,
        0.9,
        5e-4,
        1,
        1.0,
        1,
        1000,
        4096,
        null);
  }

  public boolean headOnly() {
    return backbone.startsWith("onnx:");
  }

  /** The ONNX file of a head-only run. */
  public Path onnxFile() {
    checkArgument(headOnly(), "not an onnx: backbone");
    return Path.of(backbone.substring("onnx:".length()));
  }

  /**
   * The preprocessing in force: the declared one, or the ArcFace default (RGB for trained
   * backbones, BGR for ONNX exports like the shared MobileFaceNet).
   */
  public Preprocessing effectivePreprocessing() {
    if (preprocessing != null) {
      return preprocessing;
    }
    return headOnly() ? Preprocessing.ARCFACE_BGR : Preprocessing.ARCFACE;
  }

  public TrainConfig withBackbone(String b) {
    checkArgument(
        b.startsWith("onnx:") || java.util.Arrays.asList(Backbones.NAMES).contains(b),
        "unknown backbone '%s'; one of %s or onnx:<file>",
        b,
        java.util.Arrays.toString(Backbones.NAMES));
    return new TrainConfig(
        b,
        subCenters,
        embeddingSize,
        margin,
        epochs,
        batchSize,
        learningRate,
        momentum,
        weightDecay,
        warmupEpochs,
        sampleRate,
        seed,
        checkpointEvery,
        shuffleBuffer,
        preprocessing);
  }

  public TrainConfig withSubCenters(int k) {
    return new TrainConfig(
        backbone,
        k,
        embeddingSize,
        margin,
        epochs,
        batchSize,
        learningRate,
        momentum,
        weightDecay,
        warmupEpochs,
        sampleRate,
        seed,
        checkpointEvery,
        shuffleBuffer,
        preprocessing);
  }

  public TrainConfig withEmbeddingSize(int d) {
    return new TrainConfig(
        backbone,
        subCenters,
        d,
        margin,
        epochs,
        batchSize,
        learningRate,
        momentum,
        weightDecay,
        warmupEpochs,
        sampleRate,
        seed,
        checkpointEvery,
        shuffleBuffer,
        preprocessing);
  }

  public TrainConfig withMargin(Margin m) {
    return new TrainConfig(
        backbone,
        subCenters,
        embeddingSize,
        m,
        epochs,
        batchSize,
        learningRate,
        momentum,
        weightDecay,
        warmupEpochs,
        sampleRate,
        seed,
        checkpointEvery,
        shuffleBuffer,
        preprocessing);
  }

  public TrainConfig withEpochs(int e) {
    return new TrainConfig(
        backbone,
        subCenters,
        embeddingSize,
        margin,
        e,
        batchSize,
        learningRate,
        momentum,
        weightDecay,
        warmupEpochs,
        sampleRate,
        seed,
        checkpointEvery,
        shuffleBuffer,
        preprocessing);
  }

  public TrainConfig withBatchSize(int b) {
    return new TrainConfig(
        backbone,
        subCenters,
        embeddingSize,
        margin,
        epochs,
        b,
        learningRate,
        momentum,
        weightDecay,
        warmupEpochs,
        sampleRate,
        seed,
        checkpointEvery,
        shuffleBuffer,
        preprocessing);
  }

  public TrainConfig withLearningRate(double lr) {
    return new TrainConfig(
        backbone,
        subCenters,
        embeddingSize,
        margin,
        epochs,
        batchSize,
        lr,
        momentum,
        weightDecay,
        warmupEpochs,
        sampleRate,
        seed,
        checkpointEvery,
        shuffleBuffer,
        preprocessing);
  }

  public TrainConfig withWarmupEpochs(double w) {
    return new TrainConfig(
        backbone,
        subCenters,
        embeddingSize,
        margin,
        epochs,
        batchSize,
        learningRate,
        momentum,
        weightDecay,
        w,
        sampleRate,
        seed,
        checkpointEvery,
        shuffleBuffer,
        preprocessing);
  }

  public TrainConfig withSampleRate(double r) {
    return new TrainConfig(
        backbone,
        subCenters,
        embeddingSize,
        margin,
        epochs,
        batchSize,
        learningRate,
        momentum,
        weightDecay,
        warmupEpochs,
        r,
        seed,
        checkpointEvery,
        shuffleBuffer,
        preprocessing);
  }

  public TrainConfig withSeed(long s) {
    return new TrainConfig(
        backbone,
        subCenters,
        embeddingSize,
        margin,
        epochs,
        batchSize,
        learningRate,
        momentum,
        weightDecay,
        warmupEpochs,
        sampleRate,
        s,
        checkpointEvery,
        shuffleBuffer,
        preprocessing);
  }

  public TrainConfig withCheckpointEvery(int n) {
    return new TrainConfig(
        backbone,
        subCenters,
        embeddingSize,
        margin,
        epochs,
        batchSize,
        learningRate,
        momentum,
        weightDecay,
        warmupEpochs,
        sampleRate,
        seed,
        n,
        shuffleBuffer,
        preprocessing);
  }

  public TrainConfig withPreprocessing(@Nullable Preprocessing p) {
    return new TrainConfig(
        backbone,
        subCenters,
        embeddingSize,
        margin,
        epochs,
        batchSize,
        learningRate,
        momentum,
        weightDecay,
        warmupEpochs,
        sampleRate,
        seed,
        checkpointEvery,
        shuffleBuffer,
        p);
  }

  /** Learning rate at a global step: linear warm-up, then {@code (1 − t)^2} decay. */
  public double learningRateAt(long step, long stepsPerEpoch) {
    long total = stepsPerEpoch * epochs;
    long warm = Math.round(warmupEpochs * stepsPerEpoch);
    if (step < warm) {
      return learningRate * (step + 1) / warm;
    }
    double t = (double) (step - warm) / Math.max(1, total - warm);
    return learningRate * Math.pow(Math.max(0, 1 - t), 2);
  }
}
