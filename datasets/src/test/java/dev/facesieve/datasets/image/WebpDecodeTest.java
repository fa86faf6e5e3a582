package dev.facesieve.datasets.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Issue 29: a WebP decodes only when its RIFF container holds image data. The fixtures under {@code
 * webp/} were made by libwebp 1.2.4 ({@code cwebp}, {@code img2webp}) from one 24×24 gradient with
 * a white disc: lossy (VP8), lossless (VP8L), lossy with alpha (VP8X + ALPH + VP8) and a two-frame
 * animation (VP8X + ANIM + ANMF).
 */
class WebpDecodeTest {
  private static final String[] FIXTURES = {"lossy", "lossless", "alpha", "animated"};

  private static byte[] fixture(String name) throws IOException {
    try (InputStream in = WebpDecodeTest.class.getResourceAsStream("/webp/" + name + ".webp")) {
      assertNotNull(in, name);
      return in.readAllBytes();
    }
  }

  /** A RIFF WebP file around these chunks, its size field telling their length. */
  private static byte[] riff(byte[]... chunks) {
    int n = 4 + Arrays.stream(chunks).mapToInt(c -> c.length).sum();
    ByteBuffer b = ByteBuffer.allocate(8 + n).order(ByteOrder.LITTLE_ENDIAN);
    b.put(ascii("RIFF")).putInt(n).put(ascii("WEBP"));
    for (byte[] c : chunks) {
      b.put(c);
    }
    return b.array();
  }

  private static byte[] chunk(String fourcc, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(8 + data.length + (data.length & 1));
    b.order(ByteOrder.LITTLE_ENDIAN).put(ascii(fourcc)).putInt(data.length).put(data);
    return b.array();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** A VP8X chunk for a {@code width}×{@code height} canvas with these feature flags. */
  private static byte[] vp8x(int flags, int width, int height) {
    ByteBuffer b = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(flags);
    b.put((byte) (width - 1)).put((byte) ((width - 1) >> 8)).put((byte) 0);
    b.put((byte) (height - 1)).put((byte) ((height - 1) >> 8)).put((byte) 0);
    return chunk("VP8X", b.array());
  }

  /** A VP8L chunk: its signature, a {@code width}×{@code height} header, then {@code tail}. */
  private static byte[] vp8l(int width, int height, byte[] tail) {
    int bits = (width - 1) | (height - 1) << 14;
    ByteBuffer b = ByteBuffer.allocate(5 + tail.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x2f).putInt(bits).put(tail);
    return chunk("VP8L", b.array());
  }

  /** A VP8 key-frame chunk whose first partition declares {@code partition} bytes. */
  private static byte[] vp8(int width, int height, int partition, byte[] tail) {
    int tag = 1 << 4 | partition << 5; // key frame, version 0, shown
    ByteBuffer b = ByteBuffer.allocate(10 + tail.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) tag).put((byte) (tag >> 8)).put((byte) (tag >> 16));
    b.put((byte) 0x9d).put((byte) 0x01).put((byte) 0x2a);
    b.putShort((short) width).putShort((short) height).put(tail);
    return chunk("VP8 ", b.array());
  }

  private static ImageDecodeException undecodable(String what, byte[] bytes) {
    ImageDecodeException e =
        assertThrows(ImageDecodeException.class, () -> Images.decode(bytes, 1 << 24), what);
    assertFalse(e.tooLarge(), what + ": " + e.getMessage());
    return e;
  }

  @Test
  void realWebpsDecodeToTheirPicture() throws Exception {
    for (String name : FIXTURES) {
      Images.Decoded d = Images.decode(fixture(name), 1 << 20);
      assertEquals(ImageFormat.WEBP, d.format(), name);
      assertEquals(24, d.width(), name);
      assertEquals(24, d.height(), name);
      BufferedImage img = d.image();
      int centre = img.getRGB(12, 12) & 0xffffff;
      int corner = img.getRGB(22, 2) & 0xffffff;
      assertTrue((centre >> 16) > 200 && (centre & 0xff) > 200, name + ": white disc " + centre);
      assertTrue((corner >> 16) > 150 && ((corner >> 8) & 0xff) < 60, name + ": red corner");
    }
  }

  @Test
  void aVp8xHeaderWithoutAnImageChunkIsUndecodable() {
    undecodable("VP8X 100x100", riff(vp8x(0, 100, 100)));
    undecodable("VP8X with alpha flag", riff(vp8x(0x10, 100, 100)));
    undecodable("VP8X + ALPH", riff(vp8x(0x10, 100, 100), chunk("ALPH", new byte[] {0, 1, 2})));
    ImageDecodeException e = undecodable("VP8X", riff(vp8x(0, 100, 100)));
    assertTrue(e.getMessage().contains("no image data"), e.getMessage());
  }

  @Test
  void aVp8lHeaderWithoutABitstreamIsUndecodable() {
    undecodable("VP8L header only", riff(vp8l(100, 100, new byte[0])));
    undecodable("VP8X + VP8L header", riff(vp8x(0, 100, 100), vp8l(100, 100, new byte[0])));
    // zero bytes are no bitstream (every prefix code would be empty): not a black picture
    undecodable("VP8L header and zeros", riff(vp8l(100, 100, new byte[64])));
    undecodable("VP8X + VP8L zeros", riff(vp8x(0, 100, 100), vp8l(100, 100, new byte[64])));
  }

  @Test
  void aVp8FrameHeaderWithoutItsPartitionIsUndecodable() {
    undecodable("VP8 frame header only", riff(vp8(100, 100, 0, new byte[0])));
    byte[] data = new byte[200];
    Arrays.fill(data, (byte) 0x5a);
    undecodable("VP8 with an empty partition", riff(vp8(100, 100, 0, data)));
    ImageDecodeException e = undecodable("VP8 cut", riff(vp8(100, 100, 500, data)));
    assertTrue(e.getMessage().contains("runs past the end"), e.getMessage());
    // zeros decode to a flat grey frame: no picture either
    e = undecodable("VP8 zeros", riff(vp8(100, 100, 100, new byte[200])));
    assertTrue(e.getMessage().contains("zero bytes only"), e.getMessage());
  }

  @Test
  void aWebpCutShortIsUndecodableWhereverItIsCut() throws Exception {
    for (String name : FIXTURES) {
      byte[] whole = fixture(name);
      for (int n = 12; n < whole.length; n++) {
        undecodable(name + " cut to " + n + " bytes", Arrays.copyOf(whole, n));
      }
    }
    // cut, with the RIFF size made to agree: the image chunk still runs past the end
    for (String name : new String[] {"lossy", "lossless"}) {
      byte[] whole = fixture(name);
      for (int n = 21; n < whole.length - 1; n += 7) {
        byte[] cut = Arrays.copyOf(whole, n);
        ByteBuffer.wrap(cut).order(ByteOrder.LITTLE_ENDIAN).putInt(4, n - 8);
        ImageDecodeException e = undecodable(name + " resized to " + n, cut);
        assertTrue(e.getMessage().contains("past the end"), e.getMessage());
      }
    }
  }

  @Test
  void aChunkRunningPastTheRiffSizeIsUndecodable() throws Exception {
    byte[] lossy = fixture("lossy");
    byte[] shorter = lossy.clone();
    ByteBuffer.wrap(shorter).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 4 + 8 + 10);
    undecodable("RIFF size inside the VP8 chunk", shorter);
    byte[] trailing = Arrays.copyOf(lossy, lossy.length + 16);
    assertEquals(24, Images.decode(trailing, 1 << 20).width(), "bytes after the RIFF are ignored");
  }
}
