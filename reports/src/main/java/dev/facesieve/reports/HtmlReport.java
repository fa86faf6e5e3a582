package dev.facesieve.reports;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import dev.facesieve.datasets.clean.Calibration;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.contract.StageJson;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.annotation.Nullable;

/**
 * Renders {@code report.html} from the report's record tree with the Mustache template {@code
 * report.html.mustache}: the engine escapes every value; only the SVG charts (made by {@link
 * Charts}) and base64 image URIs are inserted raw.
 */
final class HtmlReport {
  private static final Mustache TEMPLATE =
      new DefaultMustacheFactory("dev/facesieve/reports").compile("report.html.mustache");

  /** Relabelled faces shown with thumbnails. */
  static final int MOVES_SHOWN = 12;

  /** Relabelling pairs listed on the page. */
  static final int PAIRS_SHOWN = 20;

  private HtmlReport() {}

  /** What the template shows; names are the template's. */
  record Page(
      String title,
      String version,
      String policy,
      String threshold,
      List<Card> cards,
      List<Entry> dropReasons,
      List<Entry> quarantineReasons,
      boolean hasQuarantine,
      String histogramSvg,
      ThresholdsView thresholds,
      String sweepSvg,
      boolean hasSubclassSweep,
      @Nullable String precisionRecallSvg,
      @Nullable List<QualityRow> quality,
      @Nullable String auc,
      String classRatesSvg,
      RelabelView relabelling,
      List<NoisyClass> noisiest,
      int thumbnailsPerSide,
      List<PairView> pairs,
      int pairsFound,
      int pairsShown,
      String duplicateThreshold,
      @Nullable String duplicatesSkipped,
      @Nullable Integer centresCompared,
      List<ClassView> classRows,
      boolean hasTruth,
      int classesTotal,
      boolean tableTruncated,
      int tableShown,
      List<Entry> provenance) {}

  /**
   * How the thresholds were chosen: what auto chose, in words, and the two calibration charts (null
   * without calibration).
   */
  record ThresholdsView(
      List<String> sentences, @Nullable String personCutSvg, @Nullable String faceCutSvg) {}

  /** The relabelling section: counts, the most frequent pairs, a few moves with thumbnails. */
  record RelabelView(
      boolean enabled,
      String count,
      boolean any,
      @Nullable String precision,
      List<PairRow> pairs,
      List<MoveView> moves) {}

  /** A (class left → class joined) pair and how many faces moved. */
  record PairRow(String from, String to, long faces) {}

  /** One move: the face, the class it left and joined, its angles, a face of the new class. */
  record MoveView(
      String id,
      String from,
      String to,
      String angleToOld,
      String angleToNew,
      String dataUri,
      @Nullable String targetUri) {}

  /** A headline number. */
  record Card(String label, String value, String note) {}

  /** A key and its value as text. */
  record Entry(String key, String value) {}

  /** A row of the quality table. */
  record QualityRow(
      String kind, long faces, long dropped, String precision, String recall, String f1) {}

  /** A noisy class with its thumbnails. */
  record NoisyClass(
      int label,
      String identity,
      int samples,
      int dropped,
      String dropRatePct,
      List<Thumbnails.Thumb> keptThumbs,
      List<Thumbnails.Thumb> droppedThumbs) {}

  /** A suspected duplicate identity with thumbnails of both classes. */
  record PairView(
      int labelA,
      String identityA,
      int labelB,
      String identityB,
      String angle,
      String cosine,
      List<Thumbnails.Thumb> thumbsA,
      List<Thumbnails.Thumb> thumbsB) {}

  /** A row of the per-class table. */
  record ClassView(
      int label,
      String identity,
      int samples,
      int kept,
      int dropped,
      String dropRate,
      String dropRatePct,
      String perSubCenter,
      int dominantSubCenter,
      String dominantShare,
      String meanAngle,
      String maxAngle,
      boolean hasTruth,
      @Nullable Long noisyByTruth) {}

