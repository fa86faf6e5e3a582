package dev.facesieve.model;

import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.image.ImageDecodeException;
import dev.facesieve.datasets.image.Images;
import dev.facesieve.datasets.parquet.ParquetFiles;
import java.awt.image.BufferedImage;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.hadoop.ParquetReader;

/**
 * Unit-length embeddings of every prepared face, computed once by a frozen embedder and kept on
 * disk ({@code float32} little-endian rows) with the labels in memory (4 bytes a face).
 *
 * <p>Head-only training reads random rows from the file, so a million 512-d embeddings (2 GB) do
 * not have to fit in the heap.
 */
public final class EmbeddingTable implements AutoCloseable {
  private final Path file;
  private final int[] labels;
  private final int dimension;
  private final FileChannel channel;

  private EmbeddingTable(Path file, int[] labels, int dimension) throws IOException {
    this.file = file;
    this.labels = labels;
    this.dimension = dimension;
    this.channel = FileChannel.open(file, StandardOpenOption.READ);
  }

  /** Embeds every face of {@code faceFiles} in file order and writes {@code out}. */
  public static EmbeddingTable build(
      Embedder embedder, List<Path> faceFiles, Path out, int batch, Progress progress)
      throws IOException {
    Files.createDirectories(out.toAbsolutePath().getParent());
    int[] labels = new int[1024];
    int n = 0;
    try (DataOutputStream w =
        new DataOutputStream(
            new java.io.BufferedOutputStream(Files.newOutputStream(out), 1 << 20))) {
      List<BufferedImage> imgs = new ArrayList<>();
      List<Integer> labs = new ArrayList<>();
      ByteBuffer row = ByteBuffer.allocate(4 * embedder.dimension()).order(ByteOrder.LITTLE_ENDIAN);
      for (Path f : faceFiles) {
        try (ParquetReader<GenericRecord> r = ParquetFiles.open(f)) {
          GenericRecord rec;
          while ((rec = r.read()) != null) {
            imgs.add(decode(FaceSchemas.bytes(rec.get("image")), rec.get("id").toString()));
            labs.add((Integer) rec.get("label"));
            if (imgs.size() == batch) {
              n = flush(embedder, imgs, labs, w, row, n, labels = grow(labels, n + batch));
              progress.update(n);
            }
          }
        }
      }
      if (!imgs.isEmpty()) {
        n = flush(embedder, imgs, labs, w, row, n, labels = grow(labels, n + imgs.size()));
        progress.update(n);
      }
    }
    return new EmbeddingTable(out, Arrays.copyOf(labels, n), embedder.dimension());
  }

  /**
   * Writes already computed unit-length embeddings (one row a face, in the order of {@code labels})
   * and opens them as a table; used when the embeddings come from elsewhere, e.g. a pre-embedded
   * collection or a benchmark's synthetic vectors.
   */
  public static EmbeddingTable write(Path out, Iterable<float[]> rows, int[] labels, int dimension)
      throws IOException {
    Files.createDirectories(out.toAbsolutePath().getParent());
    ByteBuffer row = ByteBuffer.allocate(4 * dimension).order(ByteOrder.LITTLE_ENDIAN);
    int n = 0;
    try (DataOutputStream w =
        new DataOutputStream(
            new java.io.BufferedOutputStream(Files.newOutputStream(out), 1 << 20))) {
      for (float[] v : rows) {
        if (v.length != dimension) {
          throw new IllegalArgumentException(
              "row " + n + " has " + v.length + " values, not " + dimension);
        }
        row.clear();
        for (float x : v) {
          row.putFloat(x);
        }
        w.write(row.array());
        n++;
      }
    }
    if (n != labels.length) {
      throw new IllegalArgumentException(n + " rows but " + labels.length + " labels");
    }
    return new EmbeddingTable(out, labels.clone(), dimension);
  }

  /** Opens a table file written earlier by {@link #build} or {@link #write}. */
  public static EmbeddingTable open(Path file, int[] labels, int dimension) throws IOException {
    long expected = (long) labels.length * dimension * 4;
    if (Files.size(file) != expected) {
      throw new IllegalArgumentException(
          file + ": " + Files.size(file) + " bytes, expected " + expected + " for these labels");
    }
    return new EmbeddingTable(file, labels.clone(), dimension);
  }

  /** Progress callback: images embedded so far. */
  public interface Progress {
    void update(long done);
  }

  private static int[] grow(int[] a, int need) {
    return need <= a.length ? a : Arrays.copyOf(a, Math.max(need, a.length * 2));
  }

  private static int flush(
      Embedder e,
      List<BufferedImage> imgs,
      List<Integer> labs,
      DataOutputStream w,
      ByteBuffer row,
      int n,
      int[] labels)
      throws IOException {
    float[][] v = e.embed(imgs.toArray(new BufferedImage[0]));
    for (int i = 0; i < v.length; i++) {
      row.clear();
      for (float x : v[i]) {
        row.putFloat(x);
      }
      w.write(row.array());
      labels[n++] = labs.get(i);
    }
    imgs.clear();
    labs.clear();
    return n;
  }

  static BufferedImage decode(byte[] bytes, String id) {
    try {
      return Images.decode(bytes, 1L << 26).image();
    } catch (ImageDecodeException e) {
      // prepare already decoded every image once; this means the prepared data was altered
      throw new IllegalStateException(
          "prepared image " + id + " does not decode: " + e.getMessage());
    }
  }

  public int size() {
    return labels.length;
  }

  public int dimension() {
    return dimension;
  }

  public int label(int row) {
    return labels[row];
  }

  public Path file() {
    return file;
  }

  /** Reads one row. */
  public float[] row(int i) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4 * dimension).order(ByteOrder.LITTLE_ENDIAN);
    long pos = (long) i * dimension * 4;
    while (b.hasRemaining()) {
      if (channel.read(b, pos + b.position()) < 0) {
        throw new IOException(file + ": row " + i + " is past the end");
      }
    }
    b.flip();
    float[] out = new float[dimension];
    b.asFloatBuffer().get(out);
    return out;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
