package dev.facesieve.datasets.align;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * A 2-D similarity transform {@code (x, y) → (a·x − b·y + tx, b·x + a·y + ty)}: rotation, uniform
 * scale and translation, no reflection.
 *
 * <p>{@link #estimate} is Umeyama's least-squares estimate (as skimage's {@code
 * SimilarityTransform.estimate}, used by insightface's {@code norm_crop}). In two dimensions the
 * SVD of Umeyama's method has a closed form: with both point sets centred on their means, {@code a
 * = Σ(x·u + y·v) / Σ(x² + y²)} and {@code b = Σ(x·v − y·u) / Σ(x² + y²)}, then the translation maps
 * the source mean onto the destination mean.
 */
public record SimilarityTransform(double a, double b, double tx, double ty) {

  /**
   * Least-squares similarity mapping {@code src} onto {@code dst}, both {@code x1,y1,x2,y2,...}.
   *
   * @throws IllegalArgumentException if the arrays differ in length, hold a non-finite value, or
   *     all source points coincide
   */
  public static SimilarityTransform estimate(float[] src, float[] dst) {
    checkArgument(
        src.length == dst.length && src.length >= 4 && src.length % 2 == 0,
        "need the same even number (>= 4) of coordinates, got %s and %s",
        src.length,
        dst.length);
    int n = src.length / 2;
    double sx = 0, sy = 0, dx = 0, dy = 0;
    for (int i = 0; i < n; i++) {
      checkArgument(
          Float.isFinite(src[2 * i]) && Float.isFinite(src[2 * i + 1]),
          "landmark %s is not finite",
          i + 1);
      sx += src[2 * i];
      sy += src[2 * i + 1];
      dx += dst[2 * i];
      dy += dst[2 * i + 1];
    }
    sx /= n;
    sy /= n;
    dx /= n;
    dy /= n;
    double num1 = 0, num2 = 0, den = 0;
    for (int i = 0; i < n; i++) {
      double x = src[2 * i] - sx;
      double y = src[2 * i + 1] - sy;
      double u = dst[2 * i] - dx;
      double v = dst[2 * i + 1] - dy;
      num1 += x * u + y * v;
      num2 += x * v - y * u;
      den += x * x + y * y;
    }
    checkArgument(den > 1e-9, "landmarks are all at one point");
    double a = num1 / den;
    double b = num2 / den;
    return new SimilarityTransform(a, b, dx - (a * sx - b * sy), dy - (b * sx + a * sy));
  }

  /** Applies the transform to a point. */
  public double[] apply(double x, double y) {
    return new double[] {a * x - b * y + tx, b * x + a * y + ty};
  }

  /** The inverse transform. */
  public SimilarityTransform inverse() {
    double s = a * a + b * b;
    double ia = a / s;
    double ib = -b / s;
    return new SimilarityTransform(ia, ib, -(ia * tx - ib * ty), -(ib * tx + ia * ty));
  }

  /** The scale factor {@code sqrt(a² + b²)}. */
  public double scale() {
    return Math.hypot(a, b);
  }

  /** The rotation angle in radians. */
  public double rotation() {
    return Math.atan2(b, a);
  }
}
