package dev.facesieve.datasets.recordio;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes an MXNet IndexedRecordIO pair ({@code .rec} + {@code .idx}) byte for byte as dmlc-core's
 * {@code RecordIOWriter::WriteRecord} and {@code MXIndexedRecordIO.write_idx} do.
 *
 * <p>The {@code .idx} file has one {@code key\toffset} line per record, in write order.
 */
public final class RecordIOWriter implements Closeable {
  private final OutputStream rec;
  private final BufferedWriter idx;
  private long position;

  /** Opens (truncating) {@code recPath} and {@code idxPath}. */
  public RecordIOWriter(Path recPath, Path idxPath) throws IOException {
    this.rec = new BufferedOutputStream(Files.newOutputStream(recPath), 1 << 20);
    this.idx = Files.newBufferedWriter(idxPath, StandardCharsets.UTF_8);
  }

  /** Appends one record under {@code key}. */
  public void write(long key, byte[] payload) throws IOException {
    idx.write(key + "\t" + position + "\n");
    position += frame(payload, rec);
  }

  /**
   * Frames one record exactly as dmlc-core does and writes it to {@code out}.
   *
   * @return the number of bytes written
   */
  public static long frame(byte[] payload, OutputStream out) throws IOException {
    checkArgument(payload.length <= RecordIO.MAX_LENGTH, "record too large: %s", payload.length);
    int len = payload.length;
    int lowerAlign = (len >> 2) << 2;
    int dptr = 0;
    long written = 0;
    for (int i = 0; i < lowerAlign; i += 4) {
      if (intAt(payload, i) == RecordIO.MAGIC) {
        written += chunk(out, dptr == 0 ? 1 : 2, payload, dptr, i - dptr);
        dptr = i + 4;
      }
    }
    written += chunk(out, dptr != 0 ? 3 : 0, payload, dptr, len - dptr);
    return written;
  }

  private static long chunk(OutputStream out, int cflag, byte[] b, int from, int n)
      throws IOException {
    ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    head.putInt(RecordIO.MAGIC).putInt(RecordIO.encodeLrec(cflag, n));
    out.write(head.array());
    out.write(b, from, n);
    int pad = RecordIO.pad4(n) - n;
    out.write(new byte[pad]);
    return 8L + n + pad;
  }

  static int intAt(byte[] b, int i) {
    return (b[i] & 0xff)
        | (b[i + 1] & 0xff) << 8
        | (b[i + 2] & 0xff) << 16
        | (b[i + 3] & 0xff) << 24;
  }

  /** Bytes written to the {@code .rec} file so far. */
  public long position() {
    return position;
  }

  @Override
  public void close() throws IOException {
    try (rec;
        idx) {
      rec.flush();
      idx.flush();
    }
  }
}
