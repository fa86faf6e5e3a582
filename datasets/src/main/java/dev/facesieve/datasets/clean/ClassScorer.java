package dev.facesieve.datasets.clean;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Scores the samples of one class against its K sub-centres: each sample's nearest sub-centre, the
 * class's dominant sub-centre (the one most samples are nearest to; ties go to the lowest index so
 * results never depend on input order), and each sample's angle to the dominant one.
 *
 * <p>This is the decision core of cleaning (insightface's {@code drop.py}): keep a sample iff its
 * angle to the dominant sub-centre is at most the threshold (75° by default); the strict policy
 * also drops samples whose nearest sub-centre is not the dominant one.
 */
public final class ClassScorer {
  private ClassScorer() {}

  /** The scores of one class. */
  public record Scores(
      int dominant,
      int[] nearest,
      double[] angleDeg,
      double[][] cosines,
      int[] countPerSubCentre) {}

  /**
   * @param embeddings unit-length sample embeddings {@code n × D}
   * @param centres unit-length sub-centres of the class {@code K × D}
   */
  public static Scores score(float[][] embeddings, float[][] centres) {
    checkArgument(centres.length > 0, "a class needs at least one sub-centre");
    int n = embeddings.length;
    int k = centres.length;
    int[] nearest = new int[n];
    double[][] cos = new double[n][k];
    int[] count = new int[k];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < k; j++) {
        cos[i][j] = dot(embeddings[i], centres[j]);
      }
      int best = 0;
      for (int j = 1; j < k; j++) {
        if (cos[i][j] > cos[i][best]) {
          best = j;
        }
      }
      nearest[i] = best;
      count[best]++;
    }
    int dominant = 0;
    for (int j = 1; j < k; j++) {
      if (count[j] > count[dominant]) {
        dominant = j;
      }
    }
    double[] angle = new double[n];
    for (int i = 0; i < n; i++) {
      angle[i] = Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, cos[i][dominant]))));
    }
    return new Scores(dominant, nearest, angle, cos, count);
  }

  /** Dot product accumulated in double, so that scores do not depend on summation width. */
  public static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
