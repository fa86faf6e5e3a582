package dev.facesieve.datasets.recordio;

import dev.facesieve.datasets.io.HadoopFiles;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;

/**
 * Random-access reader of a dmlc-core RecordIO file: reads the record that starts at an offset and
 * rejoins split records (see {@link RecordIO}).
 *
 * <p>A record's chunk headers are all read before its payload, so a length limit applies before
 * anything is allocated: each header may declare up to 512 MB, and a record may have any number of
 * chunks.
 *
 * <p>Failures are reported as {@link RecordIOException} with a {@link RecordIOException.Kind} so
 * that callers can quarantine the record with a precise reason instead of failing the run.
 */
public final class RecordIOReader implements Closeable {
  /** The longest record a reader returns: the largest array Java allocates. */
  public static final long MAX_RECORD_BYTES = Integer.MAX_VALUE - 8;

  private final Source source;
  private final long size;
  private final ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

  /** Where the bytes come from: positioned reads that do not move a shared position. */
  interface Source extends Closeable {
    /** Reads into {@code buf} from {@code pos}; -1 at the end. */
    int read(ByteBuffer buf, long pos) throws IOException;
  }

  /** Reads {@code size} bytes through {@code source}: for tests that watch what is read. */
  RecordIOReader(Source source, long size) {
    this.source = source;
    this.size = size;
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
   *     continuation chunk is out of order, the file ends inside the record, or the record is
   *     longer than the largest array ({@link RecordIOException.Kind#TOO_LARGE})
   */
  public byte[] read(long offset) throws IOException {
    return read(offset, MAX_RECORD_BYTES);
  }

  /**
   * Reads the whole record whose first chunk starts at {@code offset}, unless its chunk headers
   * declare more than {@code maxLength} bytes.
   *
   * <p>The chunk headers are read first, skipping the payloads between them; only a record whose
   * declared length is within the limit is allocated and read, so a record of gigabytes costs a few
   * header reads.
   *
   * @throws RecordIOException if the offset is past the end, a chunk lacks the magic word, a
   *     continuation chunk is out of order or the file ends inside the record; of kind {@link
   *     RecordIOException.Kind#TOO_LARGE}, with the declared length, if the record is longer than
   *     {@code maxLength} or than the largest array
   */
  public byte[] read(long offset, long maxLength) throws IOException {
    long limit = Math.min(maxLength, MAX_RECORD_BYTES);
    Chunks chunks = chunks(offset, limit);
    if (chunks.length() > limit) {
      throw new RecordIOException(
          RecordIOException.Kind.TOO_LARGE,
          "record at offset "
              + offset
              + " declares "
              + chunks.length()
              + " bytes in "
              + chunks.count()
              + " chunk(s), more than "
              + limit,
          chunks.length());
    }
    byte[] out = new byte[(int) chunks.length()];
    long pos = offset;
    int at = 0;
    for (int i = 0; i < chunks.count(); i++) {
      if (i > 0) {
        // the writer dropped the magic word where it split the record: put it back
        ByteBuffer.wrap(out, at, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(RecordIO.MAGIC);
        at += 4;
      }
      int len = chunks.lengths()[i];
      if (readFully(ByteBuffer.wrap(out, at, len), pos + 8) < len) {
        throw new RecordIOException(
            RecordIOException.Kind.TRUNCATED,
            "file ends inside the record at offset " + offset + " while it was read");
      }
      at += len;
      pos += 8 + RecordIO.pad4(len);
    }
    return out;
  }

  /**
   * The chunks of a record, found from their headers alone.
   *
   * @param lengths the payload length of each chunk, in order; filled only while the record is
   *     within the limit it was walked with
   * @param length the length of the rejoined record: the payloads and a magic word between each two
   */
  private record Chunks(int[] lengths, int count, long length) {}

  /**
   * Walks the chunk headers of the record at {@code offset}, seeking past the payloads, and checks
   * the framing. Lengths stop being kept once the record is longer than {@code limit}.
   */
  private Chunks chunks(long offset, long limit) throws IOException {
    if (offset < 0 || offset >= size) {
      throw new RecordIOException(
          RecordIOException.Kind.OFFSET_PAST_EOF,
          "offset " + offset + " is past the end of the file (" + size + " bytes)");
    }
    int[] lengths = new int[1];
    int count = 0;
    long length = -4;
    long pos = offset;
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
      if (pos == offset ? (cflag != 0 && cflag != 1) : (cflag != 2 && cflag != 3)) {
        throw new RecordIOException(
            RecordIOException.Kind.BAD_MAGIC,
            "unexpected chunk flag " + cflag + " at offset " + pos);
      }
      if (pos + 8 + len > size) {
        throw new RecordIOException(
            RecordIOException.Kind.TRUNCATED,
            "record at offset " + offset + " declares " + len + " bytes but the file ends first");
      }
      length += 4 + len;
      if (length <= limit) {
        if (count == lengths.length) {
          lengths = Arrays.copyOf(lengths, count * 2);
        }
        lengths[count] = len;
      }
      count++;
      pos += 8 + RecordIO.pad4(len);
      if (cflag == 0 || cflag == 3) {
        return new Chunks(lengths, count, length);
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
