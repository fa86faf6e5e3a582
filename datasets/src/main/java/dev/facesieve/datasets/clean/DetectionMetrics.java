package dev.facesieve.datasets.clean;

import java.util.Arrays;

/**
 * The one implementation of how well cleaning found the noise: precision, recall and F1 of
 * "dropped" against "noisy by the ground truth", and the ROC AUC of a score (the angle) for
 * "noisy".
 *
 * <p>Conventions, used by {@code summary.json}, {@code report.json} and the benchmarks alike: a
 * precision with nothing dropped is 0; a recall with no noisy face is 1 (nothing was missed); F1 is
 * 0 when precision and recall are both 0.
 */
public final class DetectionMetrics {
  private DetectionMetrics() {}

  /**
   * Counts of one detection.
   *
   * @param dropped faces dropped (with known truth)
   * @param droppedNoisy of those, faces noisy by the truth
   * @param noisy faces noisy by the truth, dropped or not
   */
  public record Counts(long dropped, long droppedNoisy, long noisy) {
    public double precision() {
      return ratio(droppedNoisy, dropped);
    }

    public double recall() {
      return noisy == 0 ? 1.0 : ratio(droppedNoisy, noisy);
    }

    public double f1() {
      return DetectionMetrics.f1(precision(), recall());
    }
  }

  /** {@code a / b}, or 0 when {@code b} is 0. */
  public static double ratio(double a, double b) {
    return b == 0 ? 0.0 : a / b;
  }

  /** Harmonic mean of precision and recall; 0 when both are 0. */
  public static double f1(double precision, double recall) {
    return precision + recall == 0 ? 0.0 : 2 * precision * recall / (precision + recall);
  }

  /**
   * Mann–Whitney estimate of the ROC AUC: P(score of a positive > score of a negative) + ½
   * P(equal), by sorting both sides and merging, O((p + n) log(p + n)). NaN when either side is
   * empty.
   */
  public static double auc(double[] positives, double[] negatives) {
    if (positives.length == 0 || negatives.length == 0) {
      return Double.NaN;
    }
    double[] p = positives.clone();
    double[] q = negatives.clone();
    Arrays.sort(p);
    Arrays.sort(q);
    double wins = 0;
    int below = 0; // negatives strictly below p[i]
    int upTo = 0; // negatives <= p[i]
    for (double v : p) {
      while (below < q.length && q[below] < v) {
        below++;
      }
      upTo = Math.max(upTo, below);
      while (upTo < q.length && q[upTo] <= v) {
        upTo++;
      }
      wins += below + 0.5 * (upTo - below);
    }
    return wins / ((double) p.length * q.length);
  }

  /** {@link #auc(double[], double[])} of {@code score}, positives where {@code positive[i]}. */
  public static double auc(double[] score, boolean[] positive) {
    int pos = 0;
    for (boolean p : positive) {
      pos += p ? 1 : 0;
    }
    double[] p = new double[pos];
    double[] n = new double[score.length - pos];
    int a = 0;
    int b = 0;
    for (int i = 0; i < score.length; i++) {
      if (positive[i]) {
        p[a++] = score[i];
      } else {
        n[b++] = score[i];
      }
    }
    return auc(p, n);
  }
}
