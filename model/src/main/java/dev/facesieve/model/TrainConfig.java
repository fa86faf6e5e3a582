package dev.facesieve.model;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoBuilder;
import javax.annotation.Nullable;

/**
 * Settings of a training run.
 *
 * <p>The defaults are those of {@code facesieve train}; its options start from these constants.
 *
 * @param sampleRate Partial FC: share of classes in each step's softmax (all positive classes of
 *     the batch plus random negatives); 1 uses every class
 * @param warmupEpochs linear learning-rate warm-up, then polynomial (power 2) decay to 0
 * @param checkpointEvery steps between checkpoints (the end of training always checkpoints)
 * @param preprocessing the input preprocessing, or null for the backbone's default
 */
public record TrainConfig(
    BackboneSpec backbone,
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

  public static final String DEFAULT_BACKBONE = "small";
  public static final int DEFAULT_SUB_CENTERS = 3;
  public static final int DEFAULT_EMBEDDING_SIZE = 512;

  /** The default margin is ArcFace's {@code (s, 1, m, m3)} with these three values. */
  public static final double DEFAULT_SCALE = 64;

  public static final double DEFAULT_ARC_MARGIN = 0.5;
  public static final double DEFAULT_COSFACE_MARGIN = 0;
  public static final int DEFAULT_EPOCHS = 10;
  public static final int DEFAULT_BATCH_SIZE = 64;
  public static final double DEFAULT_LEARNING_RATE = 0.1;
  public static final double DEFAULT_MOMENTUM = 0.9;
  public static final double DEFAULT_WEIGHT_DECAY = 5e-4;
  public static final double DEFAULT_WARMUP_EPOCHS = 1;
  public static final double DEFAULT_SAMPLE_RATE = 1.0;
  public static final long DEFAULT_SEED = 1;
  public static final int DEFAULT_CHECKPOINT_EVERY = 500;
  public static final int DEFAULT_SHUFFLE_BUFFER = 4096;

  public TrainConfig {
    checkArgument(backbone != null, "backbone must be set");
    checkArgument(margin != null, "margin must be set");
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

  /** A builder holding every default. */
  public static Builder builder() {
    return new AutoBuilder_TrainConfig_Builder()
        .setBackbone(DEFAULT_BACKBONE)
        .setSubCenters(DEFAULT_SUB_CENTERS)
        .setEmbeddingSize(DEFAULT_EMBEDDING_SIZE)
        .setMargin(new Margin(DEFAULT_SCALE, 1, DEFAULT_ARC_MARGIN, DEFAULT_COSFACE_MARGIN))
        .setEpochs(DEFAULT_EPOCHS)
        .setBatchSize(DEFAULT_BATCH_SIZE)
        .setLearningRate(DEFAULT_LEARNING_RATE)
        .setMomentum(DEFAULT_MOMENTUM)
        .setWeightDecay(DEFAULT_WEIGHT_DECAY)
        .setWarmupEpochs(DEFAULT_WARMUP_EPOCHS)
        .setSampleRate(DEFAULT_SAMPLE_RATE)
        .setSeed(DEFAULT_SEED)
        .setCheckpointEvery(DEFAULT_CHECKPOINT_EVERY)
        .setShuffleBuffer(DEFAULT_SHUFFLE_BUFFER);
  }

  public Builder toBuilder() {
    return new AutoBuilder_TrainConfig_Builder(this);
  }

  /** Builds a {@link TrainConfig}; {@link #build()} validates. */
  @AutoBuilder
  public interface Builder {
    Builder setBackbone(BackboneSpec b);

    /** Parses {@code onnx:<file>} or a backbone name ({@link BackboneSpec#parse}). */
    default Builder setBackbone(String spec) {
      return setBackbone(BackboneSpec.parse(spec));
    }

    Builder setSubCenters(int k);

    Builder setEmbeddingSize(int d);

    Builder setMargin(Margin m);

    Builder setEpochs(int e);

    Builder setBatchSize(int b);

    Builder setLearningRate(double lr);

    Builder setMomentum(double m);

    Builder setWeightDecay(double w);

    Builder setWarmupEpochs(double w);

    Builder setSampleRate(double r);

    Builder setSeed(long s);

    Builder setCheckpointEvery(int n);

    Builder setShuffleBuffer(int n);

    Builder setPreprocessing(@Nullable Preprocessing p);

    TrainConfig build();
  }

  /** The preprocessing in force: the declared one, or the backbone's default. */
  public Preprocessing effectivePreprocessing() {
    return preprocessing != null ? preprocessing : backbone.defaultPreprocessing();
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
