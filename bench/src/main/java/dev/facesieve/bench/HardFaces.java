package dev.facesieve.bench;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.awt.image.ConvolveOp;
import java.awt.image.Kernel;
import java.util.SplittableRandom;

/**
 * Harder pictures of the same person: what web faces look like next to news photos.
 *
 * <p>Held-out web faces spread far wider within one person than LFW (profiles, sunglasses,
 * greyscale, blur); a rule tuned on LFW drops them. These variants stand in for them: each is still
 * the named person, so a rule that drops it drops a clean face. One variant per call, chosen by
 * {@code kind}; every random choice comes from {@code seed}.
 */
final class HardFaces {
  private HardFaces() {}

  /** The variants, in the order {@link #make} cycles through them. */
  static final String[] KINDS = {"greyscale", "blur", "rotate", "occlude", "off-centre"};

  /** Variant {@code kind} (an index into {@link #KINDS}) of a 112×112 face. */
  static BufferedImage make(BufferedImage src, int kind, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    BufferedImage img = rgb(src);
    return switch (kind) {
      case 0 -> greyscale(img);
      case 1 -> blur(blur(img));
      case 2 -> rotate(img, (r.nextBoolean() ? 1 : -1) * (20 + 10 * r.nextDouble()));
      case 3 -> occlude(img, r);
      case 4 -> offCentre(img, r);
      default -> throw new IllegalArgumentException("no hard-face kind " + kind);
    };
  }

  private static BufferedImage rgb(BufferedImage src) {
    BufferedImage out =
        new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.drawImage(src, 0, 0, null);
    g.dispose();
    return out;
  }

  private static BufferedImage greyscale(BufferedImage img) {
    BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), img.getType());
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int p = img.getRGB(x, y);
        int l =
            (int)
                Math.round(
                    0.299 * ((p >> 16) & 255) + 0.587 * ((p >> 8) & 255) + 0.114 * (p & 255));
        out.setRGB(x, y, (l << 16) | (l << 8) | l);
      }
    }
    return out;
  }

  /** A 5×5 Gaussian blur (σ = 1.5), edges kept. */
  private static BufferedImage blur(BufferedImage img) {
    float[] k = new float[25];
    float sum = 0;
    for (int y = -2; y <= 2; y++) {
      for (int x = -2; x <= 2; x++) {
        float v = (float) Math.exp(-(x * x + y * y) / (2 * 1.5 * 1.5));
        k[(y + 2) * 5 + x + 2] = v;
        sum += v;
      }
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= sum;
    }
    return new ConvolveOp(new Kernel(5, 5, k), ConvolveOp.EDGE_NO_OP, null).filter(img, null);
  }

  /** Rotated about the centre by {@code deg}, the corners filled from the mean colour. */
  private static BufferedImage rotate(BufferedImage img, double deg) {
    BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), img.getType());
    Graphics2D g = out.createGraphics();
    g.setColor(new Color(meanRgb(img)));
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(
        img,
        AffineTransform.getRotateInstance(
            Math.toRadians(deg), img.getWidth() / 2.0, img.getHeight() / 2.0),
        null);
    g.dispose();
    return out;
  }

  /**
   * A dark band over the eyes (sunglasses) or a grey block over the lower face (a hand, a mask).
   */
  private static BufferedImage occlude(BufferedImage img, SplittableRandom r) {
    Graphics2D g = img.createGraphics();
    int w = img.getWidth();
    int h = img.getHeight();
    if (r.nextBoolean()) {
      g.setColor(new Color(20, 20, 20));
      g.fillRect(w / 6, (int) (h * 0.36), w * 2 / 3, h / 7);
    } else {
      g.setColor(new Color(128, 128, 128));
      g.fillRect(0, (int) (h * 0.68), w, h - (int) (h * 0.68));
    }
    g.dispose();
    return img;
  }

  /** A crop of 80–90% of the side at a random place (off centre), resized back. */
  private static BufferedImage offCentre(BufferedImage img, SplittableRandom r) {
    int w = img.getWidth();
    int side = (int) Math.round(w * (0.8 + 0.1 * r.nextDouble()));
    int slack = w - side;
    int x0 = r.nextInt(slack + 1);
    int y0 = r.nextInt(slack + 1);
    BufferedImage out = new BufferedImage(w, img.getHeight(), img.getType());
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(img, 0, 0, w, img.getHeight(), x0, y0, x0 + side, y0 + side, null);
    g.dispose();
    return out;
  }

  private static int meanRgb(BufferedImage img) {
    long r = 0;
    long g = 0;
    long b = 0;
    int n = img.getWidth() * img.getHeight();
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int p = img.getRGB(x, y);
        r += (p >> 16) & 255;
        g += (p >> 8) & 255;
        b += p & 255;
      }
    }
    return (int) (r / n) << 16 | (int) (g / n) << 8 | (int) (b / n);
  }
}
