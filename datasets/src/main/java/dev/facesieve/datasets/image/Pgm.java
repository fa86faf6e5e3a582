package dev.facesieve.datasets.image;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.nio.charset.StandardCharsets;

/**
 * Decoder of Netpbm greyscale images, binary (P5) and ASCII (P2), which {@code javax.imageio} does
 * not read (the ORL face database is P5).
 */
public final class Pgm {
  private Pgm() {}

  private static final class Cursor {
    final byte[] b;
    int i;

    Cursor(byte[] b, int i) {
      this.b = b;
      this.i = i;
    }

    int nextInt() throws ImageDecodeException {
      skipSpaceAndComments();
      long v = 0;
      int start = i;
      while (i < b.length && b[i] >= '0' && b[i] <= '9') {
        v = v * 10 + (b[i] - '0');
        if (v > Integer.MAX_VALUE) {
          throw new ImageDecodeException("PGM header number too large", false);
        }
        i++;
      }
      if (i == start) {
        throw new ImageDecodeException("PGM header is truncated or malformed", false);
      }
      return (int) v;
    }

    void skipSpaceAndComments() {
      while (i < b.length) {
        if (b[i] == '#') {
          while (i < b.length && b[i] != '\n') {
            i++;
          }
        } else if (Character.isWhitespace(b[i])) {
          i++;
        } else {
          return;
        }
      }
    }
  }

  /** Decodes a P5 or P2 image into {@link BufferedImage#TYPE_BYTE_GRAY}. */
  public static BufferedImage decode(byte[] bytes, long maxPixels) throws ImageDecodeException {
    if (bytes.length < 2 || bytes[0] != 'P' || (bytes[1] != '5' && bytes[1] != '2')) {
      throw new ImageDecodeException("not a PGM image", false);
    }
    boolean binary = bytes[1] == '5';
    Cursor c = new Cursor(bytes, 2);
    int w = c.nextInt();
    int h = c.nextInt();
    int max = c.nextInt();
    if (w <= 0 || h <= 0 || max <= 0 || max > 65535) {
      throw new ImageDecodeException("PGM header declares " + w + "x" + h + " max " + max, false);
    }
    if ((long) w * h > maxPixels) {
      throw new ImageDecodeException(
          "image declares " + w + "x" + h + " pixels, more than " + maxPixels, true);
    }
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    WritableRaster r = img.getRaster();
    int bps = max < 256 ? 1 : 2;
    if (binary) {
      int p = c.i + 1; // exactly one whitespace byte after maxval
      long need = (long) w * h * bps;
      if (bytes.length - p < need) {
        throw new ImageDecodeException(
            "PGM data is truncated: " + (bytes.length - p) + " of " + need + " bytes", false);
      }
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int v = bps == 1 ? bytes[p++] & 0xff : ((bytes[p++] & 0xff) << 8) | (bytes[p++] & 0xff);
          r.setSample(x, y, 0, v * 255 / max);
        }
      }
    } else {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          r.setSample(x, y, 0, Math.min(max, c.nextInt()) * 255 / max);
        }
      }
    }
    return img;
  }

  /** Encodes a greyscale image as binary P5 (used by tests and synthetic data). */
  public static byte[] encode(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    byte[] head = ("P5\n" + w + " " + h + "\n255\n").getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[head.length + w * h];
    System.arraycopy(head, 0, out, 0, head.length);
    int p = head.length;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int rgb = img.getRGB(x, y);
        int g =
            (((rgb >> 16) & 0xff) * 299 + ((rgb >> 8) & 0xff) * 587 + (rgb & 0xff) * 114) / 1000;
        out[p++] = (byte) g;
      }
    }
    return out;
  }
}
