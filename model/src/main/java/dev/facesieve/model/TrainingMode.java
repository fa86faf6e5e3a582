package dev.facesieve.model;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.Pair;
import dev.facesieve.datasets.io.HadoopFiles;
import dev.facesieve.datasets.parquet.ParquetFile;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a run trains besides the head and what its batches are made of: a backbone on decoded faces
 * ({@link WithBackbone}), or nothing on embeddings of a frozen ONNX embedder ({@link HeadOnly}).
 */
sealed interface TrainingMode extends AutoCloseable
    permits TrainingMode.WithBackbone, TrainingMode.HeadOnly {
  /**
   * The mode a configuration asks for.
   *
   * @param prepared the {@code prepare} output: a local path or a URI; null when the caller gives
   *     the embeddings
   */
  static TrainingMode of(
      TrainConfig config,
      String prepared,
      Path output,
      int classes,
      long images,
      NDManager manager) {
    if (config.backbone() instanceof BackboneSpec.Trained t) {
      return new WithBackbone(config, t, prepared, manager);
    }
    return new HeadOnly(
        config, (BackboneSpec.FrozenOnnx) config.backbone(), prepared, output, classes, images);
  }

  /** Parameters the optimiser updates besides the head's. */
  List<Parameter> parameters();

  /** Fails when there is nothing to train on; runs before a checkpoint is loaded. */
  void checkInput() throws IOException;

  /**
   * Readies the batches before the first step of this process.
   *
   * @param fresh true unless resumed from a checkpoint
   */
  void prepare(Trainer.Listener listener, boolean fresh, SubCenterArcFace head) throws IOException;

  /** The batches of an epoch. */
  BatchSource batches(int epoch);

  /** The features the head sees for a batch's input, recorded for gradients. */
  NDArray features(ParameterStore ps, NDArray input);

  /** Writes this mode's own parameters ({@code backbone.params}) into {@code dir}. */
  void saveParameters(Path dir) throws IOException;

  /** Reads what {@link #saveParameters} wrote. */
  void loadParameters(Path dir, NDManager manager) throws IOException, MalformedModelException;

  @Override
  void close();

  /** A backbone trained with the head on prepared faces. */
  final class WithBackbone implements TrainingMode {
    private final TrainConfig config;
    private final String prepared;
    private final Block backbone;
    private List<ParquetFile> files;

    WithBackbone(
        TrainConfig config, BackboneSpec.Trained spec, String prepared, NDManager manager) {
      this.config = config;
      this.prepared = prepared;
      this.backbone = Backbones.create(spec.name(), config.embeddingSize());
      backbone.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
      Engine.getInstance().setRandomSeed((int) config.seed());
      backbone.initialize(manager, DataType.FLOAT32, new Shape(2, 3, 112, 112));
    }

    @Override
    public List<Parameter> parameters() {
      List<Parameter> params = new ArrayList<>();
      for (Pair<String, Parameter> p : backbone.getParameters()) {
        params.add(p.getValue());
      }
      return params;
    }

    @Override
    public void checkInput() throws IOException {
      files = preparedFaces(prepared);
    }

    @Override
    public void prepare(Trainer.Listener listener, boolean fresh, SubCenterArcFace head) {}

    @Override
    public BatchSource batches(int epoch) {
      return new BatchSource.DecodedImages(files, config, epoch);
    }

    @Override
    public NDArray features(ParameterStore ps, NDArray input) {
      return backbone.forward(ps, new NDList(input), true).head();
    }

    @Override
    public void saveParameters(Path dir) throws IOException {
      try (DataOutputStream o =
          new DataOutputStream(Files.newOutputStream(dir.resolve("backbone.params")))) {
        backbone.saveParameters(o);
      }
    }

    @Override
    public void loadParameters(Path dir, NDManager manager)
        throws IOException, MalformedModelException {
      try (DataInputStream in =
          new DataInputStream(Files.newInputStream(dir.resolve("backbone.params")))) {
        backbone.loadParameters(manager, in);
      }
    }

    @Override
    public void close() {}
  }

  /**
   * The head alone on embeddings of a frozen ONNX embedder, computed once into {@code
   * <output>/embeddings.f32} (or given by the caller).
   *
   * <p>A fresh run seeds each class's K sub-centres by spherical k-means over its own embeddings;
   * randomly initialised sub-centres collapse on frozen features (one wins every sample).
   */
  final class HeadOnly implements TrainingMode {
    private final TrainConfig config;
    private final BackboneSpec.FrozenOnnx spec;
    private final String prepared;
    private final Path output;
    private final int classes;
    private final long images;
    private List<ParquetFile> files;
    private EmbeddingTable table;

    HeadOnly(
        TrainConfig config,
        BackboneSpec.FrozenOnnx spec,
        String prepared,
        Path output,
        int classes,
        long images) {
      this.config = config;
      this.spec = spec;
      this.prepared = prepared;
      this.output = output;
      this.classes = classes;
      this.images = images;
    }

    /** Trains on these embeddings instead of embedding the prepared faces; takes ownership. */
    void use(EmbeddingTable t) {
      this.table = t;
    }

    @Override
    public List<Parameter> parameters() {
      return List.of();
    }

    @Override
    public void checkInput() throws IOException {
      if (table == null) {
        files = preparedFaces(prepared);
      }
    }

    @Override
    public void prepare(Trainer.Listener listener, boolean fresh, SubCenterArcFace head)
        throws IOException {
      if (table == null) {
        embed(listener);
      }
      if (fresh) {
        seedSubCentres(head);
      }
    }

    private void embed(Trainer.Listener listener) throws IOException {
      Path onnx = spec.file();
      try (OnnxEmbedder e = OnnxEmbedder.load(onnx, config.effectivePreprocessing(), true)) {
        if (e.dimension() != config.embeddingSize()) {
          throw new IllegalArgumentException(
              onnx
                  + ": embeds to "
                  + e.dimension()
                  + " dimensions, not --embedding-size "
                  + config.embeddingSize());
        }
        listener.onMessage("embedding " + images + " faces with " + onnx);
        table =
            EmbeddingTable.build(
                e,
                files,
                output.resolve("embeddings.f32"),
                32,
                done -> listener.onEmbedded(done, images));
      }
    }

    /** Spherical k-means per class over its embeddings. */
    private void seedSubCentres(SubCenterArcFace head) throws IOException {
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

    @Override
    public BatchSource batches(int epoch) {
      return new BatchSource.CachedEmbeddings(table, config, epoch);
    }

    @Override
    public NDArray features(ParameterStore ps, NDArray input) {
      return input;
    }

    @Override
    public void saveParameters(Path dir) {}

    @Override
    public void loadParameters(Path dir, NDManager manager) {}

    @Override
    public void close() {
      if (table != null) {
        try {
          table.close();
        } catch (IOException e) {
          // read-only file
        }
      }
    }
  }

  /**
   * The prepared face files of a {@code prepare} output named by a local path or a URI, streamed
   * from where they lie (a remote file is read in the driver, never copied whole).
   */
  private static List<ParquetFile> preparedFaces(String prepared) throws IOException {
    String faces =
        HadoopFiles.isRemote(prepared)
            ? prepared.replaceAll("/+$", "") + "/faces"
            : Path.of(prepared).resolve("faces").toString();
    List<ParquetFile> files = ParquetFile.list(faces);
    if (files.isEmpty()) {
      throw new IllegalArgumentException(faces + ": no prepared faces");
    }
    return files;
  }
}
