package dev.facesieve.datasets.synth;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Arc2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Point2D;
import java.awt.image.BufferedImage;
import java.awt.image.ConvolveOp;
import java.awt.image.Kernel;
import java.util.SplittableRandom;

/**
 * Procedural face-like images: each identity has its own geometry and colouring, each image its own
 * pose, expression, lighting, blur and pixel noise, so that telling identities apart needs a
 * learned model rather than a pixel comparison.
 *
 * <p>Everything is a pure function of {@code (seed, identity, image)}: the same arguments draw the
 * same pixels on every JVM.
 */
public final class SyntheticFaces {
  /** Image side in pixels (the ArcFace crop size). */
  public static final int SIZE = 112;

  private final long seed;

  public SyntheticFaces(long seed) {
    this.seed = seed;
  }

  /** The fixed look of one identity. */
  record Identity(
      Color skin,
      Color hair,
      Color iris,
      Color lips,
      double faceW,
      double faceH,
      int hairStyle,
      double eyeSpacing,
      double eyeY,
      double eyeSize,
      double browTilt,
      double browThick,
      double noseLen,
      double noseW,
      double mouthW,
      double mouthY,
      double smile,
      boolean glasses,
      boolean beard,
      double moleX,
      double moleY) {}

  static long mix(long a, long b) {
    long z = a * 0x9E3779B97F4A7C15L + b;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  Identity identity(int index) {
    SplittableRandom r = new SplittableRandom(mix(seed, 1_000_003L * index + 17));
    double tone = r.nextDouble();
    Color skin = lerp(new Color(255, 224, 196), new Color(110, 72, 50), tone);
    skin = jitter(skin, r, 18);
    Color hair = new Color(r.nextInt(20, 200), r.nextInt(10, 150), r.nextInt(0, 110));
    Color iris = new Color(r.nextInt(20, 150), r.nextInt(30, 160), r.nextInt(20, 200));
    Color lips = jitter(new Color(170, 70, 80), r, 40);
    return new Identity(
        skin,
        hair,
        iris,
        lips,
        r.nextDouble(0.30, 0.42),
        r.nextDouble(0.40, 0.52),
        r.nextInt(4),
        r.nextDouble(0.13, 0.22),
        r.nextDouble(0.40, 0.48),
        r.nextDouble(0.035, 0.065),
        r.nextDouble(-0.35, 0.35),
        r.nextDouble(1.5, 4.5),
        r.nextDouble(0.08, 0.17),
        r.nextDouble(0.04, 0.09),
        r.nextDouble(0.10, 0.22),
        r.nextDouble(0.70, 0.80),
        r.nextDouble(-0.6, 0.8),
        r.nextDouble() < 0.25,
        r.nextDouble() < 0.25,
        r.nextDouble(-0.25, 0.25),
        r.nextDouble(0.45, 0.75));
  }

  /** An image with its five landmarks (eyes, nose tip, mouth corners) in pixel coordinates. */
  public record Drawn(BufferedImage image, float[] landmarks) {}

  /** Draws image {@code image} of identity {@code identity}. */
  public Drawn draw(int identity, long image) {
    Identity id = identity(identity);
    SplittableRandom r = new SplittableRandom(mix(mix(seed, identity), image * 7919 + 3));
    BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(new Color(r.nextInt(40, 230), r.nextInt(40, 230), r.nextInt(40, 230)));
    g.fillRect(0, 0, SIZE, SIZE);

    double s = SIZE;
    AffineTransform pose = new AffineTransform();
    pose.translate(s / 2 + r.nextDouble(-4, 4), s / 2 + r.nextDouble(-4, 4));
    pose.rotate(Math.toRadians(r.nextDouble(-9, 9)));
    double scale = r.nextDouble(0.92, 1.08);
    pose.scale(scale * r.nextDouble(0.95, 1.05), scale);
    pose.translate(-s / 2, -s / 2);
    g.setTransform(pose);

    double cx = s / 2;
    double fw = id.faceW() * s;
    double fh = id.faceH() * s;
    double top = s * 0.52 - fh;
    // hair behind the face
    g.setColor(id.hair());
    switch (id.hairStyle()) {
      case 0 -> g.fill(new Ellipse2D.Double(cx - fw * 1.08, top - fh * 0.12, fw * 2.16, fh * 1.1));
      case 1 -> g.fill(new Ellipse2D.Double(cx - fw * 1.25, top - fh * 0.08, fw * 2.5, fh * 2.0));
      case 2 -> g.fill(new Ellipse2D.Double(cx - fw * 0.9, top - fh * 0.05, fw * 1.8, fh * 0.5));
      default ->
          g.fill(
              new Arc2D.Double(
                  cx - fw * 1.1, top - fh * 0.2, fw * 2.2, fh * 1.4, 0, 180, Arc2D.CHORD));
    }
    g.setColor(id.skin());
    g.fill(new Ellipse2D.Double(cx - fw, top, fw * 2, fh * 2));
    if (id.beard()) {
      g.setColor(darker(id.hair(), 0.8));
      g.fill(new Arc2D.Double(cx - fw, top + fh * 0.6, fw * 2, fh * 1.4, 180, 180, Arc2D.CHORD));
      g.setColor(id.skin());
      g.fill(new Ellipse2D.Double(cx - fw * 0.45, top + fh * 1.35, fw * 0.9, fh * 0.35));
    }
    if (id.hairStyle() == 3) {
      g.setColor(id.hair());
      g.fill(new Arc2D.Double(cx - fw, top - fh * 0.05, fw * 2, fh * 0.8, 0, 180, Arc2D.CHORD));
    }
    double ey = s * id.eyeY();
    double ex = s * id.eyeSpacing();
    double er = s * id.eyeSize();
    double open = r.nextDouble(0.55, 1.0);
    Point2D.Double[] eyes = {new Point2D.Double(cx - ex, ey), new Point2D.Double(cx + ex, ey)};
    for (int side = 0; side < 2; side++) {
      Point2D.Double e = eyes[side];
      g.setColor(Color.WHITE);
      g.fill(new Ellipse2D.Double(e.x - er * 1.4, e.y - er * open, er * 2.8, er * 2 * open));
      g.setColor(id.iris());
      g.fill(
          new Ellipse2D.Double(e.x - er * 0.7, e.y - er * 0.7 * open, er * 1.4, er * 1.4 * open));
      g.setColor(Color.BLACK);
      g.fill(new Ellipse2D.Double(e.x - er * 0.3, e.y - er * 0.3, er * 0.6, er * 0.6));
      g.setColor(darker(id.hair(), 0.7));
      g.setStroke(new BasicStroke((float) id.browThick()));
      double tilt = (side == 0 ? 1 : -1) * id.browTilt() * er;
      g.draw(
          new java.awt.geom.Line2D.Double(
              e.x - er * 1.5, e.y - er * 2 + tilt, e.x + er * 1.5, e.y - er * 2 - tilt));
    }
    if (id.glasses()) {
      g.setColor(new Color(30, 30, 30));
      g.setStroke(new BasicStroke(1.5f));
      for (Point2D.Double e : eyes) {
        g.draw(new Ellipse2D.Double(e.x - er * 2, e.y - er * 1.6, er * 4, er * 3.2));
      }
      g.draw(new java.awt.geom.Line2D.Double(eyes[0].x + er * 2, ey, eyes[1].x - er * 2, ey));
    }
    double noseTipY = ey + s * id.noseLen();
    double nw = s * id.noseW();
    Path2D.Double nose = new Path2D.Double();
    nose.moveTo(cx, ey + er);
    nose.lineTo(cx - nw / 2, noseTipY);
    nose.lineTo(cx + nw / 2, noseTipY);
    nose.closePath();
    g.setColor(darker(id.skin(), 0.85));
    g.fill(nose);
    double my = s * id.mouthY();
    double mw = s * id.mouthW() * r.nextDouble(0.9, 1.1);
    double smile = id.smile() + r.nextDouble(-0.3, 0.3);
    g.setColor(id.lips());
    g.setStroke(new BasicStroke(2.5f));
    Path2D.Double mouth = new Path2D.Double();
    mouth.moveTo(cx - mw / 2, my);
    mouth.quadTo(cx, my + smile * 8, cx + mw / 2, my);
    g.draw(mouth);
    g.setColor(darker(id.skin(), 0.55));
    g.fill(new Ellipse2D.Double(cx + id.moleX() * s - 1.5, top + id.moleY() * fh * 2, 3, 3));
    g.dispose();

    float[] lm = new float[10];
    double[][] pts = {
      {eyes[0].x, eyes[0].y},
      {eyes[1].x, eyes[1].y},
      {cx, noseTipY},
      {cx - mw / 2, my},
      {cx + mw / 2, my}
    };
    for (int i = 0; i < 5; i++) {
      Point2D p = pose.transform(new Point2D.Double(pts[i][0], pts[i][1]), null);
      lm[2 * i] = (float) p.getX();
      lm[2 * i + 1] = (float) p.getY();
    }
    BufferedImage out = light(img, r);
    double blur = r.nextDouble();
    if (blur > 0.5) {
      out = blur(out, blur > 0.85 ? 5 : 3);
    }
    noise(out, r, r.nextDouble(2, 10));
    return new Drawn(out, lm);
  }

  private static BufferedImage light(BufferedImage img, SplittableRandom r) {
    double gain = r.nextDouble(0.7, 1.25);
    double angle = r.nextDouble(0, 2 * Math.PI);
    double strength = r.nextDouble(0, 0.35);
    double gx = Math.cos(angle) * strength / SIZE;
    double gy = Math.sin(angle) * strength / SIZE;
    int[] px = img.getRGB(0, 0, SIZE, SIZE, null, 0, SIZE);
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        double f = gain * (1 + gx * (x - SIZE / 2.0) + gy * (y - SIZE / 2.0));
        int c = px[y * SIZE + x];
        px[y * SIZE + x] =
            (clamp(((c >> 16) & 0xff) * f) << 16)
                | (clamp(((c >> 8) & 0xff) * f) << 8)
                | clamp((c & 0xff) * f);
      }
    }
    img.setRGB(0, 0, SIZE, SIZE, px, 0, SIZE);
    return img;
  }

  private static BufferedImage blur(BufferedImage img, int k) {
    float[] w = new float[k * k];
    java.util.Arrays.fill(w, 1f / (k * k));
    BufferedImage out = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
    return new ConvolveOp(new Kernel(k, k, w), ConvolveOp.EDGE_NO_OP, null).filter(img, out);
  }

  private static void noise(BufferedImage img, SplittableRandom r, double sigma) {
    int[] px = img.getRGB(0, 0, SIZE, SIZE, null, 0, SIZE);
    for (int i = 0; i < px.length; i++) {
      int c = px[i];
      double n = gaussian(r) * sigma;
      px[i] =
          (clamp(((c >> 16) & 0xff) + n) << 16)
              | (clamp(((c >> 8) & 0xff) + n) << 8)
              | clamp((c & 0xff) + n);
    }
    img.setRGB(0, 0, SIZE, SIZE, px, 0, SIZE);
  }

  private static double gaussian(SplittableRandom r) {
    double u = Math.max(1e-12, r.nextDouble());
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  private static int clamp(double v) {
    return (int) Math.max(0, Math.min(255, Math.round(v)));
  }

  private static Color lerp(Color a, Color b, double t) {
    return new Color(
        (int) (a.getRed() + (b.getRed() - a.getRed()) * t),
        (int) (a.getGreen() + (b.getGreen() - a.getGreen()) * t),
        (int) (a.getBlue() + (b.getBlue() - a.getBlue()) * t));
  }

  private static Color jitter(Color c, SplittableRandom r, int d) {
    return new Color(
        Math.max(0, Math.min(255, c.getRed() + r.nextInt(-d, d + 1))),
        Math.max(0, Math.min(255, c.getGreen() + r.nextInt(-d, d + 1))),
        Math.max(0, Math.min(255, c.getBlue() + r.nextInt(-d, d + 1))));
  }

  private static Color darker(Color c, double f) {
    return new Color((int) (c.getRed() * f), (int) (c.getGreen() * f), (int) (c.getBlue() * f));
  }
}
