package dev.facesieve.datasets.align;

import java.awt.image.BufferedImage;

/**
 * Warps a face to the standard ArcFace 112×112 crop from its five landmarks, as insightface's
 * {@code face_align.norm_crop} does: estimate the similarity that maps the landmarks onto {@link
 * #ARCFACE_TEMPLATE}, then sample every output pixel from the source through its inverse with
 * bilinear interpolation (black outside the source, like {@code cv2.warpAffine}'s default border).
 */
public final class FaceAligner {
  private FaceAligner() {}

  /** Output size of the ArcFace crop. */
  public static final int SIZE = 112;

  /** Left eye, right eye, nose tip, left and right mouth corner in the 112×112 crop. */
  public static final float[] ARCFACE_TEMPLATE = {
    38.2946f, 51.6963f, 73.5318f, 51.5014f, 56.0252f, 71.7366f, 41.5493f, 92.3655f, 70.7299f,
    92.2041f
  };

  /**
   * Aligns a face.
   *
   * @param landmarks {@code x1,y1,...,x5,y5} in source pixel coordinates
   * @throws IllegalArgumentException if the landmarks are degenerate or not finite
   */
  public static BufferedImage align(BufferedImage src, float[] landmarks) {
    SimilarityTransform m = SimilarityTransform.estimate(landmarks, ARCFACE_TEMPLATE);
    return warp(src, m.inverse(), SIZE, SIZE);
  }

  /** Samples {@code out(u, v) = src(inv(u, v))} bilinearly. */
  static BufferedImage warp(BufferedImage src, SimilarityTransform inv, int w, int h) {
    int sw = src.getWidth();
    int sh = src.getHeight();
    int[] px = src.getRGB(0, 0, sw, sh, null, 0, sw);
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] o = new int[w * h];
    for (int v = 0; v < h; v++) {
      for (int u = 0; u < w; u++) {
        double[] p = inv.apply(u, v);
        double x = p[0];
        double y = p[1];
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        double fx = x - x0;
        double fy = y - y0;
        double r = 0, g = 0, b = 0;
        for (int k = 0; k < 4; k++) {
          int xi = x0 + (k & 1);
          int yi = y0 + (k >> 1);
          double wgt = ((k & 1) == 1 ? fx : 1 - fx) * ((k >> 1) == 1 ? fy : 1 - fy);
          if (xi < 0 || yi < 0 || xi >= sw || yi >= sh || wgt == 0) {
            continue;
          }
          int c = px[yi * sw + xi];
          r += wgt * ((c >> 16) & 0xff);
          g += wgt * ((c >> 8) & 0xff);
          b += wgt * (c & 0xff);
        }
        o[v * w + u] = (clamp(r) << 16) | (clamp(g) << 8) | clamp(b);
      }
    }
    out.setRGB(0, 0, w, h, o, 0, w);
    return out;
  }

  private static int clamp(double v) {
    return (int) Math.max(0, Math.min(255, Math.round(v)));
  }
}