  static String render(CleanRun run, ReportJson report, NoiseReport.Options o) throws IOException {
    ReportJson.Totals totals = report.totals();
    ReportJson.NoiseRate noise = report.noiseRate();
    ReportJson.DominantSubClasses dominant = report.dominantSubClasses();
    ReportJson.ThresholdSweep sweep = report.thresholdSweep();
    ReportJson.Quality quality = report.qualityVsTruth();
    ReportJson.Duplicates dups = report.duplicateIdentities();
    List<ReportJson.ClassRow> classes = report.classes();
    double threshold = run.thresholdDeg();

    List<Card> cards = new ArrayList<>();
    cards.add(new Card("input records", count(totals.input()), "everything read"));
    cards.add(
        new Card("kept", count(totals.kept()), pct(totals.kept(), totals.input()) + " of input"));
    cards.add(
        new Card(
            "dropped as noise",
            count(totals.dropped()),
            pct(noise.droppedShareOfPrepared()) + " of faces cleaned"));
    cards.add(
        new Card("quarantined", count(totals.quarantined()), "unreadable or invalid, by prepare"));
    cards.add(
        new Card(
            "estimated noise",
            pct(noise.removedShareOfInput()),
            "dropped + quarantined, of all input"));
    cards.add(
        new Card(
            "nearest the dominant sub-centre",
            pct(dominant.nearestDominantShare()),
            "of faces cleaned"));
    cards.add(
        new Card(
            "outliers inside dominant sub-classes",
            pct(dominant.outlierShareInsideDominant()),
            "angle > " + Charts.fmt(threshold) + "°"));
    cards.add(
        new Card(
            "classes",
            count(totals.classesBefore()) + " → " + count(totals.classesAfter()),
            "before → after"));
    if (report.relabelling().enabled() || report.relabelling().relabelled() > 0) {
      cards.add(
          new Card(
              "relabelled", count(report.relabelling().relabelled()), "kept under another class"));
    }
    if (quality != null) {
      cards.add(
          new Card(
              "precision / recall",
              String.format(Locale.ROOT, "%.3f / %.3f", quality.precision(), quality.recall()),
              "of \"dropped\" vs ground-truth noise"));
    }
    List<Entry> quarantine = entries(totals.quarantinedByReason());

    String histogramSvg =
        Charts.angleHistogram(
            report.angleHistograms().nearestDominant(),
            report.angleHistograms().nearestNonDominant(),
            threshold);
    int[] thresholds = sweep.thresholdsDeg();
    String sweepSvg =
        Charts.sweep(
            thresholds,
            sweep.dropPy().dropped(),
            sweep.strict().dropped(),
            sweep.subclass() == null ? null : sweep.subclass().dropped(),
            threshold);
    String precisionRecallSvg = null;
    if (quality != null) {
      ReportJson.PolicySweep chosen = sweep.of(run.policy());
      precisionRecallSvg =
          Charts.precisionRecall(thresholds, chosen.precision(), chosen.recall(), threshold);
    }

    List<ReportJson.ClassRow> noisiest =
        NoiseReport.noisiestFirst(classes).stream()
            .filter(c -> c.dropped() > 0)
            .limit(o.noisiestClasses())
            .toList();
    List<ReportJson.DuplicatePair> pairs = dups.pairs();
    List<ReportJson.DuplicatePair> shownPairs = pairs.subList(0, Math.min(50, pairs.size()));
    Set<Integer> thumbLabels = new LinkedHashSet<>();
    noisiest.forEach(c -> thumbLabels.add(c.label()));
    shownPairs.forEach(
        p -> {
          thumbLabels.add(p.labelA());
          thumbLabels.add(p.labelB());
        });
    // the classes moved faces joined, for a face of each beside the move
    Map<Integer, Integer> labelOfNew = new HashMap<>();
    for (var c : run.classes()) {
      labelOfNew.put((Integer) c.get("new_label"), (Integer) c.get("label"));
    }
    report.relabelling().pairs().stream()
        .limit(MOVES_SHOWN)
        .forEach(p -> thumbLabels.add(p.toLabel()));
    Thumbnails.Collected collected =
        Thumbnails.collect(
            run.dir(),
            thumbLabels,
            o.thumbnailsPerSide(),
            o.thumbnailsPerSide() > 0 ? MOVES_SHOWN : 0);
    Map<Integer, Thumbnails.ClassThumbs> thumbs = collected.classes();
    List<NoisyClass> noisiestView = new ArrayList<>();
    for (ReportJson.ClassRow c : noisiest) {
      Thumbnails.ClassThumbs t = thumbs.getOrDefault(c.label(), Thumbnails.ClassThumbs.NONE);
      noisiestView.add(
          new NoisyClass(
              c.label(),
              c.identity(),
              c.samples(),
              c.dropped(),
              pct(c.dropRate()),
              t.kept(),
              t.dropped()));
    }

    List<PairView> pairView = new ArrayList<>();
    for (ReportJson.DuplicatePair p : shownPairs) {
      pairView.add(
          new PairView(
              p.labelA(),
              p.identityA(),
              p.labelB(),
              p.identityB(),
              String.format(Locale.ROOT, "%.1f", p.angleDeg()),
              String.format(Locale.ROOT, "%.3f", p.cosine()),
              thumbs.getOrDefault(p.labelA(), Thumbnails.ClassThumbs.NONE).kept(),
              thumbs.getOrDefault(p.labelB(), Thumbnails.ClassThumbs.NONE).kept()));
    }

    List<ClassView> tableRows = new ArrayList<>();
    List<ReportJson.ClassRow> sortedForTable = NoiseReport.noisiestFirst(classes);
    for (ReportJson.ClassRow c :
        sortedForTable.subList(0, Math.min(o.maxTableRows(), classes.size()))) {
      tableRows.add(
          new ClassView(
              c.label(),
              c.identity(),
              c.samples(),
              c.kept(),
              c.dropped(),
              String.format(Locale.ROOT, "%.4f", c.dropRate()),
              pct(c.dropRate()),
              c.samplesPerSubCenter().toString(),
              c.dominantSubCenter(),
              String.format(Locale.ROOT, "%.3f", c.dominantShare()),
              String.format(Locale.ROOT, "%.1f", c.meanAngleDeg()),
              String.format(Locale.ROOT, "%.1f", c.maxAngleDeg()),
              c.noisyByTruth() != null,
              c.noisyByTruth()));
    }

    ReportJson.Source source = report.source();
    List<Entry> prov = new ArrayList<>();
    prov.add(new Entry("clean_output", source.cleanOutput()));
    prov.add(new Entry("data", String.valueOf(source.data())));
    prov.add(new Entry("data_fingerprint", String.valueOf(source.dataFingerprint())));
    prov.add(new Entry("model", String.valueOf(source.model())));
    prov.add(new Entry("model_sha256", String.valueOf(source.modelSha256())));
    prov.add(new Entry("truth", source.truth()));
    if (report.options() != null) {
      // every option the summary recorded, as report.json lists them
      StageJson.MAPPER
          .valueToTree(report.options())
          .fields()
          .forEachRemaining(
              e -> prov.add(new Entry("option " + e.getKey(), e.getValue().asText())));
    }

    Page page =
        new Page(
            "FaceSieve noise report — " + run.location().toAbsolutePath().getFileName(),
            report.facesieveVersion(),
            run.policy(),
            Charts.fmt(threshold),
            cards,
            entries(totals.droppedByReason()),
            quarantine,
            !quarantine.isEmpty(),
            histogramSvg,
            thresholds(report.calibration(), run.policy(), threshold),
            sweepSvg,
            sweep.subclass() != null,
            precisionRecallSvg,
            quality == null ? null : qualityRows(quality),
            quality == null ? null : String.format(Locale.ROOT, "%.3f", quality.angleRocAuc()),
            Charts.classDropRates(report.classDropRateHistogram()),
            relabelView(report.relabelling(), collected.moves(), labelOfNew, thumbs),
            noisiestView,
            o.thumbnailsPerSide(),
            pairView,
            dups.pairsFound(),
            pairView.size(),
            Charts.fmt(o.duplicateThresholdDeg()),
            dups.skipped(),
            dups.centresCompared(),
            tableRows,
            quality != null,
            classes.size(),
            classes.size() > tableRows.size(),
            tableRows.size(),
            prov);

    StringWriter w = new StringWriter();
    TEMPLATE.execute(w, page).flush();
    return w.toString();
  }

