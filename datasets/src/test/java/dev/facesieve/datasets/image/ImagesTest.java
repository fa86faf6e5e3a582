package dev.facesieve.datasets.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.TestImages;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

class ImagesTest {
  @Test
  void decodesEachFormatWithItsSize() throws Exception {
    assertEquals(ImageFormat.JPEG, Images.decode(TestImages.jpeg(3), 1 << 20).format());
    Images.Decoded png = Images.decode(TestImages.png(30, 20), 1 << 20);
    assertEquals(ImageFormat.PNG, png.format());
    assertEquals(30, png.width());
    assertEquals(20, png.height());
    byte[] pgm = Pgm.encode(TestImages.square(92, 112, 100));
    Images.Decoded g = Images.decode(pgm, 1 << 20);
    assertEquals(ImageFormat.PGM, g.format());
    assertEquals(92, g.width());
    byte[] ascii = "P2\n# c\n2 2\n15\n0 15\n15 0\n".getBytes(StandardCharsets.US_ASCII);
    Images.Decoded a = Images.decode(ascii, 100);
    assertEquals(255, a.image().getRaster().getSample(1, 0, 0));
  }

  @Test
  void rejectsEmptyGarbageAndTruncatedPgm() {
    assertFalse(
        assertThrows(ImageDecodeException.class, () -> Images.decode(new byte[0], 9)).tooLarge());
    assertThrows(ImageDecodeException.class, () -> Images.decode(new byte[] {1, 2, 3, 4}, 9));
    byte[] pgm = Pgm.encode(TestImages.square(10, 10, 1));
    assertThrows(
        ImageDecodeException.class,
        () -> Images.decode(java.util.Arrays.copyOf(pgm, pgm.length - 5), 1000));
  }

  /** Issue 18, item 19: a JPEG cut anywhere is undecodable, not a grey-filled face. */
  @Test
  void truncatedJpegsAreUndecodable() throws Exception {
    byte[] whole = TestImages.jpeg(77);
    Images.decode(whole, 1 << 20);
    for (int pct : new int[] {25, 50, 75, 90, 98, 99}) {
      byte[] cut = java.util.Arrays.copyOf(whole, whole.length * pct / 100);
      ImageDecodeException e =
          assertThrows(ImageDecodeException.class, () -> Images.decode(cut, 1 << 20), "" + pct);
      assertFalse(e.tooLarge());
      assertTrue(
          e.getMessage().contains("truncated") || e.getMessage().contains("cannot"),
          e.getMessage());
    }
  }

  /** Issue 18, item 20: WebP and TIFF are recognised by their bytes and their names. */
  @Test
  void knowsWebpAndTiff() throws Exception {
    java.io.ByteArrayOutputStream tiff = new java.io.ByteArrayOutputStream();
    assertTrue(javax.imageio.ImageIO.write(TestImages.square(30, 20, 9), "tiff", tiff));
    Images.Decoded t = Images.decode(tiff.toByteArray(), 1 << 20);
    assertEquals(ImageFormat.TIFF, t.format());
    assertEquals(30, t.width());
    byte[] riff = "RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.US_ASCII);
    assertEquals(ImageFormat.WEBP, ImageFormat.sniff(riff).orElseThrow());
    assertEquals(ImageFormat.WEBP, ImageFormat.fromFileName("a.WebP").orElseThrow());
    assertEquals(ImageFormat.TIFF, ImageFormat.fromFileName("a.tif").orElseThrow());
    assertTrue(ImageFormat.isImageFileName("a.gif"));
    assertTrue(ImageFormat.isImageFileName("a.HEIC"));
    assertFalse(ImageFormat.isImageFileName("notes.txt"));
  }

  /** A 60-byte PNG that declares 100,000 × 100,000 pixels must be refused before decoding. */
  @Test
  void refusesDecompressionBombsFromTheHeader() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(100_000).putInt(100_000);
    ihdr.put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
    chunk(out, "IHDR", ihdr.array());
    Deflater d = new Deflater();
    d.setInput(new byte[1000]);
    d.finish();
    byte[] buf = new byte[100];
    int n = d.deflate(buf);
    chunk(out, "IDAT", java.util.Arrays.copyOf(buf, n));
    chunk(out, "IEND", new byte[0]);
    ImageDecodeException e =
        assertThrows(ImageDecodeException.class, () -> Images.decode(out.toByteArray(), 1 << 24));
    assertTrue(e.tooLarge(), e.getMessage());
    assertTrue(out.size() < 100);
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(12 + data.length);
    b.putInt(data.length);
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    b.put(t).put(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    b.putInt((int) crc.getValue());
    out.writeBytes(b.array());
  }
}
