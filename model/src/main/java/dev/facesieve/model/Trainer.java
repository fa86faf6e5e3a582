package dev.facesieve.model;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.datasets.io.LocalFiles;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Trains a backbone and a {@link SubCenterArcFace} head (or, for an {@code onnx:} backbone, the
 * head alone on cached embeddings; see {@link TrainingMode}) on prepared Parquet faces.
 *
 * <p>Optimisation is plain SGD with momentum and weight decay ({@code v ← μv + g + λw; w ← w −
 * η·v}), done here rather than by DJL's optimiser so that the momentum buffers can be checkpointed:
 * a run resumed from a checkpoint replays the same data order, flips and Partial-FC samples (all
 * pure functions of the seed and the step) and ends with the same weights as an uninterrupted run.
 */
public final class Trainer implements AutoCloseable {
  /** What one step did. */
  public record StepInfo(
      int epoch,
      long step,
      long stepsPerEpoch,
      long totalSteps,
      double loss,
      double accuracy,
      double learningRate,
      double imagesPerSecond) {}

  /** Receives progress. */
  public interface Listener {
    void onStep(StepInfo info);

    default void onMessage(String message) {}

    /**
     * {@code done} of {@code total} faces embedded by a frozen backbone before the first step
     * (head-only training); {@code done} never decreases and ends at {@code total}.
     */
    default void onEmbedded(long done, long total) {}

    /**
     * {@code done} of {@code total} stored embeddings read back before the first step (head-only
     * training on an embedding store that already held them); as {@link #onEmbedded}.
     */
    default void onEmbeddingsRead(long done, long total) {}
  }

  /**
   * Training stopped at a step boundary because its stop condition held; the checkpoint of that
   * step is written, so {@code train(true, …)} continues from it.
   */
  public static final class Stopped extends Exception {
    private final long step;

    Stopped(long step) {
      super("training stopped at step " + step + "; checkpoint written");
      this.step = step;
    }

    /** The steps done, as recorded in the checkpoint. */
    public long step() {
      return step;
    }
  }

  /** Per-epoch means; also the entries of {@code model.json}'s {@code epochs}. */
  @JsonPropertyOrder(alphabetic = true)
  public record EpochMetrics(int epoch, double loss, double accuracy, double imagesPerSecond) {}

  private final TrainConfig config;
  private final Path output;
  private final int classes;
  private final long images;
  private final NDManager manager;
  private final TrainingMode mode;
  private final SubCenterArcFace head;
  private final ArcFaceLoss loss;
  private final MomentumSgd sgd;

  /**
   * Prepares a run.
   *
   * @param prepared a {@code prepare} output; unused when {@link #useEmbeddings} gives the data
   * @param classes C, the class count (labels are 0…C−1)
   * @param images the number of prepared faces
   */
  public Trainer(TrainConfig config, Path prepared, Path output, int classes, long images) {
    this(prepared == null ? null : prepared.toString(), config, output, classes, images);
  }

  /**
   * {@link #Trainer(TrainConfig, Path, Path, int, long)} of a {@code prepare} output named by a
   * local path or a URI ({@code hdfs://…}), whose faces are streamed from there.
   */
  public static Trainer of(
      TrainConfig config, String prepared, Path output, int classes, long images) {
    return new Trainer(prepared, config, output, classes, images);
  }

  private Trainer(String prepared, TrainConfig config, Path output, int classes, long images) {
    this.config = config;
    this.output = output;
    this.classes = classes;
    this.images = images;
    this.manager = NDManager.newBaseManager(Device.cpu());
    this.loss = new ArcFaceLoss(config.margin());
    int d = config.embeddingSize();
    mode = TrainingMode.of(config, prepared, output, classes, images, manager);
    head =
        SubCenterArcFace.builder()
            .setClasses(classes)
            .setEmbeddingSize(d)
            .optSubCenters(config.subCenters())
            .build();
    head.setInitializer(new NormalInitializer(0.01f), Parameter.Type.WEIGHT);
    Engine.getInstance().setRandomSeed((int) config.seed() + 1);
    head.initialize(manager, DataType.FLOAT32, new Shape(2, d));
    List<Parameter> params = new ArrayList<>(mode.parameters());
    // Under Partial FC the head is updated row-sparse: only the sampled classes' rows and momentum.
    boolean partial = config.sampleRate() < 1;
    if (!partial) {
      params.add(head.weight());
    }
    sgd =
        new MomentumSgd(
            manager,
            params,
            partial ? List.of(head.weight()) : List.of(),
            config.momentum(),
            config.weightDecay());
  }

