package dev.facesieve.datasets.recordio;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a {@code .rec} file and its {@code .idx} in which large records are chunk headers over
 * holes: a record of 2 GB takes a few bytes of disk on a file system with sparse files.
 */
public final class SparseRec implements Closeable {
  private final RandomAccessFile rec;
  private final Path idx;
  private final List<String> idxLines = new ArrayList<>();
  private long position;

  /** Creates (truncating) {@code recPath}; {@code idxPath} is written on {@link #close}. */
  public SparseRec(Path recPath, Path idxPath) throws IOException {
    this.rec = new RandomAccessFile(recPath.toFile(), "rw");
    this.rec.setLength(0);
    this.idx = idxPath;
  }

  /**
   * Appends a record holding {@code payload}, framed as dmlc-core frames it; returns its offset.
   */
  public long add(long key, byte[] payload) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RecordIOWriter.frame(payload, out);
    long offset = start(key);
    rec.seek(offset);
    rec.write(out.toByteArray());
    position += out.size();
    return offset;
  }

  /**
   * Appends a record of chunks of these lengths whose payloads are left holes (zeros when read);
   * returns its offset. The record reads back as {@link #assembledLength} bytes.
   */
  public long addHollow(long key, int... chunkLengths) throws IOException {
    long offset = start(key);
    int n = chunkLengths.length;
    for (int i = 0; i < n; i++) {
      int cflag = n == 1 ? 0 : i == 0 ? 1 : i == n - 1 ? 3 : 2;
      ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      head.putInt(RecordIO.MAGIC).putInt(RecordIO.encodeLrec(cflag, chunkLengths[i]));
      rec.seek(position);
      rec.write(head.array());
      position += 8L + RecordIO.pad4(chunkLengths[i]);
    }
    return offset;
  }

  /** Bytes a record of chunks of these lengths has once rejoined: the magic word between each. */
  public static long assembledLength(int... chunkLengths) {
    long n = 4L * (chunkLengths.length - 1);
    for (int len : chunkLengths) {
      n += len;
    }
    return n;
  }

  private long start(long key) {
    idxLines.add(key + "\t" + position);
    return position;
  }

  @Override
  public void close() throws IOException {
    try (rec) {
      rec.setLength(position);
    }
    Files.write(idx, idxLines);
  }
}
