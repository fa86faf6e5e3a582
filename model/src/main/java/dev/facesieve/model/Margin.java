package dev.facesieve.model;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.Serializable;

/**
 * The combined angular margin {@code cos(m1·θ + m2) − m3} applied to the target logit, with scale
 * {@code s}: ArcFace is {@code (1, m, 0)}, CosFace {@code (1, 0, m)}, SphereFace-like margins use
 * {@code m1 > 1}.
 */
public record Margin(double scale, double m1, double m2, double m3) implements Serializable {
  public Margin {
    checkArgument(scale > 0, "scale s must be > 0, got %s", scale);
    checkArgument(m1 >= 1, "m1 must be >= 1, got %s", m1);
    checkArgument(m2 >= 0 && m2 < Math.PI / 2, "m2 must be in [0, pi/2), got %s", m2);
    checkArgument(m3 >= 0 && m3 < 1, "m3 must be in [0, 1), got %s", m3);
  }

  /** ArcFace: additive angular margin {@code m} (the paper's default s=64, m=0.5). */
  public static Margin arcFace(double s, double m) {
    return new Margin(s, 1, m, 0);
  }

  /** CosFace: additive cosine margin {@code m}. */
  public static Margin cosFace(double s, double m) {
    return new Margin(s, 1, 0, m);
  }

  /** True when this is a pure ArcFace margin, computed without {@code acos}. */
  public boolean isArcFace() {
    return m1 == 1 && m3 == 0;
  }

  /**
   * The target logit's cosine for one value, in double precision (the reference for tests and for
   * CPU-side scoring).
   */
  public double target(double cos) {
    double c = Math.max(-1, Math.min(1, cos));
    if (isArcFace()) {
      double sin = Math.sqrt(Math.max(0, 1 - c * c));
      double phi = c * Math.cos(m2) - sin * Math.sin(m2);
      return c > Math.cos(Math.PI - m2) ? phi : c - Math.sin(Math.PI - m2) * m2;
    }
    double theta = Math.acos(c);
    double t = m1 * theta + m2;
    return t <= Math.PI ? Math.cos(t) - m3 : c - m3 - m2 * Math.sin(m2);
  }
}
