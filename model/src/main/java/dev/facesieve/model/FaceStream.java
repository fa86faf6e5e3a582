package dev.facesieve.model;

import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.parquet.ParquetFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.hadoop.ParquetReader;

/**
 * One epoch's stream of (label, image bytes) from prepared Parquet files (local or by URI),
 * shuffled with a seed and never held in memory whole.
 *
 * <p>The file order is shuffled, then records pass through a shuffle buffer of fixed size from
 * which each draw takes a uniformly random element: a pure function of {@code (seed, epoch)}, so a
 * resumed run replays exactly the same order.
 */
final class FaceStream implements AutoCloseable {
  /** One training sample. */
  record Sample(int label, byte[] image) {}

  private final List<ParquetFile> files;
  private final SplittableRandom random;
  private final List<Sample> buffer = new ArrayList<>();
  private final int capacity;
  private int fileIndex;
  private ParquetReader<GenericRecord> reader;

  FaceStream(List<ParquetFile> files, int bufferSize, long seed, int epoch) {
    this.random = new SplittableRandom(mix(seed, epoch));
    List<ParquetFile> order = new ArrayList<>(files);
    for (int i = order.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      ParquetFile t = order.get(i);
      order.set(i, order.get(j));
      order.set(j, t);
    }
    this.files = order;
    this.capacity = bufferSize;
  }

  static long mix(long a, long b) {
    long z = a * 0x9E3779B97F4A7C15L + b + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private GenericRecord nextRecord() throws IOException {
    while (true) {
      if (reader == null) {
        if (fileIndex >= files.size()) {
          return null;
        }
        reader = files.get(fileIndex++).open();
      }
      GenericRecord r = reader.read();
      if (r != null) {
        return r;
      }
      reader.close();
      reader = null;
    }
  }

  /** The next sample, or null at the end of the epoch. */
  Sample next() throws IOException {
    while (buffer.size() < capacity) {
      GenericRecord r = nextRecord();
      if (r == null) {
        break;
      }
      buffer.add(new Sample((Integer) r.get("label"), FaceSchemas.bytes(r.get("image"))));
    }
    if (buffer.isEmpty()) {
      return null;
    }
    int i = random.nextInt(buffer.size());
    Sample s = buffer.get(i);
    buffer.set(i, buffer.get(buffer.size() - 1));
    buffer.remove(buffer.size() - 1);
    return s;
  }

  @Override
  public void close() throws IOException {
    if (reader != null) {
      reader.close();
    }
  }
}
