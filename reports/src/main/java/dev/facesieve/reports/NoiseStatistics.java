package dev.facesieve.reports;

import static dev.facesieve.datasets.clean.DetectionMetrics.f1;
import static dev.facesieve.datasets.clean.DetectionMetrics.ratio;

import dev.facesieve.datasets.clean.Calibration;
import dev.facesieve.datasets.clean.ClassSummary;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.clean.DetectionMetrics;
import dev.facesieve.datasets.clean.DropReason;
import dev.facesieve.datasets.clean.PersonCuts;
import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.datasets.contract.InterClassFiles;
import dev.facesieve.reports.ReportJson.AngleHistograms;
import dev.facesieve.reports.ReportJson.ByKind;
import dev.facesieve.reports.ReportJson.CalibrationReport;
import dev.facesieve.reports.ReportJson.ClassRow;
import dev.facesieve.reports.ReportJson.DominantSubClasses;
import dev.facesieve.reports.ReportJson.DuplicateIdentities;
import dev.facesieve.reports.ReportJson.DuplicateImages;
import dev.facesieve.reports.ReportJson.IdentityGroup;
import dev.facesieve.reports.ReportJson.InterClassReport;
import dev.facesieve.reports.ReportJson.KindQuality;
import dev.facesieve.reports.ReportJson.PolicySweep;
import dev.facesieve.reports.ReportJson.Quality;
import dev.facesieve.reports.ReportJson.RelabelPair;
import dev.facesieve.reports.ReportJson.Relabelling;
import dev.facesieve.reports.ReportJson.TestOverlap;
import dev.facesieve.reports.ReportJson.ThresholdSweep;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.annotation.Nullable;

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

  /** Relabelling pairs listed in {@code report.json} at most. */
  static final int MAX_RELABEL_PAIRS = 100;

  /**
   * Duplicate-identity groups, duplicate-image pairs and test-overlap classes listed in {@code
   * report.json} at most, each.
   */
  static final int MAX_LISTED = 1000;

  /** Angle histograms use 1° bins over [0°, 180°]; bin i holds angles in [i, i+1). */
  static final int HISTOGRAM_BINS = 181;

  /** Faces nearest their dominant sub-centre, and the share of those beyond the threshold. */
  static DominantSubClasses dominantSubClasses(CleanRun run) {
    long nearest = 0;
    long outliers = 0;
    long noisyInside = 0;
    long knownInside = 0;
    double t = run.thresholdDeg();
    for (int i = 0; i < run.size; i++) {
      if (run.nearestDominant[i]) {
        nearest++;
        if (run.dominantAngle[i] > t) {
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
    return new DominantSubClasses(
        run.size,
        nearest,
        ratio(nearest, run.size),
        run.size - nearest,
        outliers,
        ratio(outliers, nearest),
        run.hasTruth ? ratio(noisyInside, knownInside) : null);
  }

  /** Counts per 1° bin of the angle to the dominant sub-centre, split by nearest sub-centre. */
  static AngleHistograms histograms(CleanRun run) {
    long[] dominant = new long[HISTOGRAM_BINS];
    long[] other = new long[HISTOGRAM_BINS];
    for (int i = 0; i < run.size; i++) {
      int bin = (int) Math.min(HISTOGRAM_BINS - 1, Math.max(0, Math.floor(run.dominantAngle[i])));
      (run.nearestDominant[i] ? dominant : other)[bin]++;
    }
    return new AngleHistograms(1, 0, dominant, other);
  }

  /**
   * How many faces each policy drops at every whole threshold in [60°, 90°], before any minimum
   * class size (the per-face rule, {@link CleaningPolicy#faceReason}); with ground truth also
   * precision and recall there.
   *
   * <p>{@code drop-py} and {@code strict} judge the angle to the dominant sub-centre. {@code
   * subclass} is swept only for a {@code subclass} run, the only one that recorded the angle to the
   * person's centroid; its sub-class decisions are not re-run: a face the run dropped as {@code
   * OTHER_PERSON} stays dropped at every threshold. Relabelling is not re-run either: a moved face
   * is judged by the per-face rule on its angle like any other. Faces removed across classes (a
   * duplicate identity, a duplicate image, a test identity) are removed at every threshold and are
   * not label noise, so the sweep leaves them out.
   */
  static ThresholdSweep sweep(CleanRun run) {
    int n = SWEEP_TO - SWEEP_FROM + 1;
    List<String> names =
        CleaningPolicy.NAMES.stream()
            .filter(p -> run.subclass || !p.equals(CleaningPolicy.SUBCLASS))
            .toList();
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
      if (CleanRun.interClass(run.status[i])) {
        continue;
      }
      boolean isNoisy = run.noisy(i);
      boolean known = run.truth[i] != CleanRun.UNKNOWN;
      noisy += isNoisy ? 1 : 0;
      for (int p = 0; p < names.size(); p++) {
        boolean subclass = policies[p][0].kind() == CleaningPolicy.Kind.SUBCLASS;
        double a = subclass ? run.angle[i] : run.dominantAngle[i];
        boolean otherPerson = subclass && run.status[i] == CleanRun.OTHER_PERSON;
        for (int t = 0; t < n; t++) {
          if (otherPerson || policies[p][t].faceReason(a, run.nearestDominant[i]) != null) {
            dropped[p][t]++;
            if (known) {
              droppedKnown[p][t]++;
              droppedNoisy[p][t] += isNoisy ? 1 : 0;
            }
          }
        }
      }
    }
    int[] thresholds = new int[n];
    for (int t = 0; t < n; t++) {
      thresholds[t] = SWEEP_FROM + t;
    }
    Map<String, PolicySweep> byName = new HashMap<>();
    for (int p = 0; p < names.size(); p++) {
      double[] precision = null;
      double[] recall = null;
      if (run.hasTruth) {
        precision = new double[n];
        recall = new double[n];
        for (int t = 0; t < n; t++) {
          precision[t] = ratio(droppedNoisy[p][t], droppedKnown[p][t]);
          recall[t] = ratio(droppedNoisy[p][t], noisy);
        }
      }
      byName.put(names.get(p), new PolicySweep(dropped[p], precision, recall));
    }
    return new ThresholdSweep(
        thresholds,
        run.thresholdDeg(),
        run.policy(),
        byName.get(CleaningPolicy.DROP_PY),
        byName.get(CleaningPolicy.STRICT),
        byName.get(CleaningPolicy.SUBCLASS));
  }

  /**
   * Against ground truth: overall precision/recall/F1 of "dropped" vs "noisy", then per noise kind
   * its recall and its precision against clean faces (dropped of that kind over dropped of that
   * kind plus dropped clean faces), and the ROC AUC of the angle as a noise score.
   *
   * <p>A face relabelling moved to another class left its class, so it counts as dropped here, as
   * in {@code summary.json}'s {@code quality_vs_truth}; the definitions say so when a face moved.
   */
  static Quality quality(CleanRun run) {
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
      if (run.status[i] != CleanRun.KEPT || run.moved[i]) {
        dropped[t]++;
      }
    }
    long noisy = total[1] + total[2] + total[3];
    long droppedNoisy = dropped[1] + dropped[2] + dropped[3];
    long droppedAll = droppedNoisy + dropped[0];
    DetectionMetrics.Counts overall = new DetectionMetrics.Counts(droppedAll, droppedNoisy, noisy);
    KindQuality[] kinds = new KindQuality[4];
    for (int k = 1; k < 4; k++) {
      if (total[k] == 0) {
        continue;
      }
      double kp = ratio(dropped[k], dropped[k] + dropped[0]);
      double kr = ratio(dropped[k], total[k]);
      kinds[k] = new KindQuality(total[k], dropped[k], kp, kr, f1(kp, kr));
    }
    return new Quality(
        total[0] + noisy,
        noisy,
        droppedAll,
        droppedNoisy,
        dropped[0],
        overall.precision(),
        overall.recall(),
        overall.f1(),
        new ByKind(
            kinds[CleanRun.CLOSE_SET], kinds[CleanRun.OPEN_SET], kinds[CleanRun.OTHER_NOISE]),
        angleAuc(run),
        run.movedCount > 0 ? Quality.DEFINITIONS + Quality.RELABELLED : Quality.DEFINITIONS);
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
        a[x++] = run.dominantAngle[i];
      } else {
        b[y++] = run.dominantAngle[i];
      }
    }
    return DetectionMetrics.auc(a, b);
  }

  /** Drop rate of every class, binned in 5% steps (20 bins; 100% goes into the last). */
  static long[] classDropRateHistogram(List<ClassRow> classRows) {
    long[] bins = new long[20];
    for (ClassRow c : classRows) {
      double r = c.dropRate();
      bins[Math.min(19, (int) Math.floor(r * 20))]++;
    }
    return bins;
  }

  /**
   * Per class: its row of {@code classes.parquet} plus the drop rate and, with truth, noise. A
   * class's {@code kept} excludes the faces relabelling moved out, so {@code samples = kept +
   * dropped + relabelled_out}; columns an older {@code classes.parquet} lacks read as 0.
   */
  static List<ClassRow> classRows(CleanRun run) {
    Map<Integer, long[]> noisyByLabel = new HashMap<>();
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
    List<ClassRow> rows = new ArrayList<>();
    for (var c : run.classes) {
      // ClassSummary reads the row, columns an older file lacks as 0
      ClassSummary s = ClassSummary.fromAvro(c);
      int samples = s.samples();
      int kept = s.kept();
      int movedOut = s.relabelledOut();
      List<Integer> perSub = new ArrayList<>();
      for (int v : s.samplesPerSubCenter()) {
        perSub.add(v);
      }
      long[] nc = run.hasTruth ? noisyByLabel.getOrDefault(s.label(), new long[2]) : null;
      rows.add(
          new ClassRow(
              s.label(),
              s.identity(),
              (Integer) c.get("new_label"),
              samples,
              perSub,
              s.dominant(),
              (Double) c.get("dominant_share"),
              kept,
              samples - kept - movedOut,
              s.dropped(DropReason.OUTLIER_ANGLE),
              s.dropped(DropReason.NON_DOMINANT),
              s.dropped(DropReason.SMALL_CLASS),
              s.dropped(DropReason.OTHER_PERSON),
              s.dropped(DropReason.DUPLICATE_IDENTITY),
              s.dropped(DropReason.DUPLICATE_IMAGE),
              s.dropped(DropReason.TEST_OVERLAP),
              movedOut,
              ratio(samples - kept - movedOut, samples),
              s.meanAngleDeg(),
              s.maxAngleDeg(),
              nc == null ? null : nc[0],
              nc == null ? null : nc[1],
              groupRows(run, s)));
    }
    return rows;
  }

  /** The evidence of each sub-class of a {@code subclass} run's class; null without it. */
  @Nullable
  private static List<ReportJson.GroupRow> groupRows(CleanRun run, ClassSummary s) {
    ClassSummary.Groups g = s.groups();
    if (g == null) {
      return null;
    }
    Calibration cal = run.summary.calibration();
    Double spread = cal == null || cal.cuts() == null ? null : cal.personSpreadDeg();
    List<ReportJson.GroupRow> out = new ArrayList<>();
    for (int j = 0; j < g.spreadDeg().length; j++) {
      int faces = s.samplesPerSubCenter()[j];
      if (faces == 0) {
        continue;
      }
      out.add(
          new ReportJson.GroupRow(
              j,
              faces,
              finite(g.angleToDominantDeg()[j]),
              finite(g.spreadDeg()[j]),
              spread == null ? null : finite(PersonCuts.coherentWithinDeg(spread, faces)),
              j == s.dominant()
                  ? "dominant"
                  : g.otherPerson()[j] ? "another person" : "same person"));
    }
    return out;
  }

  @Nullable
  private static Double finite(double v) {
    return Double.isFinite(v) ? Math.round(v * 10) / 10.0 : null;
  }

  /**
   * The relabelling section: faces moved, the most frequent (class left → class joined) pairs, with
   * the report's truth how many moved faces are noise, and from {@code summary.json} how many went
   * to their true identity (only the clean run knew true identities).
   */
  static Relabelling relabelling(CleanRun run) {
    Map<Integer, String> identityOf = new HashMap<>();
    Map<Integer, Integer> labelOfNew = new HashMap<>();
    for (var c : run.classes) {
      int label = (Integer) c.get("label");
      identityOf.put(label, c.get("identity").toString());
      int newLabel = (Integer) c.get("new_label");
      if (newLabel >= 0) {
        labelOfNew.put(newLabel, label);
      }
    }
    List<RelabelPair> pairs = new ArrayList<>();
    run.moves.forEach(
        (m, faces) -> {
          Integer to = labelOfNew.get(m.toNewLabel());
          pairs.add(
              new RelabelPair(
                  m.fromLabel(),
                  identityOf.get(m.fromLabel()),
                  to == null ? -1 : to,
                  to == null ? null : identityOf.get(to),
                  faces));
        });
    pairs.sort(
        Comparator.comparingLong((RelabelPair p) -> -p.faces())
            .thenComparingInt(RelabelPair::fromLabel)
            .thenComparingInt(RelabelPair::toLabel));
    long known = 0;
    long noisy = 0;
    for (int i = 0; i < run.size; i++) {
      if (run.moved[i] && run.truth[i] != CleanRun.UNKNOWN) {
        known++;
        noisy += run.noisy(i) ? 1 : 0;
      }
    }
    CleanSummary.QualityVsTruth q = run.summary.qualityVsTruth();
    boolean precisionKnown = q != null && q.relabelPrecision() != null;
    CleanSummary.Options o = run.summary.options();
    return new Relabelling(
        o != null && o.relabel(),
        run.movedCount,
        pairs.size(),
        pairs.subList(0, Math.min(MAX_RELABEL_PAIRS, pairs.size())),
        run.hasTruth ? known : null,
        run.hasTruth ? noisy : null,
        precisionKnown ? q.relabelCorrect() : null,
        precisionKnown ? q.relabelPrecision() : null,
        Relabelling.DEFINITIONS);
  }

  /**
   * The calibration section: the thresholds the run decided with, whether each was read from the
   * data, and what {@code summary.json}'s calibration read them from; null when the run had no
   * calibration (fixed thresholds and no relabelling, or outputs from before calibration existed).
   */
  @Nullable
  static CalibrationReport calibration(CleanRun run) {
    Calibration c = run.summary.calibration();
    CleanSummary.Options o = run.summary.options();
    if (c == null || o == null) {
      return null;
    }
    return new CalibrationReport(
        o.thresholdDeg(),
        o.thresholdAuto(),
        o.otherPersonDeg(),
        o.otherPersonAuto(),
        o.relabel(),
        c.collapsed(),
        (int) Calibration.BIN_DEG,
        c);
  }

  /**
   * What cleaning did across classes, from {@code summary.json}'s {@code inter_class} and the three
   * CSV files; null for a run from before inter-class cleaning. Lists are ordered least certain
   * first (see {@link ReportJson.DuplicateIdentities}, {@link ReportJson.DuplicateImages}, {@link
   * ReportJson.TestOverlap}) and cut at {@link #MAX_LISTED}.
   */
  @Nullable
  static InterClassReport interClass(CleanRun run) {
    CleanSummary.InterClass ic = run.summary.interClass();
    if (ic == null) {
      return null;
    }
    Map<String, Long> byReason = run.summary.droppedByReason();
    return new InterClassReport(
        duplicateIdentities(run, ic, dropped(byReason, DropReason.DUPLICATE_IDENTITY)),
        duplicateImages(run, ic),
        testOverlap(run, ic, dropped(byReason, DropReason.TEST_OVERLAP)));
  }

  private static long dropped(@Nullable Map<String, Long> byReason, DropReason r) {
    return byReason == null ? 0 : byReason.getOrDefault(r.name(), 0L);
  }

  private static DuplicateIdentities duplicateIdentities(
      CleanRun run, CleanSummary.InterClass ic, long facesDropped) {
    Map<Integer, List<InterClassFiles.Merge>> byGroup = new TreeMap<>();
    for (InterClassFiles.Merge m : run.merges) {
      byGroup.computeIfAbsent(m.group(), g -> new ArrayList<>()).add(m);
    }
    List<IdentityGroup> groups = new ArrayList<>();
    byGroup.forEach(
        (g, members) -> {
          List<InterClassFiles.Merge> sorted = new ArrayList<>(members);
          // the keeper first, then the others nearest it first
          sorted.sort(
              Comparator.comparing((InterClassFiles.Merge m) -> !m.action().equals("keeper"))
                  .thenComparingDouble(InterClassFiles.Merge::angleDeg)
                  .thenComparingInt(InterClassFiles.Merge::label));
          InterClassFiles.Merge keeper = sorted.get(0);
          double max = sorted.stream().mapToDouble(InterClassFiles.Merge::angleDeg).max().orElse(0);
          groups.add(new IdentityGroup(g, keeper.label(), keeper.identity(), max, sorted));
        });
    groups.sort(
        Comparator.comparingDouble((IdentityGroup g) -> -g.maxAngleDeg())
            .thenComparingInt(IdentityGroup::group));
    List<IdentityGroup> listed = groups.subList(0, Math.min(MAX_LISTED, groups.size()));
    return new DuplicateIdentities(
        ic.duplicateIdentities(),
        ic.duplicateIdentityDeg(),
        ic.duplicateIdentityAuto(),
        ic.duplicateGroups(),
        ic.classesInGroups(),
        ic.mergedFaces(),
        facesDropped,
        listed.size(),
        List.copyOf(listed),
        ic.truth() == null ? null : ic.truth().duplicateIdentities());
  }

  private static DuplicateImages duplicateImages(CleanRun run, CleanSummary.InterClass ic) {
    long exact = 0;
    long near = 0;
    long dropped = 0;
    long reported = 0;
    long across = 0;
    List<InterClassFiles.DuplicateImage> within = new ArrayList<>();
    List<InterClassFiles.DuplicateImage> acrossRows = new ArrayList<>();
    for (InterClassFiles.DuplicateImage d : run.duplicateImages) {
      if (InterClassFiles.ACROSS_CLASSES.equals(d.scope())) {
        across++;
        acrossRows.add(d);
        continue;
      }
      within.add(d);
      if (d.exact()) {
        exact++;
      } else {
        near++;
      }
      if (d.action().equals("dropped")) {
        dropped++;
      } else {
        reported++;
      }
    }
    // nearest the threshold first: the copies worth a look; exact copies (equal bytes) last
    within.sort(
        Comparator.comparing(InterClassFiles.DuplicateImage::exact)
            .thenComparingDouble(d -> -d.angleDeg())
            .thenComparing(InterClassFiles.DuplicateImage::id));
    acrossRows.sort(Comparator.comparing(InterClassFiles.DuplicateImage::id));
    List<InterClassFiles.DuplicateImage> listed = new ArrayList<>(within);
    listed.addAll(acrossRows);
    listed = listed.subList(0, Math.min(MAX_LISTED, listed.size()));
    return new DuplicateImages(
        ic.duplicateImages(),
        ic.nearDuplicateDeg(),
        ic.nearDuplicateAuto(),
        exact,
        near,
        dropped,
        reported,
        across,
        listed.size(),
        List.copyOf(listed),
        ic.truth() == null ? null : ic.truth().duplicateImages());
  }

  private static TestOverlap testOverlap(
      CleanRun run, CleanSummary.InterClass ic, long facesDropped) {
    List<InterClassFiles.TestOverlap> rows = new ArrayList<>(run.testOverlap);
    rows.sort(
        Comparator.comparingDouble((InterClassFiles.TestOverlap t) -> -t.angleDeg())
            .thenComparingInt(InterClassFiles.TestOverlap::label));
    List<InterClassFiles.TestOverlap> listed = rows.subList(0, Math.min(MAX_LISTED, rows.size()));
    return new TestOverlap(
        ic.excludeIdentitiesOf(),
        ic.testIdentities(),
        ic.testOverlapClasses(),
        facesDropped,
        listed.size(),
        List.copyOf(listed),
        TestOverlap.DEFINITIONS,
        ic.truth() == null ? null : ic.truth().testOverlap());
  }
}
