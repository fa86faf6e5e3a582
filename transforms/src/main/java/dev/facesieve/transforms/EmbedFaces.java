package dev.facesieve.transforms;

import static com.google.common.base.Preconditions.checkArgument;

import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.image.ImageDecodeException;
import dev.facesieve.datasets.image.Images;
import dev.facesieve.model.Embedder;
import dev.facesieve.model.ModelInfo;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PCollection;

/**
 * Embeds faces with a model directory's embedder (a trained backbone or a pretrained ONNX), in
 * batches. The model is loaded once per worker in {@code @Setup} and closed in {@code @Teardown}.
 */
public final class EmbedFaces
    extends PTransform<PCollection<FaceRecord>, PCollection<FaceEmbedding>> {
  /** Counter (namespace {@code EmbedFaces}) of the faces embedded so far: clean's progress. */
  public static final String FACES_EMBEDDED_COUNTER = "faces_embedded";

  private final ModelInfo model;
  private final int batchSize;
  private final int threads;

  private EmbedFaces(ModelInfo model, int batchSize, int threads) {
    this.model = model;
    this.batchSize = batchSize;
    this.threads = threads;
  }

  public static EmbedFaces with(ModelInfo model) {
    return new EmbedFaces(model, 32, 0);
  }

  public EmbedFaces withBatchSize(int n) {
    checkArgument(n > 0, "batch size must be > 0, got %s", n);
    return new EmbedFaces(model, n, threads);
  }

  /**
   * Threads each worker's ONNX session uses for one inference; 0 (the default) leaves ONNX
   * Runtime's one per core. Workers already run in parallel, so set it to cores ÷ workers per
   * machine: more threads than cores slow every worker down.
   */
  public EmbedFaces withThreads(int n) {
    checkArgument(n >= 0, "threads must be >= 0, got %s", n);
    return new EmbedFaces(model, batchSize, n);
  }

  @Override
  public PCollection<FaceEmbedding> expand(PCollection<FaceRecord> faces) {
    return faces
        .apply("Embed", ParDo.of(new EmbedFn(model, batchSize, threads)))
        .setCoder(FaceEmbedding.Coder.of());
  }

  /** Buffers a bundle's faces into batches and embeds them. */
  static final class EmbedFn extends DoFn<FaceRecord, FaceEmbedding> {
    private final ModelInfo model;
    private final int batchSize;
    private final int threads;
    private final ProgressCounter embedded =
        ProgressCounter.of(EmbedFaces.class, FACES_EMBEDDED_COUNTER);
    private transient Embedder embedder;
    private transient List<FaceRecord> pending;

    EmbedFn(ModelInfo model, int batchSize, int threads) {
      this.model = model;
      this.batchSize = batchSize;
      this.threads = threads;
    }

    @Setup
    public void setup() throws IOException {
      System.setProperty("ai.djl.offline", "true");
      embedder = model.openEmbedder(threads);
    }

    @StartBundle
    public void start() {
      pending = new ArrayList<>(batchSize);
    }

    @ProcessElement
    public void process(@Element FaceRecord f, OutputReceiver<FaceEmbedding> out) {
      pending.add(f);
      if (pending.size() >= batchSize) {
        for (FaceEmbedding e : flush()) {
          out.output(e);
        }
      }
    }

    @FinishBundle
    public void finish(FinishBundleContext c) {
      for (FaceEmbedding e : flush()) {
        c.output(e, BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE);
      }
    }

    private List<FaceEmbedding> flush() {
      if (pending.isEmpty()) {
        return List.of();
      }
      BufferedImage[] imgs = new BufferedImage[pending.size()];
      for (int i = 0; i < imgs.length; i++) {
        try {
          imgs[i] = Images.decode(pending.get(i).image(), Long.MAX_VALUE).image();
        } catch (ImageDecodeException e) {
          throw new IllegalStateException(
              "prepared face " + pending.get(i).id() + " no longer decodes: " + e.getMessage());
        }
      }
      float[][] v = embedder.embed(imgs);
      List<FaceEmbedding> out = new ArrayList<>(imgs.length);
      for (int i = 0; i < imgs.length; i++) {
        out.add(new FaceEmbedding(pending.get(i).id(), pending.get(i).label(), v[i]));
      }
      embedded.inc(imgs.length);
      pending.clear();
      return out;
    }

    @Teardown
    public void teardown() {
      if (embedder != null) {
        embedder.close();
      }
    }
  }
}
