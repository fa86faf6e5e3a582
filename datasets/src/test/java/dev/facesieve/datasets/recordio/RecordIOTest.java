package dev.facesieve.datasets.recordio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordIOTest {
  @TempDir Path dir;

  private static byte[] le(int... words) {
    ByteBuffer b = ByteBuffer.allocate(4 * words.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int w : words) {
      b.putInt(w);
    }
    return b.array();
  }

  @Test
  void framesAShortRecordAsOneChunkWithPadding() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long n = RecordIOWriter.frame(new byte[] {1, 2, 3, 4, 5}, out);
    byte[] expected = new byte[16];
    System.arraycopy(le(RecordIO.MAGIC, 5), 0, expected, 0, 8);
    System.arraycopy(new byte[] {1, 2, 3, 4, 5}, 0, expected, 8, 5);
    assertEquals(16, n);
    assertArrayEquals(expected, out.toByteArray());
  }

  @Test
  void splitsAtAlignedMagicWordsAndRejoins() throws Exception {
    byte[] magic = le(RecordIO.MAGIC);
    // payload: "ab12" MAGIC "cd34" MAGIC "e" -> chunks (1,"ab12"), (2,"cd34"), (3,"e")
    byte[] payload = new byte[17];
    System.arraycopy("ab12".getBytes(), 0, payload, 0, 4);
    System.arraycopy(magic, 0, payload, 4, 4);
    System.arraycopy("cd34".getBytes(), 0, payload, 8, 4);
    System.arraycopy(magic, 0, payload, 12, 4);
    payload[16] = 'e';
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RecordIOWriter.frame(payload, out);
    ByteBuffer b = ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(RecordIO.MAGIC, b.getInt());
    assertEquals(1 << 29 | 4, b.getInt());
    b.position(b.position() + 4);
    assertEquals(RecordIO.MAGIC, b.getInt());
    assertEquals(2 << 29 | 4, b.getInt());
    b.position(b.position() + 4);
    assertEquals(RecordIO.MAGIC, b.getInt());
    assertEquals(3 << 29 | 1, b.getInt());
    assertEquals(8 + 4 + 8 + 4 + 8 + 4, out.size());

    Path rec = dir.resolve("a.rec");
    Files.write(rec, out.toByteArray());
    try (RecordIOReader r = new RecordIOReader(rec)) {
      assertArrayEquals(payload, r.read(0));
    }
  }

  @Test
  void unalignedMagicIsNotSplit() throws Exception {
    byte[] payload = new byte[12];
    System.arraycopy(le(RecordIO.MAGIC), 0, payload, 2, 4);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RecordIOWriter.frame(payload, out);
    assertEquals(8 + 12, out.size());
  }

  @Test
  void writerAndReaderRoundTripWithIndex() throws Exception {
    Path rec = dir.resolve("t.rec");
    Path idx = dir.resolve("t.idx");
    byte[][] payloads = new byte[50][];
    try (RecordIOWriter w = new RecordIOWriter(rec, idx)) {
      for (int i = 0; i < payloads.length; i++) {
        payloads[i] = IRHeader.scalar(i % 7, i).pack(new byte[i * 3]);
        w.write(i, payloads[i]);
      }
    }
    IdxFile index = IdxFile.read(idx);
    assertEquals(50, index.size());
    try (RecordIOReader r = new RecordIOReader(rec)) {
      for (int i = 0; i < 50; i++) {
        assertEquals(i, index.key(i));
        byte[] got = r.read(index.offset(i));
        assertArrayEquals(payloads[i], got);
        IRHeader.Unpacked u = IRHeader.unpack(got);
        assertEquals(i % 7, u.header().label());
        assertEquals(i * 3, u.image().length);
      }
    }
  }

  @Test
  void headerWithLabelVector() {
    byte[] p = IRHeader.vector(new float[] {3f, 9f}, 5).pack(new byte[] {7});
    assertEquals(24 + 8 + 1, p.length);
    IRHeader.Unpacked u = IRHeader.unpack(p);
    assertEquals(2, u.header().flag());
    assertArrayEquals(new float[] {3f, 9f}, u.header().labels());
    assertArrayEquals(new byte[] {7}, u.image());
    assertThrows(IllegalArgumentException.class, () -> IRHeader.unpack(new byte[10]));
  }

  @Test
  void reportsBadMagicTruncationAndOffsetPastEnd() throws Exception {
    Path rec = dir.resolve("bad.rec");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RecordIOWriter.frame(new byte[40], out);
    byte[] good = out.toByteArray();
    byte[] file = new byte[good.length + 8 + 10];
    System.arraycopy(good, 0, file, 0, good.length);
    System.arraycopy(le(RecordIO.MAGIC, 100), 0, file, good.length, 8); // declares 100, has 10
    Files.write(rec, file);
    try (RecordIOReader r = new RecordIOReader(rec)) {
      assertEquals(40, r.read(0).length);
      assertEquals(
          RecordIOException.Kind.BAD_MAGIC,
          assertThrows(RecordIOException.class, () -> r.read(4)).kind());
      assertEquals(
          RecordIOException.Kind.TRUNCATED,
          assertThrows(RecordIOException.class, () -> r.read(good.length)).kind());
      assertEquals(
          RecordIOException.Kind.OFFSET_PAST_EOF,
          assertThrows(RecordIOException.class, () -> r.read(file.length + 5)).kind());
    }
  }

  /** A reader of {@code rec} that adds every byte it reads to {@code read}. */
  private static RecordIOReader counting(Path rec, AtomicLong read) throws Exception {
    FileChannel channel = FileChannel.open(rec);
    return new RecordIOReader(
        new RecordIOReader.Source() {
          @Override
          public int read(ByteBuffer buf, long pos) throws java.io.IOException {
            int n = channel.read(buf, pos);
            read.addAndGet(Math.max(n, 0));
            return n;
          }

          @Override
          public void close() throws java.io.IOException {
            channel.close();
          }
        },
        channel.size());
  }

  /**
   * Issue 29: a record whose chunk headers declare more than the limit, in one chunk or summed over
   * four, is refused from the headers: its payload is never read, and the next record is.
   */
  @Test
  void aLimitAppliesFromTheChunkHeadersBeforeAnyPayloadIsRead() throws Exception {
    int part = RecordIO.MAX_LENGTH;
    byte[] small = IRHeader.scalar(1, 1).pack(new byte[] {1, 2, 3, 4, 5, 6, 7});
    Path rec = dir.resolve("sparse.rec");
    long[] at = new long[5];
    try (SparseRec w = new SparseRec(rec, dir.resolve("sparse.idx"))) {
      at[0] = w.add(1, small);
      at[1] = w.addHollow(2, part, part, part, part);
      at[2] = w.add(3, small);
      at[3] = w.addHollow(4, part);
      at[4] = w.add(5, small);
    }
    AtomicLong read = new AtomicLong();
    try (RecordIOReader r = counting(rec, read)) {
      for (long limit : new long[] {1000, part, 3L * part, RecordIOReader.MAX_RECORD_BYTES}) {
        RecordIOException e =
            assertThrows(RecordIOException.class, () -> r.read(at[1], limit), "" + limit);
        assertEquals(RecordIOException.Kind.TOO_LARGE, e.kind());
        assertEquals(SparseRec.assembledLength(part, part, part, part), e.declaredLength());
      }
      assertEquals(4 * 4 * 8, read.get(), "only the four chunk headers are read, each time");
      assertEquals(
          RecordIOException.Kind.TOO_LARGE,
          assertThrows(RecordIOException.class, () -> r.read(at[1])).kind(),
          "no limit: still no larger than the largest array");
      RecordIOException single =
          assertThrows(RecordIOException.class, () -> r.read(at[3], 1 << 20));
      assertEquals(part, single.declaredLength());
      assertTrue(read.get() < 1024, read.get() + " bytes read");
      for (int i : new int[] {0, 2, 4}) {
        assertArrayEquals(small, r.read(at[i], small.length));
      }
    }
  }

  /** A split record is read to the byte at its exact length and refused one byte under it. */
  @Test
  void aSplitRecordWithinTheLimitReadsAsBefore() throws Exception {
    byte[] magic = le(RecordIO.MAGIC);
    byte[] payload = new byte[4 + 4 + 8 + 4 + 3];
    System.arraycopy(magic, 0, payload, 4, 4);
    System.arraycopy(magic, 0, payload, 16, 4);
    payload[0] = 9;
    payload[payload.length - 1] = 7;
    Path rec = dir.resolve("split.rec");
    try (RecordIOWriter w = new RecordIOWriter(rec, dir.resolve("split.idx"))) {
      w.write(0, payload);
      w.write(1, payload);
    }
    long second = IdxFile.read(dir.resolve("split.idx")).offset(1);
    try (RecordIOReader r = new RecordIOReader(rec)) {
      assertArrayEquals(payload, r.read(0, payload.length));
      assertArrayEquals(payload, r.read(second));
      RecordIOException e =
          assertThrows(RecordIOException.class, () -> r.read(0, payload.length - 1));
      assertEquals(RecordIOException.Kind.TOO_LARGE, e.kind());
      assertEquals(payload.length, e.declaredLength());
    }
  }
}
