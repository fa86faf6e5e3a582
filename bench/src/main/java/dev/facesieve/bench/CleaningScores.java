package dev.facesieve.bench;

import dev.facesieve.datasets.clean.ClassScorer;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.clean.DetectionMetrics;
import dev.facesieve.datasets.clean.DropReason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Precision, recall and F1 of "dropped" against "noisy" for FaceSieve's rules and for the baseline
 * "angle to the class-mean embedding", on one labelled set of unit-length embeddings.
 *
 * <p>FaceSieve rows use the same {@link ClassScorer} and {@link CleaningPolicy} as {@code facesieve
 * clean}. AUC is the ROC AUC of the angle used by the rule (to the dominant sub-centre, or to the
 * class mean) as a noise score, pooled over classes, with ties counted half (Mann–Whitney); it says
 * how well the angle ranks noise regardless of the threshold. Strict has no single score, so its
 * AUC is left out.
 */
final class CleaningScores {
  static final double[] THRESHOLDS = {70, 75, 80};

  /** One method at one threshold. */
  record Row(
      String method,
      int k,
      String policy,
      double thresholdDeg,
      long noisy,
      long dropped,
      long truePositives,
      double auc) {
    DetectionMetrics.Counts counts() {
      return new DetectionMetrics.Counts(dropped, truePositives, noisy);
    }

    double precision() {
      return counts().precision();
    }

    double recall() {
      return counts().recall();
    }

    double f1() {
      return counts().f1();
    }

    String json(String prefix) {
      return String.format(
          Locale.ROOT,
          "{%s\"method\": \"%s\", \"k\": %d, \"policy\": \"%s\", \"threshold_deg\": %.1f,"
              + " \"noisy\": %d, \"dropped\": %d, \"true_positives\": %d, \"precision\": %.4f,"
              + " \"recall\": %.4f, \"f1\": %.4f, \"auc\": %s}",
          prefix,
          method,
          k,
          policy,
          thresholdDeg,
          noisy,
          dropped,
          truePositives,
          precision(),
          recall(),
          f1(),
          Double.isNaN(auc) ? "null" : String.format(Locale.ROOT, "%.4f", auc));
    }
  }

  private CleaningScores() {}

  /**
   * FaceSieve rows: drop-py (and, for K > 1, strict) at each threshold.
   *
   * @param centres unit-length sub-centres, class-major {@code (C·K) × D}
   */
  static List<Row> faceSieve(
      float[][] x, int[] label, boolean[] noisy, float[][] centres, int k, int classes) {
    int[][] members = members(label, classes);
    double[] angle = new double[x.length];
    ClassScorer.Scores[] scores = new ClassScorer.Scores[classes];
    for (int c = 0; c < classes; c++) {
      float[][] cx = new float[members[c].length][];
      for (int i = 0; i < cx.length; i++) {
        cx[i] = x[members[c][i]];
      }
      scores[c] = ClassScorer.score(cx, Arrays.copyOfRange(centres, c * k, c * k + k));
      for (int i = 0; i < cx.length; i++) {
        angle[members[c][i]] = scores[c].angleDeg()[i];
      }
    }
    double auc = auc(angle, noisy);
    List<Row> rows = new ArrayList<>();
    for (boolean strict : k > 1 ? new boolean[] {false, true} : new boolean[] {false}) {
      for (double t : THRESHOLDS) {
        CleaningPolicy policy =
            CleaningPolicy.of(strict ? CleaningPolicy.Kind.STRICT : CleaningPolicy.Kind.DROP_PY, t);
        boolean[] dropped = new boolean[x.length];
        for (int c = 0; c < classes; c++) {
          DropReason[] reason = policy.decide(scores[c]);
          for (int i = 0; i < reason.length; i++) {
            dropped[members[c][i]] = reason[i] != null;
          }
        }
        rows.add(row("facesieve", k, policy.name(), t, noisy, dropped, strict ? Double.NaN : auc));
      }
    }
    return rows;
  }

  /**
   * Baseline rows: drop a sample when its angle to its class's mean embedding exceeds t; and, when
   * {@code matchDrops >= 0}, one more row dropping the {@code matchDrops} samples farthest from
   * their class means (the same number FaceSieve dropped), since fixed angles mean different things
   * for a class mean and a trained sub-centre.
   */
  static List<Row> classMean(
      float[][] x, int[] label, boolean[] noisy, int classes, long matchDrops) {
    int d = x[0].length;
    double[][] mean = new double[classes][d];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < d; j++) {
        mean[label[i]][j] += x[i][j];
      }
    }
    for (double[] m : mean) {
      double s = 0;
      for (double v : m) {
        s += v * v;
      }
      double inv = 1 / Math.max(Math.sqrt(s), 1e-12);
      for (int j = 0; j < d; j++) {
        m[j] *= inv;
      }
    }
    double[] angle = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double s = 0;
      for (int j = 0; j < d; j++) {
        s += x[i][j] * mean[label[i]][j];
      }
      angle[i] = Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, s))));
    }
    double auc = auc(angle, noisy);
    List<Row> rows = new ArrayList<>();
    for (double t : THRESHOLDS) {
      boolean[] dropped = new boolean[x.length];
      for (int i = 0; i < x.length; i++) {
        dropped[i] = angle[i] > t;
      }
      rows.add(row("class-mean", 0, "angle", t, noisy, dropped, auc));
    }
    if (matchDrops >= 0) {
      Integer[] idx = new Integer[x.length];
      for (int i = 0; i < idx.length; i++) {
        idx[i] = i;
      }
      Arrays.sort(idx, (a, b) -> Double.compare(angle[b], angle[a]));
      boolean[] dropped = new boolean[x.length];
      for (int i = 0; i < matchDrops; i++) {
        dropped[idx[i]] = true;
      }
      double t = matchDrops == 0 ? Double.NaN : angle[idx[(int) matchDrops - 1]];
      rows.add(row("class-mean", 0, "same-drops", t, noisy, dropped, auc));
    }
    return rows;
  }

  private static Row row(
      String method,
      int k,
      String policy,
      double t,
      boolean[] noisy,
      boolean[] dropped,
      double auc) {
    long n = 0;
    long d = 0;
    long tp = 0;
    for (int i = 0; i < noisy.length; i++) {
      n += noisy[i] ? 1 : 0;
      d += dropped[i] ? 1 : 0;
      tp += noisy[i] && dropped[i] ? 1 : 0;
    }
    return new Row(method, k, policy, t, n, d, tp, auc);
  }

  /** Indices of each class's samples, in input order. */
  static int[][] members(int[] label, int classes) {
    int[] count = new int[classes];
    for (int l : label) {
      count[l]++;
    }
    int[][] m = new int[classes][];
    for (int c = 0; c < classes; c++) {
      m[c] = new int[count[c]];
    }
    int[] pos = new int[classes];
    for (int i = 0; i < label.length; i++) {
      m[label[i]][pos[label[i]]++] = i;
    }
    return m;
  }

  /** ROC AUC of {@code score} for {@code positive}: the report's Mann–Whitney estimate. */
  static double auc(double[] score, boolean[] positive) {
    return DetectionMetrics.auc(score, positive);
  }
}
