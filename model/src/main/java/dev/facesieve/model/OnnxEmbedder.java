package dev.facesieve.model;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A pretrained face-embedding network in ONNX, run with ONNX Runtime through DJL, used as a frozen
 * backbone.
 *
 * <p>Many exports fix the batch dimension at 1 (the shared MobileFaceNet does): with {@code
 * fixedBatchOne} every image is run on its own and the outputs stacked.
 */
public final class OnnxEmbedder implements Embedder {
  private final Model model;
  private final Predictor<NDList, NDList> predictor;
  private final Preprocessing pre;
  private final boolean fixedBatchOne;
  private final int dimension;

  private OnnxEmbedder(Model model, Preprocessing pre, boolean fixedBatchOne, int dimension) {
    this.model = model;
    this.predictor = model.newPredictor(new NoopTranslator());
    this.pre = pre;
    this.fixedBatchOne = fixedBatchOne;
    this.dimension = dimension;
  }

  /**
   * Loads an ONNX file; ONNX Runtime runs it on one thread per core.
   *
   * @throws IllegalArgumentException if the file is missing or not a loadable model
   */
  public static OnnxEmbedder load(Path file, Preprocessing pre, boolean fixedBatchOne) {
    return load(file, pre, fixedBatchOne, 0);
  }

  /**
   * Loads an ONNX file whose session runs each inference on {@code threads} threads (0: ONNX
   * Runtime's default, one per core).
   *
   * <p>A pipeline runs one embedder per worker thread. With the default, two workers on two cores
   * run four busy threads and embed at 0.6 of one session's rate; one thread each gives 1.2 ({@code
   * docs/benchmarks.md}).
   *
   * @throws IllegalArgumentException if the file is missing or not a loadable model
   */
  public static OnnxEmbedder load(
      Path file, Preprocessing pre, boolean fixedBatchOne, int threads) {
    checkArgument(threads >= 0, "threads must be >= 0, got %s", threads);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(file + ": ONNX model not found");
    }
    Model m = Model.newInstance("embedder", "OnnxRuntime");
    try {
      Map<String, String> options =
          threads == 0
              ? Map.of()
              : Map.of("intraOpNumThreads", Integer.toString(threads), "interOpNumThreads", "1");
      m.load(file.toAbsolutePath().getParent(), file.getFileName().toString(), options);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      m.close();
      throw new IllegalArgumentException(file + ": cannot load ONNX model: " + e.getMessage(), e);
    }
    OnnxEmbedder probe = new OnnxEmbedder(m, pre, fixedBatchOne, -1);
    int d;
    try (NDManager nd = NDManager.newBaseManager()) {
      BufferedImage blank = new BufferedImage(pre.size(), pre.size(), BufferedImage.TYPE_INT_RGB);
      d = probe.raw(nd, new BufferedImage[] {blank})[0].length;
    }
    probe.predictor.close();
    return new OnnxEmbedder(m, pre, fixedBatchOne, d);
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public Preprocessing preprocessing() {
    return pre;
  }

  @Override
  public float[][] embed(BufferedImage[] images) {
    try (NDManager nd = NDManager.newBaseManager()) {
      return Embedder.normalizeRows(raw(nd, images));
    }
  }

  private float[][] raw(NDManager nd, BufferedImage[] images) {
    float[][] out = new float[images.length][];
    try {
      if (fixedBatchOne) {
        for (int i = 0; i < images.length; i++) {
          NDArray x = pre.toTensor(nd, new BufferedImage[] {images[i]}, null);
          out[i] = predictor.predict(new NDList(x)).head().toFloatArray();
        }
      } else {
        NDArray x = pre.toTensor(nd, images, null);
        NDArray y = predictor.predict(new NDList(x)).head();
        out = Embedder.splitRows(y.toFloatArray(), images.length);
      }
    } catch (TranslateException e) {
      throw new IllegalStateException("ONNX inference failed: " + e.getMessage(), e);
    }
    return out;
  }

  @Override
  public void close() {
    predictor.close();
    model.close();
  }
}