  public SubCenterArcFace head() {
    return head;
  }

  long stepsPerEpoch() {
    return Math.max(1, images / config.batchSize());
  }

  /**
   * Trains, resuming from {@code <output>/checkpoint} when {@code resume} and it exists.
   *
   * @return per-epoch metrics of the epochs run now
   */
  public List<EpochMetrics> train(boolean resume, Listener listener) throws IOException {
    try {
      return train(resume, listener, () -> false);
    } catch (Stopped e) {
      throw new IllegalStateException("a run without a stop condition stopped", e);
    }
  }

  /**
   * {@link #train(boolean, Listener)} that asks {@code stop} before every step and, once it holds,
   * writes the checkpoint of the steps done and throws {@link Stopped}.
   *
   * <p>{@code stop} is asked on this thread only between steps, when no native work is running, so
   * a signal handler can set what it reads; stopping takes at most one step and one checkpoint.
   */
  public List<EpochMetrics> train(boolean resume, Listener listener, BooleanSupplier stop)
      throws IOException, Stopped {
    Files.createDirectories(output);
    mode.checkInput();
    long spe = stepsPerEpoch();
    CheckpointState state = new CheckpointState(0, 0, spe);
    long checkpointed = -1; // the step of the checkpoint on disk, if any
    if (resume && Files.isRegularFile(output.resolve(CHECKPOINT).resolve(STATE_JSON))) {
      state = loadCheckpoint();
      checkpointed = state.step();
      listener.onMessage("resuming at step " + state.step());
    }
    long start = state.step();
    mode.prepare(listener, start == 0, head);
    long total = spe * config.epochs();
    List<EpochMetrics> metrics = new ArrayList<>();
    ParameterStore ps = new ParameterStore(manager, false);
    long step = start;
    for (int epoch = state.epoch(); epoch < config.epochs(); epoch++) {
      double lossSum = 0;
      double accSum = 0;
      int n = 0;
      long t0 = System.nanoTime();
      try (BatchSource batches = mode.batches(epoch)) {
        long skip = step - (long) epoch * spe;
        for (long i = 0; i < skip; i++) {
          batches.skip();
        }
        for (long i = skip; i < spe; i++) {
          if (stop.getAsBoolean()) {
            if (checkpointed != step) {
              saveCheckpoint(step);
            }
            throw new Stopped(step);
          }
          Batch b = batches.next();
          if (b == null) {
            break;
          }
          double lr = config.learningRateAt(step, spe);
          double[] la = step(ps, b, lr, step);
          lossSum += la[0];
          accSum += la[1];
          n++;
          step++;
          if (step % config.checkpointEvery() == 0 || step == total) {
            saveCheckpoint(step);
            checkpointed = step;
          }
          double secs = (System.nanoTime() - t0) / 1e9;
          listener.onStep(
              new StepInfo(
                  epoch,
                  step,
                  spe,
                  total,
                  la[0],
                  la[1],
                  lr,
                  n * config.batchSize() / Math.max(secs, 1e-9)));
        }
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      metrics.add(
          new EpochMetrics(
              epoch,
              n == 0 ? Double.NaN : lossSum / n,
              n == 0 ? Double.NaN : accSum / n,
              n * config.batchSize() / Math.max(secs, 1e-9)));
    }
    if (step == start) {
      saveCheckpoint(step);
    }
    return metrics;
  }

  /** One optimisation step; returns {loss, accuracy}. */
  double[] step(ParameterStore ps, Batch b, double lr, long step) {
    try (NDManager sub = manager.newSubManager()) {
      SplittableRandom r = new SplittableRandom(FaceStream.mix(config.seed(), 31 * step + 7));
      NDArray x = b.input(sub, r);
      int[] labels = b.labels();
      long[] subset = null;
      long[] target = new long[labels.length];
      if (config.sampleRate() < 1) {
        subset = PartialFc.sample(labels, classes, config.sampleRate(), r);
        for (int i = 0; i < labels.length; i++) {
          target[i] = Arrays.binarySearch(subset, labels[i]);
        }
      } else {
        for (int i = 0; i < labels.length; i++) {
          target[i] = labels[i];
        }
      }
      NDArray y = sub.create(target);
      PartialFc.Rows rows = subset == null ? null : PartialFc.gather(head, subset, sub);
      double lossValue;
      double acc;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray f = mode.features(ps, x);
        NDList in = subset == null ? new NDList(f) : new NDList(f, sub.create(subset), rows.rows());
        NDArray cos = head.forward(ps, in, true).head();
        NDArray l = loss.evaluate(new NDList(y), new NDList(cos));
        gc.backward(l);
        lossValue = l.getFloat();
        acc = cos.argMax(1).eq(y).toType(DataType.FLOAT32, false).mean().getFloat();
      }
      sgd.update(lr);
      if (rows != null) {
        sgd.updateRows(head.weight(), rows.rows(), rows.index(), lr);
      }
      return new double[] {lossValue, acc};
    }
  }

