package dev.facesieve.datasets.recordio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