  /** What auto chose and why, in words, with the calibration charts. */
  static ThresholdsView thresholds(
      @Nullable ReportJson.CalibrationReport c, String policy, double thresholdDeg) {
    List<String> said = new ArrayList<>();
    if (c == null) {
      said.add(
          "No calibration ran: the "
              + policy
              + " policy decided at the "
              + Charts.fmt(thresholdDeg)
              + "° given on the command line.");
      return new ThresholdsView(said, null, null);
    }
    Calibration cal = c.fromData();
    Calibration.Evidence e = cal.evidence();
    if (c.otherPersonDeg() != null) {
      said.add(
          "Another person: a non-dominant sub-class whose centroid lies more than "
              + Charts.fmt(c.otherPersonDeg())
              + "° from its class's dominant one is dropped whole ("
              + (c.otherPersonAuto()
                  ? "auto: the "
                      + Charts.fmt(Calibration.OTHER_PERSON_PERCENTILE)
                      + "th percentile of the angles from "
                      + e.classesSearched()
                      + " classes to their nearest other class, "
                      + deg(e.nearestOtherPercentileDeg())
                      + ", and at least "
                      + Charts.fmt(Calibration.OTHER_PERSON_FLOOR_DEG)
                      + "°"
                  : "set with --other-person-deg")
              + ").");
    }
    said.add(
        "Outlier: a face more than "
            + Charts.fmt(c.thresholdDeg())
            + "° from "
            + (CleaningPolicy.SUBCLASS.equals(policy)
                ? "its person's centroid"
                : "its class's dominant sub-centre")
            + " is dropped ("
            + (c.thresholdAuto()
                ? "auto: arccos(cos α · cos δ) with α the median face angle "
                    + deg(e.faceMedianDeg())
                    + " and δ the another-person cut "
                    + Charts.fmt(cal.otherPersonDeg())
                    + "°, where a typical face of the nearest look-alike would sit"
                : "set with --threshold-deg")
            + ").");
    if (c.relabel()) {
      said.add(
          "Relabelling: a dropped face moves to another class only within "
              + Charts.fmt(cal.relabelFaceDeg())
              + "° of that class's centroid (the median face angle: as close as a typical face"
              + " of that person).");
    } else if (c.collapsed()) {
      said.add(
          "The nearest-other-class percentile ("
              + deg(e.nearestOtherPercentileDeg())
              + ") fell below the "
              + Charts.fmt(Calibration.OTHER_PERSON_FLOOR_DEG)
              + "° floor: many classes share a person, so relabelling was turned off.");
    }
    return new ThresholdsView(
        said,
        Charts.personCut(e.sameClassSubclassDeg(), e.nearestOtherClassDeg(), cal.otherPersonDeg()),
        Charts.faceCut(e.faceDeg(), e.faceMedianDeg(), c.thresholdDeg()));
  }