  // ---------------------------------------------------------------- checkpoints

  static final String CHECKPOINT = "checkpoint";
  static final String STATE_JSON = "state.json";

  /**
   * The checkpoint's {@code state.json}: the steps done, the epoch the next step belongs to, and
   * the steps per epoch the data order was cut into (a run with another batch size cannot replay
   * it).
   */
  record CheckpointState(long step, int epoch, long stepsPerEpoch) {}

  /** Writes {@code backbone.params} (for a trained backbone) and {@code head.params} into dir. */
  void saveParameters(Path dir) throws IOException {
    mode.saveParameters(dir);
    try (DataOutputStream o =
        new DataOutputStream(Files.newOutputStream(dir.resolve("head.params")))) {
      head.saveParameters(o);
    }
  }

  private void saveCheckpoint(long step) throws IOException {
    Path dir = output.resolve(CHECKPOINT);
    Path tmp = output.resolve(CHECKPOINT + ".tmp");
    LocalFiles.deleteRecursively(tmp);
    Files.createDirectories(tmp);
    saveParameters(tmp);
    Files.write(tmp.resolve("momentum.ndlist"), sgd.state().encode());
    long spe = stepsPerEpoch();
    Files.writeString(
        tmp.resolve(STATE_JSON),
        StageJson.write(new CheckpointState(step, (int) (step / spe), spe)));
    LocalFiles.deleteRecursively(dir);
    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
  }

  private CheckpointState loadCheckpoint() throws IOException {
    Path dir = output.resolve(CHECKPOINT);
    CheckpointState state = StageJson.read(dir.resolve(STATE_JSON), CheckpointState.class);
    if (state.stepsPerEpoch() != stepsPerEpoch()) {
      throw new IOException(
          dir
              + ": checkpoint of a run with "
              + state.stepsPerEpoch()
              + " steps per epoch, not "
              + stepsPerEpoch()
              + "; train without resuming");
    }
    try {
      mode.loadParameters(dir, manager);
      try (DataInputStream in =
          new DataInputStream(Files.newInputStream(dir.resolve("head.params")))) {
        head.loadParameters(manager, in);
      }
    } catch (ai.djl.MalformedModelException e) {
      throw new IOException(dir + ": checkpoint does not match this model: " + e.getMessage(), e);
    }
    sgd.restore(NDList.decode(manager, Files.readAllBytes(dir.resolve("momentum.ndlist"))));
    return state;
  }

  /**
   * Trains the head on embeddings computed elsewhere instead of embedding the prepared faces with
   * the ONNX file (head-only configurations only; the table's size must be the {@code images} given
   * to the constructor). The trainer takes ownership of the table.
   */
  public Trainer useEmbeddings(EmbeddingTable t) {
    checkArgument(
        mode instanceof TrainingMode.HeadOnly,
        "embeddings can only be given to head-only training");
    checkArgument(
        t.size() == images,
        "the table has %s rows, the trainer was sized for %s",
        t.size(),
        images);
    checkArgument(
        t.dimension() == config.embeddingSize(),
        "the table has %s dimensions, not %s",
        t.dimension(),
        config.embeddingSize());
    ((TrainingMode.HeadOnly) mode).use(t);
    return this;
  }

  @Override
  public void close() {
    mode.close();
    manager.close();
  }
}
