package dev.facesieve.bench;

import dev.facesieve.datasets.clean.Calibration;
import dev.facesieve.datasets.clean.Centroids;
import dev.facesieve.datasets.clean.ClassDecision;
import dev.facesieve.datasets.clean.ClassScorer;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.clean.DetectionMetrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Quality of whole-class decisions ({@link CleaningPolicy#decideClass}): the sub-class policy,
 * thresholds calibrated from the data ({@link Calibration}) and relabelling, scored against the
 * truth, including where each move went.
 *
 * <p>A face counts as found noise when it is dropped or moved ("flagged"); relabel precision is the
 * share of moves that went to the face's true class, and {@code relabelled_clean} counts clean
 * faces that were moved (each one a new error).
 */
final class DecisionScores {
  private DecisionScores() {}

  /**
   * A labelled set split into classes and scored as {@code clean} scores it: each class's faces,
   * their scores against the class's K sub-centres, and the calibration's accumulator.
   */
  record Scored(
      int[][] members, float[][][] faces, ClassScorer.Scores[] scores, Calibration.Stats stats) {
    static Scored of(float[][] x, int[] label, float[][] centres, int k, int classes) {
      int[][] members = CleaningScores.members(label, classes);
      float[][][] cx = new float[classes][][];
      ClassScorer.Scores[] scores = new ClassScorer.Scores[classes];
      Calibration.Stats stats = new Calibration.Stats();
      for (int c = 0; c < classes; c++) {
        cx[c] = new float[members[c].length][];
        for (int i = 0; i < cx[c].length; i++) {
          cx[c][i] = x[members[c][i]];
        }
        scores[c] = ClassScorer.score(cx[c], Arrays.copyOfRange(centres, c * k, c * k + k));
        stats.add(
            Calibration.ClassStats.of(
                c,
                Integer.toString(c),
                cx[c],
                scores[c],
                dev.facesieve.datasets.clean.SubClasses.of(cx[c], scores[c]),
                CleaningPolicy.DEFAULT_MIN_SUBCLASS_SIZE));
      }
      return new Scored(members, cx, scores, stats);
    }
  }

  /** One policy on one setting. */
  record Row(
      String policy,
      int k,
      boolean auto,
      double thresholdDeg,
      double otherPersonDeg,
      long noisy,
      long flagged,
      long truePositives,
      long relabelled,
      long relabelCorrect,
      long relabelledClean,
      long closeSetNoisy) {
    DetectionMetrics.Counts counts() {
      return new DetectionMetrics.Counts(flagged, truePositives, noisy);
    }

    String json(String prefix) {
      DetectionMetrics.Counts c = counts();
      return String.format(
          Locale.ROOT,
          "{%s\"method\": \"facesieve\", \"k\": %d, \"policy\": \"%s\", \"auto\": %s,"
              + " \"threshold_deg\": %.1f, \"other_person_deg\": %s, \"noisy\": %d,"
              + " \"dropped\": %d, \"true_positives\": %d, \"precision\": %.4f, \"recall\": %.4f,"
              + " \"f1\": %.4f, \"auc\": null, \"relabelled\": %d, \"relabel_correct\": %d,"
              + " \"relabelled_clean\": %d, \"close_set_noisy\": %d}",
          prefix,
          k,
          policy,
          auto,
          thresholdDeg,
          Double.isNaN(otherPersonDeg)
              ? "null"
              : String.format(Locale.ROOT, "%.1f", otherPersonDeg),
          noisy,
          flagged,
          truePositives,
          c.precision(),
          c.recall(),
          c.f1(),
          relabelled,
          relabelCorrect,
          relabelledClean,
          closeSetNoisy);
    }
  }

  /**
   * Rows for the default policy (sub-class, auto thresholds), with relabelling, and drop-py with an
   * auto threshold; with {@code explore}, also a grid of fixed thresholds.
   *
   * @param trueClass the class showing each face's person, −1 for a held-out person
   * @param centres unit sub-centres, class-major {@code (C·K) × D}
   */
  static List<Row> rows(
      float[][] x,
      int[] label,
      boolean[] noisy,
      int[] trueClass,
      float[][] centres,
      int k,
      int classes,
      boolean explore) {
    Scored sc = Scored.of(x, label, centres, k, classes);
    int[][] members = sc.members();
    float[][][] cx = sc.faces();
    ClassScorer.Scores[] scores = sc.scores();
    Calibration.Stats stats = sc.stats();
    Calibration cal = stats.calibrate();
    Centroids centroids = stats.centroids();
    System.err.printf(
        Locale.ROOT,
        "calibration: other person %.1f° (P%.0f nearest other %.1f°), outlier %.1f° (faces P50"
            + " %.1f° P25 %.1f°), relabel face %.1f°%n",
        cal.otherPersonDeg(),
        Calibration.OTHER_PERSON_PERCENTILE,
        cal.evidence().nearestOtherPercentileDeg(),
        cal.outlierDeg(),
        cal.evidence().faceMedianDeg(),
        cal.evidence().faceP25Deg(),
        cal.relabelFaceDeg());
    List<CleaningPolicy> policies = new ArrayList<>();
    CleaningPolicy sub = CleaningPolicy.defaults();
    policies.add(sub);
    policies.add(sub.withRelabel(true));
    policies.add(CleaningPolicy.of(CleaningPolicy.Kind.DROP_PY, CleaningPolicy.AUTO));
    if (explore) {
      for (double person : new double[] {30, 40, 50, 60}) {
        for (double face : new double[] {Double.NaN, 70, 75}) {
          policies.add(sub.withOtherPersonDeg(person).withThresholdDeg(face));
        }
      }
      policies.add(sub.withThresholdDeg(75));
      policies.add(sub.withThresholdDeg(75).withRelabel(true));
    }
    List<Row> rows = new ArrayList<>();
    for (CleaningPolicy p : policies) {
      CleaningPolicy r = p.resolve(cal);
      long n = 0;
      long flagged = 0;
      long tp = 0;
      long moved = 0;
      long correct = 0;
      long movedClean = 0;
      long closeNoisy = 0;
      for (int c = 0; c < classes; c++) {
        ClassDecision d = r.decideClass(c, cx[c], scores[c], p.relabel() ? centroids : null);
        for (int i = 0; i < cx[c].length; i++) {
          int face = members[c][i];
          boolean isNoise = noisy[face];
          boolean flag = d.reason()[i] != null || d.relabelled(i);
          n += isNoise ? 1 : 0;
          closeNoisy += isNoise && trueClass[face] >= 0 ? 1 : 0;
          flagged += flag ? 1 : 0;
          tp += flag && isNoise ? 1 : 0;
          if (d.relabelled(i)) {
            moved++;
            correct += d.target()[i] == trueClass[face] ? 1 : 0;
            movedClean += isNoise ? 0 : 1;
          }
        }
      }
      String name = p.name() + (p.relabel() ? "+relabel" : "");
      rows.add(
          new Row(
              name,
              k,
              p.isAuto(),
              r.thresholdDeg(),
              p.kind() == CleaningPolicy.Kind.SUBCLASS ? r.otherPersonDeg() : Double.NaN,
              n,
              flagged,
              tp,
              moved,
              correct,
              movedClean,
              closeNoisy));
    }
    return rows;
  }
}
