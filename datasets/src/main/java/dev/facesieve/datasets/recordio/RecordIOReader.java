package dev.facesieve.datasets.recordio;

import dev.facesieve.datasets.io.HadoopFiles;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;

/**
 * Random-access reader of a dmlc-core RecordIO file: reads the record that starts at an offset and
 * rejoins split records (see {@link RecordIO}).
 *
 * <p>Failures are reported as {@link RecordIOException} with a {@link RecordIOException.Kind} so
 * that callers can quarantine the record with a precise reason instead of failing the run.
 */
public final class RecordIOReader implements Closeable {
  private final Source source;
  private final long size;
  private final ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

  /** Where the bytes come from: positioned reads that do not move a shared position. */
  private interface Source extends Closeable {
    /** Reads into {@code buf} from {@code pos}; -1 at the end. */
    int read(ByteBuffer buf, long pos) throws IOException;
  }

  /** Opens the {@code .rec} file for reading. */
  public RecordIOReader(Path rec) throws IOException {
    FileChannel channel = FileChannel.open(rec, StandardOpenOption.READ);
    this.source =
        new Source() {
          @Override
          public int read(ByteBuffer buf, long pos) throws IOException {
            return channel.read(buf, pos);
          }

          @Override
          public void close() throws IOException {
            channel.close();
          }
        };
    this.size = channel.size();
  }

  /**
   * Opens a {@code .rec} file on a Hadoop file system ({@code hdfs://…}) for reading, through the
   * stream's positioned reads.
   */
  public RecordIOReader(URI rec) throws IOException {
    FileSystem fs = HadoopFiles.fileSystem(rec);
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(rec);
    this.size = fs.getFileStatus(p).getLen();
    FSDataInputStream in = fs.open(p);
    this.source =
        new Source() {
          @Override
          public int read(ByteBuffer buf, long pos) throws IOException {
            int n = in.read(pos, buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
            if (n > 0) {
              buf.position(buf.position() + n);
            }
            return n;
          }

          @Override
          public void close() throws IOException {
            in.close();
          }
        };
  }

  /**
   * Opens a {@code .rec} file named by a local path, a {@code file:} URI or, elsewhere, a URI read
   * through Hadoop's file systems.
   */
  public static RecordIOReader open(String rec) throws IOException {
    if (HadoopFiles.isRemote(rec)) {
      return new RecordIOReader(URI.create(rec));
    }
    return new RecordIOReader(rec.startsWith("file:") ? Path.of(URI.create(rec)) : Path.of(rec));
  }

  /** Size of the file in bytes. */
  public long size() {
    return size;
  }

  /**
   * Reads the whole record whose first chunk starts at {@code offset}.
   *
   * @throws RecordIOException if the offset is past the end, a chunk lacks the magic word, a
   *     continuation chunk is out of order, or the file ends inside the record
   */
  public byte[] read(long offset) throws IOException {
    if (offset < 0 || offset >= size) {
      throw new RecordIOException(
          RecordIOException.Kind.OFFSET_PAST_EOF,
          "offset " + offset + " is past the end of the file (" + size + " bytes)");
    }
    ByteArrayOutputStream out = null;
    long pos = offset;
    boolean first = true;
    while (true) {
      head.clear();
      if (readFully(head, pos) < 8) {
        throw new RecordIOException(
            RecordIOException.Kind.TRUNCATED, "file ends inside the chunk header at " + pos);
      }
      head.flip();
      int magic = head.getInt();
      int lrec = head.getInt();
      if (magic != RecordIO.MAGIC) {
        throw new RecordIOException(
            RecordIOException.Kind.BAD_MAGIC,
            String.format("no magic word at offset %d (found 0x%08X)", pos, magic));
      }
      int cflag = RecordIO.cflag(lrec);
      int len = RecordIO.length(lrec);
      if (first ? (cflag != 0 && cflag != 1) : (cflag != 2 && cflag != 3)) {
        throw new RecordIOException(
            RecordIOException.Kind.BAD_MAGIC,
            "unexpected chunk flag " + cflag + " at offset " + pos);
      }
      if (pos + 8 + len > size) {
        throw new RecordIOException(
            RecordIOException.Kind.TRUNCATED,
            "record at offset " + offset + " declares " + len + " bytes but the file ends first");
      }
      ByteBuffer body = ByteBuffer.allocate(len);
      readFully(body, pos + 8);
      pos += 8 + RecordIO.pad4(len);
      if (first && cflag == 0) {
        return body.array();
      }
      if (out == null) {
        out = new ByteArrayOutputStream(len * 2 + 8);
      } else {
        out.write(RecordIO.MAGIC & 0xff);
        out.write((RecordIO.MAGIC >>> 8) & 0xff);
        out.write((RecordIO.MAGIC >>> 16) & 0xff);
        out.write((RecordIO.MAGIC >>> 24) & 0xff);
      }
      out.write(body.array(), 0, len);
      first = false;
      if (cflag == 3) {
        return out.toByteArray();
      }
    }
  }

  private int readFully(ByteBuffer buf, long pos) throws IOException {
    int total = 0;
    while (buf.hasRemaining()) {
      int n = source.read(buf, pos + total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }

  @Override
  public void close() throws IOException {
    source.close();
  }
}
