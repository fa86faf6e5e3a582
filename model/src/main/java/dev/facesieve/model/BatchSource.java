package dev.facesieve.model;

import dev.facesieve.datasets.parquet.ParquetFile;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One epoch's training batches, in an order that is a pure function of the seed and the epoch (a
 * resumed run skips to where it stopped and sees the same batches).
 */
interface BatchSource extends AutoCloseable {
  /** The next full batch, or null when the epoch has none left. */
  Batch next() throws IOException;

  /** Passes over one batch. */
  void skip() throws IOException;

  @Override
  void close() throws IOException;

  /** Prepared faces streamed from Parquet through a shuffle buffer and decoded. */
  final class DecodedImages implements BatchSource {
    private final FaceStream stream;
    private final int batchSize;
    private final Preprocessing preprocessing;

    DecodedImages(List<ParquetFile> files, TrainConfig config, int epoch) {
      this.stream = new FaceStream(files, config.shuffleBuffer(), config.seed(), epoch);
      this.batchSize = config.batchSize();
      this.preprocessing = config.effectivePreprocessing();
    }

    @Override
    public Batch next() throws IOException {
      int[] l = new int[batchSize];
      BufferedImage[] im = new BufferedImage[batchSize];
      for (int i = 0; i < batchSize; i++) {
        FaceStream.Sample x = stream.next();
        if (x == null) {
          return null;
        }
        l[i] = x.label();
        im[i] = EmbeddingTable.decode(x.image(), "in batch");
      }
      return new Batch.Images(l, im, preprocessing);
    }

    @Override
    public void skip() throws IOException {
      for (int i = 0; i < batchSize; i++) {
        stream.next();
      }
    }

    @Override
    public void close() throws IOException {
      stream.close();
    }
  }

  /** Rows of an embedding table in a per-epoch Fisher–Yates permutation. */
  final class CachedEmbeddings implements BatchSource {
    private final EmbeddingTable table;
    private final int batchSize;
    private final int[] order;
    private int pos;

    CachedEmbeddings(EmbeddingTable table, TrainConfig config, int epoch) {
      this.table = table;
      this.batchSize = config.batchSize();
      this.order = new int[table.size()];
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
    }

    @Override
    public Batch next() throws IOException {
      if (pos + batchSize > order.length) {
        return null;
      }
      int[] l = new int[batchSize];
      float[][] e = new float[batchSize][];
      for (int i = 0; i < batchSize; i++) {
        l[i] = table.label(order[pos + i]);
        e[i] = table.row(order[pos + i]);
      }
      pos += batchSize;
      return new Batch.Embeddings(l, e);
    }

    @Override
    public void skip() {
      pos += batchSize;
    }

    @Override
    public void close() {}
  }
}
