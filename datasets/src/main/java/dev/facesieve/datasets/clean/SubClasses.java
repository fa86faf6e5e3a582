package dev.facesieve.datasets.clean;

import java.io.Serializable;

/**
 * One class's sub-classes: its faces grouped by nearest sub-centre, and each group's member
 * centroid (the normalised mean of its faces' embeddings).
 *
 * <p>Why member centroids and not the head's sub-centres: the margin loss pushes a class's
 * sub-centre rows apart whether or not they hold different people, while the mean of the faces
 * nearest each row only moves with the faces. With a fixed embedder, the centroids of two groups of
 * one person's faces lie a few degrees apart (more for small groups, whose mean is noisier);
 * centroids of two different people lie about as far apart as two classes do.
 *
 * @param dominant the dominant sub-centre (most faces nearest it; ties to the lowest index)
 * @param size faces nearest each sub-centre
 * @param centroid each sub-class's unit centroid, null for an empty sub-class
 * @param angleToDominantDeg angle from each sub-class's centroid to the dominant one's (NaN when
 *     empty, 0 for the dominant)
 */
public record SubClasses(int dominant, int[] size, float[][] centroid, double[] angleToDominantDeg)
    implements Serializable {

  /** The sub-classes of one class's faces {@code x} (unit rows) under their scores. */
  public static SubClasses of(float[][] x, ClassScorer.Scores s) {
    int k = s.countPerSubCentre().length;
    int d = x.length == 0 ? 0 : x[0].length;
    double[][] sum = new double[k][d];
    for (int i = 0; i < x.length; i++) {
      double[] acc = sum[s.nearest()[i]];
      for (int j = 0; j < d; j++) {
        acc[j] += x[i][j];
      }
    }
    float[][] centroid = new float[k][];
    for (int j = 0; j < k; j++) {
      if (s.countPerSubCentre()[j] > 0) {
        centroid[j] = unit(sum[j]);
      }
    }
    double[] angle = new double[k];
    for (int j = 0; j < k; j++) {
      angle[j] =
          centroid[j] == null
              ? Double.NaN
              : j == s.dominant()
                  ? 0
                  : angleDeg(ClassScorer.dot(centroid[j], centroid[s.dominant()]));
    }
    return new SubClasses(s.dominant(), s.countPerSubCentre().clone(), centroid, angle);
  }

  /** The dominant sub-class's centroid: the class's reference point for its person. */
  public float[] dominantCentroid() {
    return centroid[dominant];
  }

  /** The unit mean of some unit rows (their centroid). */
  public static float[] mean(float[][] rows) {
    double[] sum = new double[rows.length == 0 ? 0 : rows[0].length];
    for (float[] r : rows) {
      for (int j = 0; j < sum.length; j++) {
        sum[j] += r[j];
      }
    }
    return unit(sum);
  }

  /**
   * Each row's angle to the mean of the other rows (leave-one-out), so that a row does not pull its
   * own reference towards itself; 0 for a single row.
   */
  public static double[] leaveOneOutAnglesDeg(float[][] rows) {
    int d = rows.length == 0 ? 0 : rows[0].length;
    double[] sum = new double[d];
    for (float[] r : rows) {
      for (int j = 0; j < d; j++) {
        sum[j] += r[j];
      }
    }
    double[] out = new double[rows.length];
    if (rows.length < 2) {
      return out;
    }
    double[] rest = new double[d];
    for (int i = 0; i < rows.length; i++) {
      double dot = 0;
      double norm = 0;
      for (int j = 0; j < d; j++) {
        rest[j] = sum[j] - rows[i][j];
        dot += rest[j] * rows[i][j];
        norm += rest[j] * rest[j];
      }
      out[i] = norm > 0 ? angleDeg(dot / Math.sqrt(norm)) : 90;
    }
    return out;
  }

  /** The normalised vector (float); a zero vector stays zero. */
  public static float[] unit(double[] v) {
    double n = 0;
    for (double a : v) {
      n += a * a;
    }
    double inv = n > 0 ? 1 / Math.sqrt(n) : 0;
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] * inv);
    }
    return out;
  }

  /** Degrees of the angle whose cosine is {@code cos} (clamped to [−1, 1]). */
  public static double angleDeg(double cos) {
    return Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, cos))));
  }
}
