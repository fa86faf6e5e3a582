package dev.facesieve.model;

import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.image.ImageDecodeException;
import dev.facesieve.datasets.image.Images;
import dev.facesieve.datasets.parquet.ParquetFile;
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
      Embedder embedder, List<ParquetFile> faceFiles, Path out, int batch, Progress progress)
      throws IOException {
    try (Writer w = writer(out, embedder.dimension())) {
      long done = 0;
      for (ParquetFile f : faceFiles) {
        done = embedFile(embedder, f, batch, (id, label, v) -> w.add(label, v), done, progress);
      }
      return w.finish();
    }
  }

  /** Receives embedded faces, in the order of their file. */
  public interface Sink {
    void accept(String id, int label, float[] embedding) throws IOException;
  }

  /**
   * Embeds every face of one prepared file, in file order and batches of {@code batch}, into {@code
   * sink}; the one embedding loop of training's passes.
   *
   * @param before faces embedded before this file, from which {@code progress} counts on
   * @return {@code before} plus the faces of this file
   */
  public static long embedFile(
      Embedder embedder, ParquetFile faceFile, int batch, Sink sink, long before, Progress progress)
      throws IOException {
    List<BufferedImage> imgs = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    List<Integer> labs = new ArrayList<>();
    long n = before;
    try (ParquetReader<GenericRecord> r = faceFile.open()) {
      GenericRecord rec;
      while ((rec = r.read()) != null) {
        String id = rec.get("id").toString();
        imgs.add(decode(FaceSchemas.bytes(rec.get("image")), id));
        ids.add(id);
        labs.add((Integer) rec.get("label"));
        if (imgs.size() == batch) {
          n = flush(embedder, imgs, ids, labs, sink, n);
          progress.update(n);
        }
      }
    }
    if (!imgs.isEmpty()) {
      n = flush(embedder, imgs, ids, labs, sink, n);
      progress.update(n);
    }
    return n;
  }

  /** Opens a table file for writing, row by row. */
  public static Writer writer(Path out, int dimension) throws IOException {
    return new Writer(out, dimension);
  }

  /** Writes a table's rows in order; {@link #finish} opens the table. */
  public static final class Writer implements AutoCloseable {
    private final Path out;
    private final int dimension;
    private final DataOutputStream w;
    private final ByteBuffer row;
    private int[] labels = new int[1024];
    private int n;

    private Writer(Path out, int dimension) throws IOException {
      Files.createDirectories(out.toAbsolutePath().getParent());
      this.out = out;
      this.dimension = dimension;
      this.w =
          new DataOutputStream(
              new java.io.BufferedOutputStream(Files.newOutputStream(out), 1 << 20));
      this.row = ByteBuffer.allocate(4 * dimension).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Appends one unit-length row. */
    public void add(int label, float[] v) throws IOException {
      if (v.length != dimension) {
        throw new IllegalArgumentException(
            "row " + n + " has " + v.length + " values, not " + dimension);
      }
      row.clear();
      for (float x : v) {
        row.putFloat(x);
      }
      w.write(row.array());
      labels = grow(labels, n + 1);
      labels[n++] = label;
    }

    /** Closes the file and opens it as a table. */
    public EmbeddingTable finish() throws IOException {
      w.close();
      return new EmbeddingTable(out, Arrays.copyOf(labels, n), dimension);
    }

    @Override
    public void close() throws IOException {
      w.close();
    }
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

  private static long flush(
      Embedder e, List<BufferedImage> imgs, List<String> ids, List<Integer> labs, Sink sink, long n)
      throws IOException {
    float[][] v = e.embed(imgs.toArray(new BufferedImage[0]));
    for (int i = 0; i < v.length; i++) {
      sink.accept(ids.get(i), labs.get(i), v[i]);
    }
    n += v.length;
    imgs.clear();
    ids.clear();
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
