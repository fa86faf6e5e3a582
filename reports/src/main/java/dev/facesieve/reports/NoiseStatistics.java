package dev.facesieve.reports;

import static dev.facesieve.datasets.clean.DetectionMetrics.f1;
import static dev.facesieve.datasets.clean.DetectionMetrics.ratio;

import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.clean.DetectionMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The numbers of a noise report computed from a {@link CleanRun}'s per-face columns; no I/O.
 *
 * <p>Denominators are explicit because "noise rate" means different things: the share of all input
 * records dropped, the share of prepared (decodable) faces dropped, and the paper's view, the share
 * of faces inside dominant sub-classes (nearest the dominant sub-centre) that are still outliers.
 */
public final class NoiseStatistics {
  private NoiseStatistics() {}

  /** Sweep range of the threshold sweep, inclusive, in whole degrees. */
  static final int SWEEP_FROM = 60;

  static final int SWEEP_TO = 90;

  /** Angle histograms use 1° bins over [0°, 180°]; bin i holds angles in [i, i+1). */
  static final int HISTOGRAM_BINS = 181;

  /** Faces nearest their dominant sub-centre, and the share of those beyond the threshold. */
  static Map<String, Object> dominantSubClasses(CleanRun run) {
    long nearest = 0;
    long outliers = 0;
    long noisyInside = 0;
    long knownInside = 0;
    double t = run.thresholdDeg();
    for (int i = 0; i < run.size; i++) {
      if (run.nearestDominant[i]) {
        nearest++;
        if (run.angle[i] > t) {
          outliers++;
        }
        if (run.truth[i] != CleanRun.UNKNOWN) {
          knownInside++;
          if (run.noisy(i)) {
            noisyInside++;
          }
        }
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("faces", run.size);
    m.put("nearest_dominant", nearest);
    m.put("nearest_dominant_share", ratio(nearest, run.size));
    m.put("nearest_non_dominant", run.size - nearest);
    m.put("outliers_inside_dominant", outliers);
    m.put("outlier_share_inside_dominant", ratio(outliers, nearest));
    if (run.hasTruth) {
      m.put("true_noise_share_inside_dominant", ratio(noisyInside, knownInside));
    }
    return m;
  }

  /** Counts per 1° bin of the angle to the dominant sub-centre, split by nearest sub-centre. */
  static Map<String, Object> histograms(CleanRun run) {
    long[] dominant = new long[HISTOGRAM_BINS];
    long[] other = new long[HISTOGRAM_BINS];
    for (int i = 0; i < run.size; i++) {
      int bin = (int) Math.min(HISTOGRAM_BINS - 1, Math.max(0, Math.floor(run.angle[i])));
      (run.nearestDominant[i] ? dominant : other)[bin]++;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("bin_width_deg", 1);
    m.put("first_bin_deg", 0);
    m.put("nearest_dominant", dominant);
    m.put("nearest_non_dominant", other);
    return m;
  }

  /**
   * How many faces each policy drops at every whole threshold in [60°, 90°], before any minimum
   * class size (the per-face rule, {@link CleaningPolicy#faceReason}); with ground truth also
   * precision and recall there.
   */
  static Map<String, Object> sweep(CleanRun run) {
    int n = SWEEP_TO - SWEEP_FROM + 1;
    List<String> names = CleaningPolicy.NAMES;
    CleaningPolicy[][] policies = new CleaningPolicy[names.size()][n];
    for (int p = 0; p < names.size(); p++) {
      for (int t = 0; t < n; t++) {
        policies[p][t] = CleaningPolicy.parse(names.get(p), SWEEP_FROM + t, 0);
      }
    }
    long[][] dropped = new long[names.size()][n];
    long[][] droppedNoisy = new long[names.size()][n];
    long[][] droppedKnown = new long[names.size()][n];
    long noisy = 0;
    for (int i = 0; i < run.size; i++) {
      boolean isNoisy = run.noisy(i);
      boolean known = run.truth[i] != CleanRun.UNKNOWN;
      noisy += isNoisy ? 1 : 0;
      for (int p = 0; p < names.size(); p++) {
        for (int t = 0; t < n; t++) {
          if (policies[p][t].faceReason(run.angle[i], run.nearestDominant[i]) != null) {
            dropped[p][t]++;
            if (known) {
              droppedKnown[p][t]++;
              droppedNoisy[p][t] += isNoisy ? 1 : 0;
            }
          }
        }
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    int[] thresholds = new int[n];
    for (int t = 0; t < n; t++) {
      thresholds[t] = SWEEP_FROM + t;
    }
    m.put("thresholds_deg", thresholds);
    m.put("chosen_threshold_deg", run.thresholdDeg());
    m.put("chosen_policy", run.policy());
    for (int p = 0; p < names.size(); p++) {
      Map<String, Object> pm = new LinkedHashMap<>();
      pm.put("dropped", dropped[p]);
      if (run.hasTruth) {
        double[] precision = new double[n];
        double[] recall = new double[n];
        for (int t = 0; t < n; t++) {
          precision[t] = ratio(droppedNoisy[p][t], droppedKnown[p][t]);
          recall[t] = ratio(droppedNoisy[p][t], noisy);
        }
        pm.put("precision", precision);
        pm.put("recall", recall);
      }
      m.put(names.get(p), pm);
    }
    return m;
  }

  /**
   * Against ground truth: overall precision/recall/F1 of "dropped" vs "noisy", then per noise kind
   * its recall and its precision against clean faces (dropped of that kind over dropped of that
   * kind plus dropped clean faces), and the ROC AUC of the angle as a noise score.
   */
  static Map<String, Object> quality(CleanRun run) {
    if (!run.hasTruth) {
      return null;
    }
    long[] total = new long[4];
    long[] dropped = new long[4];
    for (int i = 0; i < run.size; i++) {
      byte t = run.truth[i];
      if (t == CleanRun.UNKNOWN) {
        continue;
      }
      total[t]++;
      if (run.status[i] != CleanRun.KEPT) {
        dropped[t]++;
      }
    }
    long noisy = total[1] + total[2] + total[3];
    long droppedNoisy = dropped[1] + dropped[2] + dropped[3];
    long droppedAll = droppedNoisy + dropped[0];
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("faces_with_truth", total[0] + noisy);
    m.put("noisy", noisy);
    m.put("dropped", droppedAll);
    m.put("dropped_noisy", droppedNoisy);
    m.put("dropped_clean", dropped[0]);
    DetectionMetrics.Counts overall = new DetectionMetrics.Counts(droppedAll, droppedNoisy, noisy);
    m.put("precision", overall.precision());
    m.put("recall", overall.recall());
    m.put("f1", overall.f1());
    Map<String, Object> kinds = new LinkedHashMap<>();
    for (int k = 1; k < 4; k++) {
      if (total[k] == 0) {
        continue;
      }
      Map<String, Object> km = new LinkedHashMap<>();
      double kp = ratio(dropped[k], dropped[k] + dropped[0]);
      double kr = ratio(dropped[k], total[k]);
      km.put("faces", total[k]);
      km.put("dropped", dropped[k]);
      km.put("precision_vs_clean", kp);
      km.put("recall", kr);
      km.put("f1", f1(kp, kr));
      kinds.put(CleanRun.TRUTH_NAMES[k], km);
    }
    m.put("by_kind", kinds);
    m.put("angle_roc_auc", angleAuc(run));
    m.put(
        "definitions",
        "precision = dropped noisy / dropped; recall = dropped noisy / noisy (prepared faces with"
            + " truth). Per kind: recall = dropped of the kind / faces of the kind,"
            + " precision_vs_clean = dropped of the kind / (dropped of the kind + dropped clean)."
            + " angle_roc_auc: probability that a noisy face has a larger angle to its dominant"
            + " sub-centre than a clean one (ties count half).");
    return m;
  }

  /** Mann–Whitney estimate of the ROC AUC of the angle as a score for "noisy". */
  static double angleAuc(CleanRun run) {
    int noisy = 0;
    int clean = 0;
    for (int i = 0; i < run.size; i++) {
      if (run.truth[i] == CleanRun.UNKNOWN) {
        continue;
      }
      if (run.noisy(i)) {
        noisy++;
      } else {
        clean++;
      }
    }
    double[] a = new double[noisy];
    double[] b = new double[clean];
    int x = 0;
    int y = 0;
    for (int i = 0; i < run.size; i++) {
      if (run.truth[i] == CleanRun.UNKNOWN) {
        continue;
      }
      if (run.noisy(i)) {
        a[x++] = run.angle[i];
      } else {
        b[y++] = run.angle[i];
      }
    }
    return DetectionMetrics.auc(a, b);
  }

  /** Drop rate of every class, binned in 5% steps (20 bins; 100% goes into the last). */
  static long[] classDropRateHistogram(List<Map<String, Object>> classRows) {
    long[] bins = new long[20];
    for (Map<String, Object> c : classRows) {
      double r = ((Number) c.get("drop_rate")).doubleValue();
      bins[Math.min(19, (int) Math.floor(r * 20))]++;
    }
    return bins;
  }

  /** Per class: its row of {@code classes.parquet} plus the drop rate and, with truth, noise. */
  static List<Map<String, Object>> classRows(CleanRun run) {
    Map<Integer, long[]> noisyByLabel = new java.util.HashMap<>();
    if (run.hasTruth) {
      for (int i = 0; i < run.size; i++) {
        if (run.truth[i] == CleanRun.UNKNOWN) {
          continue;
        }
        long[] c = noisyByLabel.computeIfAbsent(run.label[i], k -> new long[2]);
        if (run.noisy(i)) {
          c[0]++;
          if (run.status[i] != CleanRun.KEPT) {
            c[1]++;
          }
        }
      }
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (var c : run.classes) {
      Map<String, Object> m = new LinkedHashMap<>();
      int label = (Integer) c.get("label");
      int samples = (Integer) c.get("samples");
      int kept = (Integer) c.get("kept");
      m.put("label", label);
      m.put("identity", c.get("identity").toString());
      m.put("new_label", c.get("new_label"));
      m.put("samples", samples);
      List<Integer> perSub = new ArrayList<>();
      for (Object o : (List<?>) c.get("samples_per_sub_center")) {
        perSub.add((Integer) o);
      }
      m.put("samples_per_sub_center", perSub);
      m.put("dominant_sub_center", c.get("dominant_sub_center"));
      m.put("dominant_share", c.get("dominant_share"));
      m.put("kept", kept);
      m.put("dropped", samples - kept);
      m.put("dropped_outlier_angle", c.get("dropped_outlier_angle"));
      m.put("dropped_non_dominant", c.get("dropped_non_dominant"));
      m.put("dropped_small_class", c.get("dropped_small_class"));
      m.put("drop_rate", ratio(samples - kept, samples));
      m.put("mean_angle_deg", c.get("mean_angle_deg"));
      m.put("max_angle_deg", c.get("max_angle_deg"));
      if (run.hasTruth) {
        long[] nc = noisyByLabel.getOrDefault(label, new long[2]);
        m.put("noisy_by_truth", nc[0]);
        m.put("noisy_dropped", nc[1]);
      }
      rows.add(m);
    }
    return rows;
  }
}
