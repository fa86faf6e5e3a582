package dev.facesieve.model;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.Pair;
import dev.facesieve.datasets.parquet.ParquetFiles;
import java.awt.image.BufferedImage;
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

/**
 * Trains a backbone and a {@link SubCenterArcFace} head (or, for an {@code onnx:} backbone, the
 * head alone on cached embeddings) on prepared Parquet faces, and writes a model directory.
 *
 * <p>Optimisation is plain SGD with momentum and weight decay ({@code v ← μv + g + λw; w ← w −
 * η·v}), done here rather than by DJL's optimiser so that the momentum buffers can be checkpointed:
 * a run resumed from a checkpoint replays the same data order, flips and Partial-FC samples (all
 * pure functions of the seed and the step) and ends with the same weights as an uninterrupted run.
 *
 * <p>Head-only runs seed each class's K sub-centres by spherical k-means over its own embeddings;
 * randomly initialised sub-centres collapse on frozen features (one wins every sample).
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
  }

  /** Per-epoch means. */
  public record EpochMetrics(int epoch, double loss, double accuracy, double imagesPerSecond) {}

  private final TrainConfig config;
  private final Path prepared;
  private final Path output;
  private final int classes;
  private final long images;
  private final NDManager manager;
  private final Block backbone;
  private final SubCenterArcFace head;
  private final ArcFaceLoss loss;
  private final MomentumSgd sgd;
  private EmbeddingTable table;

  /**
   * Prepares a run.
   *
   * @param classes C, the class count (labels are 0…C−1)
   * @param images the number of prepared faces
   */
  public Trainer(TrainConfig config, Path prepared, Path output, int classes, long images) {
    this.config = config;
    this.prepared = prepared;
    this.output = output;
    this.classes = classes;
    this.images = images;
    this.manager = NDManager.newBaseManager(Device.cpu());
    this.loss = new ArcFaceLoss(config.margin());
    int d = config.embeddingSize();
    if (config.headOnly()) {
      backbone = null;
    } else {
      backbone = Backbones.create(config.backbone(), d);
      backbone.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
      Engine.getInstance().setRandomSeed((int) config.seed());
      backbone.initialize(manager, DataType.FLOAT32, new Shape(2, 3, 112, 112));
    }
    head =
        SubCenterArcFace.builder()
            .setClasses(classes)
            .setEmbeddingSize(d)
            .optSubCenters(config.subCenters())
            .build();
    head.setInitializer(new NormalInitializer(0.01f), Parameter.Type.WEIGHT);
    Engine.getInstance().setRandomSeed((int) config.seed() + 1);
    head.initialize(manager, DataType.FLOAT32, new Shape(2, d));
    List<Parameter> params = new ArrayList<>();
    if (backbone != null) {
      for (Pair<String, Parameter> p : backbone.getParameters()) {
        params.add(p.getValue());
      }
    }
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

  public Block backbone() {
    return backbone;
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
    Files.createDirectories(output);
    boolean given = table != null;
    List<Path> files = given ? List.of() : ParquetFiles.list(prepared.resolve("faces"));
    if (files.isEmpty() && !given) {
      throw new IllegalArgumentException(prepared.resolve("faces") + ": no prepared faces");
    }
    long start = 0;
    if (resume && Files.isRegularFile(output.resolve("checkpoint/state.json"))) {
      start = loadCheckpoint();
      listener.onMessage("resuming at step " + start);
    }
    if (config.headOnly() && !given) {
      prepareEmbeddings(files, listener, start == 0);
    } else if (given && start == 0) {
      seedSubCentres();
    }
    long spe = stepsPerEpoch();
    long total = spe * config.epochs();
    List<EpochMetrics> metrics = new ArrayList<>();
    ParameterStore ps = new ParameterStore(manager, false);
    long step = start;
    for (int epoch = (int) (start / spe); epoch < config.epochs(); epoch++) {
      double lossSum = 0;
      double accSum = 0;
      int n = 0;
      long t0 = System.nanoTime();
      try (Batches batches = batches(files, epoch)) {
        long skip = step - (long) epoch * spe;
        for (long i = 0; i < skip; i++) {
          batches.skip();
        }
        for (long i = skip; i < spe; i++) {
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
      NDArray x;
      if (config.headOnly()) {
        x = sub.create(b.embeddings());
      } else {
        boolean[] flip = new boolean[b.size()];
        for (int i = 0; i < flip.length; i++) {
          flip[i] = r.nextBoolean();
        }
        x = config.effectivePreprocessing().toTensor(sub, b.images(), flip);
      }
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
        NDArray f = backbone == null ? x : backbone.forward(ps, new NDList(x), true).head();
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

  private void prepareEmbeddings(List<Path> files, Listener listener, boolean seedCentres)
      throws IOException {
    Path cache = output.resolve("embeddings.f32");
    try (OnnxEmbedder e =
        OnnxEmbedder.load(config.onnxFile(), config.effectivePreprocessing(), true)) {
      if (e.dimension() != config.embeddingSize()) {
        throw new IllegalArgumentException(
            config.onnxFile()
                + ": embeds to "
                + e.dimension()
                + " dimensions, not --embedding-size "
                + config.embeddingSize());
      }
      listener.onMessage("embedding " + images + " faces with " + config.onnxFile());
      table = EmbeddingTable.build(e, files, cache, 32, done -> {});
    }
    if (seedCentres) {
      seedSubCentres();
    }
  }

  /** Spherical k-means per class over its embeddings. */
  void seedSubCentres() throws IOException {
    int k = config.subCenters();
    int d = config.embeddingSize();
    List<List<Integer>> rows = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      rows.add(new ArrayList<>());
    }
    for (int i = 0; i < table.size(); i++) {
      rows.get(table.label(i)).add(i);
    }
    float[] w = head.weight().getArray().toFloatArray();
    for (int c = 0; c < classes; c++) {
      if (rows.get(c).isEmpty()) {
        continue;
      }
      float[][] x = new float[rows.get(c).size()][];
      for (int i = 0; i < x.length; i++) {
        x[i] = table.row(rows.get(c).get(i));
      }
      float[][] centres = SphericalKMeans.fit(x, k, 20, FaceStream.mix(config.seed(), c));
      for (int j = 0; j < k; j++) {
        System.arraycopy(centres[j], 0, w, (c * k + j) * d, d);
      }
    }
    head.weight().getArray().set(w);
  }

  /** A batch of either images or embeddings. */
  record Batch(int[] labels, BufferedImage[] images, float[][] embeddings) {
    int size() {
      return labels.length;
    }
  }

  interface Batches extends AutoCloseable {
    Batch next() throws IOException;

    void skip() throws IOException;

    @Override
    void close() throws IOException;
  }

  private Batches batches(List<Path> files, int epoch) {
    int bs = config.batchSize();
    if (config.headOnly()) {
      int[] order = new int[table.size()];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      SplittableRandom r = new SplittableRandom(FaceStream.mix(config.seed(), epoch));
      for (int i = order.length - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      return new Batches() {
        int pos;

        @Override
        public Batch next() throws IOException {
          if (pos + bs > order.length) {
            return null;
          }
          int[] l = new int[bs];
          float[][] e = new float[bs][];
          for (int i = 0; i < bs; i++) {
            l[i] = table.label(order[pos + i]);
            e[i] = table.row(order[pos + i]);
          }
          pos += bs;
          return new Batch(l, null, e);
        }

        @Override
        public void skip() {
          pos += bs;
        }

        @Override
        public void close() {}
      };
    }
    FaceStream s = new FaceStream(files, config.shuffleBuffer(), config.seed(), epoch);
    return new Batches() {
      @Override
      public Batch next() throws IOException {
        int[] l = new int[bs];
        BufferedImage[] im = new BufferedImage[bs];
        for (int i = 0; i < bs; i++) {
          FaceStream.Sample x = s.next();
          if (x == null) {
            return null;
          }
          l[i] = x.label();
          im[i] = EmbeddingTable.decode(x.image(), "in batch");
        }
        return new Batch(l, im, null);
      }

      @Override
      public void skip() throws IOException {
        for (int i = 0; i < bs; i++) {
          s.next();
        }
      }

      @Override
      public void close() throws IOException {
        s.close();
      }
    };
  }

  // ---------------------------------------------------------------- checkpoints

  private void saveCheckpoint(long step) throws IOException {
    Path dir = output.resolve("checkpoint");
    Path tmp = output.resolve("checkpoint.tmp");
    deleteTree(tmp);
    Files.createDirectories(tmp);
    if (backbone != null) {
      try (DataOutputStream o =
          new DataOutputStream(Files.newOutputStream(tmp.resolve("backbone.params")))) {
        backbone.saveParameters(o);
      }
    }
    try (DataOutputStream o =
        new DataOutputStream(Files.newOutputStream(tmp.resolve("head.params")))) {
      head.saveParameters(o);
    }
    Files.write(tmp.resolve("momentum.ndlist"), sgd.state().encode());
    Files.writeString(tmp.resolve("state.json"), "{\"step\": " + step + "}\n");
    deleteTree(dir);
    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
  }

  private long loadCheckpoint() throws IOException {
    Path dir = output.resolve("checkpoint");
    try {
      if (backbone != null) {
        try (DataInputStream in =
            new DataInputStream(Files.newInputStream(dir.resolve("backbone.params")))) {
          backbone.loadParameters(manager, in);
        }
      }
      try (DataInputStream in =
          new DataInputStream(Files.newInputStream(dir.resolve("head.params")))) {
        head.loadParameters(manager, in);
      }
    } catch (ai.djl.MalformedModelException e) {
      throw new IOException(dir + ": checkpoint does not match this model: " + e.getMessage(), e);
    }
    sgd.restore(NDList.decode(manager, Files.readAllBytes(dir.resolve("momentum.ndlist"))));
    String s = Files.readString(dir.resolve("state.json"));
    return Long.parseLong(s.replaceAll("[^0-9]", ""));
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var s = Files.walk(p)) {
      for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }

  /** Embeddings (unit length) of images by the trained backbone, or rows of the cache. */
  public float[][] embed(BufferedImage[] imgs) {
    try (NDManager sub = manager.newSubManager()) {
      NDArray x = config.effectivePreprocessing().toTensor(sub, imgs, null);
      NDArray f = backbone.forward(new ParameterStore(sub, false), new NDList(x), false).head();
      return Embedder.splitRows(f.normalize(2, 1, 1e-12).toFloatArray(), imgs.length);
    }
  }

  /**
   * Trains the head on embeddings computed elsewhere instead of embedding the prepared faces with
   * the ONNX file (head-only configurations only; the table's size must be the {@code images} given
   * to the constructor). The trainer takes ownership of the table.
   */
  public Trainer useEmbeddings(EmbeddingTable t) {
    checkArgument(config.headOnly(), "embeddings can only be given to head-only training");
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
    this.table = t;
    return this;
  }

  EmbeddingTable table() {
    return table;
  }

  @Override
  public void close() {
    if (table != null) {
      try {
        table.close();
      } catch (IOException e) {
        // read-only file
      }
    }
    manager.close();
  }
}