  private static String deg(double d) {
    return Double.isFinite(d) ? String.format(Locale.ROOT, "%.1f°", d) : "n/a";
  }

  /** The relabelling section's view; moves come with a kept face of the class they joined. */
  static RelabelView relabelView(
      ReportJson.Relabelling r,
      List<Thumbnails.MoveThumb> moves,
      Map<Integer, Integer> labelOfNew,
      Map<Integer, Thumbnails.ClassThumbs> thumbs) {
    List<PairRow> pairs = new ArrayList<>();
    for (ReportJson.RelabelPair p : r.pairs().subList(0, Math.min(PAIRS_SHOWN, r.pairs().size()))) {
      pairs.add(
          new PairRow(
              p.fromIdentity() + " (label " + p.fromLabel() + ")",
              p.toIdentity() + " (label " + p.toLabel() + ")",
              p.faces()));
    }
    List<MoveView> views = new ArrayList<>();
    for (Thumbnails.MoveThumb m : moves) {
      Integer to = labelOfNew.get(m.toNewLabel());
      List<Thumbnails.Thumb> target =
          to == null ? List.of() : thumbs.getOrDefault(to, Thumbnails.ClassThumbs.NONE).kept();
      views.add(
          new MoveView(
              m.id(),
              m.fromIdentity(),
              m.toIdentity(),
              String.format(Locale.ROOT, "%.1f", m.angleToOldDeg()),
              String.format(Locale.ROOT, "%.1f", m.angleToNewDeg()),
              m.dataUri(),
              target.isEmpty() ? null : target.get(0).dataUri()));
    }
    String precision =
        r.relabelPrecision() == null
            ? null
            : String.format(
                Locale.ROOT,
                "%.3f (moves to the face's true identity: %d)",
                r.relabelPrecision(),
                r.relabelCorrect());
    return new RelabelView(
        r.enabled(), count(r.relabelled()), r.relabelled() > 0, precision, pairs, views);
  }

  private static List<QualityRow> qualityRows(ReportJson.Quality q) {
    List<QualityRow> rows = new ArrayList<>();
    rows.add(qrow("all noise", q.noisy(), q.droppedNoisy(), q.precision(), q.recall(), q.f1()));
    ReportJson.ByKind kinds = q.byKind();
    addKind(rows, CleanRun.TRUTH_NAMES[CleanRun.CLOSE_SET], kinds.closeSet());
    addKind(rows, CleanRun.TRUTH_NAMES[CleanRun.OPEN_SET], kinds.openSet());
    addKind(rows, CleanRun.TRUTH_NAMES[CleanRun.OTHER_NOISE], kinds.other());
    return rows;
  }

  private static void addKind(
      List<QualityRow> rows, String kind, @Nullable ReportJson.KindQuality k) {
    if (k != null) {
      rows.add(qrow(kind, k.faces(), k.dropped(), k.precisionVsClean(), k.recall(), k.f1()));
    }
  }

  private static QualityRow qrow(
      String kind, long faces, long dropped, double p, double r, double f1) {
    return new QualityRow(
        kind,
        faces,
        dropped,
        String.format(Locale.ROOT, "%.3f", p),
        String.format(Locale.ROOT, "%.3f", r),
        String.format(Locale.ROOT, "%.3f", f1));
  }

  /** The counts by reason in key order, as {@code report.json} lists them. */
  private static List<Entry> entries(@Nullable Map<String, Long> m) {
    List<Entry> out = new ArrayList<>();
    if (m != null) {
      new TreeMap<>(m).forEach((k, v) -> out.add(new Entry(k, String.valueOf(v))));
    }
    return out;
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  static String pct(double share) {
    return String.format(Locale.ROOT, "%.1f%%", 100 * share);
  }

  static String pct(long a, long b) {
    return pct(b == 0 ? 0.0 : (double) a / b);
  }
}
