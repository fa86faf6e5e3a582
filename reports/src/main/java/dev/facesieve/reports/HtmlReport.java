package dev.facesieve.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import dev.facesieve.datasets.clean.Calibration;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.datasets.contract.InterClassFiles;
import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.datasets.io.LocalFiles;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import javax.annotation.Nullable;

/**
 * Renders {@code report.html} and, in the folder {@link NoiseReport#PAGES_DIR} beside it, a page
 * per class and the whole class table in pages, from the report's record tree with Mustache
 * templates: the engine escapes every value; only the SVG charts (made by {@link Charts}) and
 * base64 image URIs are inserted raw.
 *
 * <p>{@code report.html} stays small at any number of classes: thumbnails of {@link
 * NoiseReport.Options#noisiestClasses} classes and the first table page. Every class gets its page
 * whatever the options, so regenerating a report rewrites the same set of files (the clean output's
 * ownership record lists them).
 */
final class HtmlReport {
  private static final DefaultMustacheFactory TEMPLATES =
      new DefaultMustacheFactory("dev/facesieve/reports");
  private static final Mustache TEMPLATE = TEMPLATES.compile("report.html.mustache");
  private static final Mustache CLASS_PAGE = TEMPLATES.compile("class.html.mustache");
  private static final Mustache TABLE_PAGE = TEMPLATES.compile("table.html.mustache");

  /** A class that loses more than this share of its faces (dropped or moved) is flagged. */
  static final double MOSTLY_LOST = 0.5;

  /** Flagged classes named at the top of the page; the table flags all. */
  static final int MOSTLY_LOST_LISTED = 20;

  /** Relabelled faces shown with thumbnails. */
  static final int MOVES_SHOWN = 12;

  /** Duplicate-identity groups shown, least certain first. */
  static final int GROUPS_SHOWN = 20;

  /** Classes of one group shown (the keeper first). */
  static final int CLASSES_PER_GROUP_SHOWN = 8;

  /** Faces shown per class of a duplicate-identity group or a test-overlap class. */
  static final int FACES_PER_CLASS = 4;

  /** Copies of a picture shown with thumbnails: this many within classes, this many across. */
  static final int COPIES_SHOWN = 12;

  /** Test-overlap classes shown, least certain first. */
  static final int TEST_CLASSES_SHOWN = 20;

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
      LostView mostlyLost,
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
      Headings headings,
      @Nullable IdentityGroupsView duplicateIdentities,
      @Nullable CopiesView duplicateImages,
      @Nullable TestOverlapView testOverlap,
      TableView table,
      boolean hasTruth,
      List<Entry> provenance) {}

  /**
   * Classes that lose most of their faces: how many, and the first few (noisiest first) by name.
   */
  record LostView(
      boolean any, int count, String subject, String share, List<ClassLink> listed, boolean more) {}

  /** A class named with a link to its page. */
  record ClassLink(int label, String identity, String lostPct) {}

  /** The column headings over a class's borderline faces. */
  record Headings(String kept, String dropped, String angle) {}

  /** One page of the class table, with links to the others. */
  record TableView(
      String base,
      List<ClassView> classRows,
      boolean hasTruth,
      int classesTotal,
      int first,
      int last,
      boolean paged,
      int page,
      List<PageLink> pages,
      int minLabel,
      int maxLabel) {}

  /** A link to a table page. */
  record PageLink(int page, String href, String range, boolean current) {}

  /** A class's own page. */
  record ClassPage(
      String title,
      String version,
      String identity,
      int label,
      int samples,
      int kept,
      int dropped,
      @Nullable Integer relabelledOut,
      String dropRatePct,
      boolean warn,
      String lostPct,
      String share,
      List<Entry> reasons,
      String perSubCenter,
      String meanAngle,
      String maxAngle,
      String threshold,
      String policy,
      int perSide,
      Headings headings,
      List<ThumbView> keptThumbs,
      List<ThumbView> droppedThumbs,
      String tableHref,
      @Nullable GroupsView groups) {}

  /** A class page's sub-classes and the cut their centroids were held against. */
  record GroupsView(String groupCut, List<ReportJson.GroupRow> rows) {}

  /** A table page of its own (all of them together list every class). */
  record TablePage(String title, String version, TableView table) {}

  /** A face on the page: its angle and, when dropped, why. */
  record ThumbView(String id, String angle, @Nullable String reason, String dataUri) {}

  /**
   * How the thresholds were chosen: what auto chose, in words, and the calibration charts (null
   * without calibration; the duplicate-identity and near-duplicate ones also for a run from before
   * inter-class cleaning).
   */
  record ThresholdsView(
      List<String> sentences,
      @Nullable String personCutSvg,
      @Nullable String faceCutSvg,
      @Nullable String duplicateCutSvg,
      @Nullable String nearDuplicateCutSvg) {}

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

  /** A noisy class with its borderline faces. */
  record NoisyClass(
      int label,
      String identity,
      int samples,
      int dropped,
      String dropRatePct,
      boolean warn,
      List<ThumbView> keptThumbs,
      List<ThumbView> droppedThumbs) {}

  /**
   * The duplicate-identity section: the threshold, what was done, counts, and the groups shown
   * (least certain first), each class with a few faces.
   */
  record IdentityGroupsView(
      String threshold,
      boolean auto,
      String did,
      int groupsFound,
      String groupsFoundWords,
      String facesMerged,
      String facesDropped,
      List<GroupView> groups,
      int groupsShown,
      boolean more,
      @Nullable TruthView truth) {}

  /**
   * A finding's precision and recall against the ground truth, in words: {@code what} names what
   * was counted (pairs of classes, classes, copies).
   */
  record TruthView(
      String precision,
      String recall,
      long correct,
      long found,
      long inTruth,
      String what,
      boolean nothing) {
    @Nullable
    static TruthView of(@Nullable CleanSummary.InterClass.Detection d, String what) {
      return d == null
          ? null
          : new TruthView(
              String.format(Locale.ROOT, "%.3f", d.precision()),
              String.format(Locale.ROOT, "%.3f", d.recall()),
              d.correct(),
              d.found(),
              d.inTruth(),
              what,
              d.found() + d.inTruth() == 0);
    }
  }

  /** One group: its keeper's name, its largest angle, its classes shown and how many are not. */
  record GroupView(
      int group,
      String keeper,
      String maxAngle,
      List<GroupClassView> classes,
      @Nullable Integer notShown) {}

  /** A class of a group: its faces, angle to the keeper, what was done, a few of its faces. */
  record GroupClassView(
      int label,
      String identity,
      int faces,
      @Nullable String angle,
      String action,
      boolean keeper,
      List<Thumbnails.Thumb> thumbs) {}

  /** The duplicate-image section: counts and the pairs shown, within and across classes. */
  record CopiesView(
      String threshold,
      boolean auto,
      String action,
      String did,
      long withinExact,
      long withinNear,
      long withinDropped,
      long withinReported,
      long across,
      List<CopyView> within,
      List<CopyView> acrossPairs,
      boolean hasWithin,
      boolean hasAcross,
      int shownPerScope,
      @Nullable TruthView truth) {}

  /** A copy beside the face it copies, with the angle between their embeddings. */
  record CopyView(
      String id,
      String where,
      String ofId,
      String ofWhere,
      String angle,
      String kind,
      String action,
      @Nullable String copyUri,
      @Nullable String ofUri) {}

  /** The test-overlap section: the test set, counts and the classes shown with a few faces. */
  record TestOverlapView(
      @Nullable String testSet,
      int testIdentities,
      int classesDropped,
      String classesDroppedWords,
      List<TestClassView> classes,
      boolean more,
      @Nullable TruthView truth) {}

  /** A training class dropped as a test identity. */
  record TestClassView(
      int label,
      String identity,
      int faces,
      String testIdentity,
      String angle,
      List<Thumbnails.Thumb> thumbs) {}

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
      boolean warn,
      String lostPct,
      boolean hasTruth,
      @Nullable Long noisyByTruth) {}

  /**
   * Writes {@code report.html} into {@code target}, after the folder {@link NoiseReport#PAGES_DIR}
   * with the class pages and table pages (built beside it and swapped in whole, so no stale page of
   * an earlier report survives).
   */
  static void write(CleanRun run, ReportJson report, NoiseReport.Options o, Path target)
      throws IOException {
    Path building = target.resolve("." + NoiseReport.PAGES_DIR + ".tmp");
    LocalFiles.deleteRecursively(building);
    Files.createDirectories(building.resolve("classes"));
    String html;
    List<ReportJson.ClassRow> sorted = NoiseReport.noisiestFirst(report.classes());
    Set<Integer> typical = new LinkedHashSet<>();
    Set<String> ids = new HashSet<>();
    ReportJson.InterClassReport ic = report.interClass();
    if (ic != null) {
      for (ReportJson.IdentityGroup g : shownGroups(ic)) {
        shownClasses(g).forEach(m -> typical.add(m.label()));
      }
      shownTestClasses(ic).forEach(t -> typical.add(t.label()));
      for (InterClassFiles.DuplicateImage d : shownCopies(ic)) {
        ids.add(d.id());
        ids.add(d.duplicateOf());
      }
    }
    // the classes moved faces joined, for a face of each beside the move
    Map<Integer, Integer> labelOfNew = new HashMap<>();
    for (var c : run.classes()) {
      labelOfNew.put((Integer) c.get("new_label"), (Integer) c.get("label"));
    }
    report.relabelling().pairs().stream().limit(MOVES_SHOWN).forEach(p -> typical.add(p.toLabel()));
    Thumbnails.Request request =
        new Thumbnails.Request(
            o.thumbnailsPerSide(),
            run.thresholdDeg(),
            typical,
            o.thumbnailsPerSide() > 0 ? MOVES_SHOWN : 0,
            o.thumbnailsPerSide() > 0 ? ids : Set.of());
    try (Thumbnails.Collected thumbs =
        Thumbnails.collect(run.tables(), request, building.resolve("thumbnails.spill"))) {
      Headings headings = headings(run);
      for (int i = 0; i < sorted.size(); i++) {
        ReportJson.ClassRow c = sorted.get(i);
        Files.writeString(
            building.resolve("classes").resolve(c.label() + ".html"),
            render(
                CLASS_PAGE,
                classPage(run, report, c, thumbs, headings, o, i / o.maxTableRows() + 1)));
      }
      int pages = Math.max(1, (sorted.size() + o.maxTableRows() - 1) / o.maxTableRows());
      for (int p = 1; p <= pages; p++) {
        TableView t = table(sorted, o.maxTableRows(), p, "", report.qualityVsTruth() != null);
        Files.writeString(
            building.resolve(tablePage(p)),
            render(
                TABLE_PAGE,
                new TablePage(
                    "Classes " + t.first() + "–" + t.last() + " of " + sorted.size(),
                    report.facesieveVersion(),
                    t)));
      }
      html = render(TEMPLATE, page(run, report, o, sorted, thumbs, labelOfNew, headings));
    }
    Path pagesDir = target.resolve(NoiseReport.PAGES_DIR);
    LocalFiles.deleteRecursively(pagesDir);
    Files.move(building, pagesDir);
    LocalFiles.writeAtomically(target.resolve(NoiseReport.HTML_FILE), html);
  }

  private static String render(Mustache template, Object scope) throws IOException {
    StringWriter w = new StringWriter();
    template.execute(w, scope).flush();
    return w.toString();
  }

  /** The file name of a table page inside {@link NoiseReport#PAGES_DIR}. */
  static String tablePage(int page) {
    return "table-" + page + ".html";
  }

  private static Headings headings(CleanRun run) {
    String angle =
        CleaningPolicy.SUBCLASS.equals(run.policy())
            ? "angle to the person's centroid"
            : "angle to the dominant sub-centre";
    return new Headings(
        "kept, farthest from the centre",
        "dropped, nearest the threshold (" + Charts.fmt(run.thresholdDeg()) + "°)",
        angle);
  }

  /** Share of a class's faces it lost: dropped, or moved to another class. */
  static double lost(ReportJson.ClassRow c) {
    return c.samples() == 0 ? 0 : (c.dropped() + c.relabelledOut()) / (double) c.samples();
  }

  static boolean mostlyLost(ReportJson.ClassRow c) {
    return lost(c) > MOSTLY_LOST;
  }

  /** Page {@code page} (from 1) of the class table, noisiest first; links start at {@code base}. */
  static TableView table(
      List<ReportJson.ClassRow> sorted, int perPage, int page, String base, boolean hasTruth) {
    int from = Math.min(sorted.size(), (page - 1) * perPage);
    int to = Math.min(sorted.size(), from + perPage);
    List<ClassView> rows = new ArrayList<>();
    for (ReportJson.ClassRow c : sorted.subList(from, to)) {
      rows.add(
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
              mostlyLost(c),
              pct(lost(c)),
              c.noisyByTruth() != null,
              c.noisyByTruth()));
    }
    int pages = Math.max(1, (sorted.size() + perPage - 1) / perPage);
    List<PageLink> links = new ArrayList<>();
    for (int p = 1; p <= pages; p++) {
      links.add(
          new PageLink(
              p,
              base + tablePage(p),
              ((p - 1) * perPage + 1) + "–" + Math.min(sorted.size(), p * perPage),
              p == page));
    }
    int min = sorted.stream().mapToInt(ReportJson.ClassRow::label).min().orElse(0);
    int max = sorted.stream().mapToInt(ReportJson.ClassRow::label).max().orElse(-1);
    return new TableView(
        base, rows, hasTruth, sorted.size(), from + 1, to, pages > 1, page, links, min, max);
  }

  private static List<ThumbView> views(List<Thumbnails.Thumb> thumbs) {
    List<ThumbView> out = new ArrayList<>();
    for (Thumbnails.Thumb t : thumbs) {
      out.add(
          new ThumbView(
              t.id(),
              String.format(Locale.ROOT, "%.1f°", t.angleDeg()),
              t.reason() == null ? null : reasonWords(t.reason()),
              t.dataUri()));
    }
    return out;
  }

  /** A drop reason as words: {@code OTHER_PERSON} → "other person". */
  static String reasonWords(String reason) {
    return reason.toLowerCase(Locale.ROOT).replace('_', ' ');
  }

  private static ClassPage classPage(
      CleanRun run,
      ReportJson report,
      ReportJson.ClassRow c,
      Thumbnails.Collected thumbs,
      Headings headings,
      NoiseReport.Options o,
      int tablePage)
      throws IOException {
    Thumbnails.ClassThumbs t = thumbs.borderline(c.label());
    List<Entry> reasons = new ArrayList<>();
    addReason(reasons, "OUTLIER_ANGLE", c.droppedOutlierAngle());
    addReason(reasons, "NON_DOMINANT", c.droppedNonDominant());
    addReason(reasons, "OTHER_PERSON", c.droppedOtherPerson());
    addReason(reasons, "SMALL_CLASS", c.droppedSmallClass());
    addReason(reasons, "DUPLICATE_IDENTITY", c.droppedDuplicateIdentity());
    addReason(reasons, "DUPLICATE_IMAGE", c.droppedDuplicateImage());
    addReason(reasons, "TEST_OVERLAP", c.droppedTestOverlap());
    return new ClassPage(
        c.identity() + " (label " + c.label() + ") — FaceSieve noise report",
        report.facesieveVersion(),
        c.identity(),
        c.label(),
        c.samples(),
        c.kept(),
        c.dropped(),
        c.relabelledOut() == 0 ? null : c.relabelledOut(), // Mustache shows a 0 section
        pct(c.dropRate()),
        mostlyLost(c),
        pct(lost(c)),
        pct(MOSTLY_LOST),
        reasons,
        c.samplesPerSubCenter().toString(),
        String.format(Locale.ROOT, "%.1f", c.meanAngleDeg()),
        String.format(Locale.ROOT, "%.1f", c.maxAngleDeg()),
        Charts.fmt(run.thresholdDeg()),
        run.policy(),
        o.thumbnailsPerSide(),
        headings,
        views(t.keptFarthest()),
        views(t.droppedNearest()),
        "../" + tablePage(tablePage),
        c.groups() == null
                || run.summary.options() == null
                || run.summary.options().otherPersonDeg() == null
            ? null
            : new GroupsView(Charts.fmt(run.summary.options().otherPersonDeg()), c.groups()));
  }

  private static void addReason(List<Entry> out, String reason, int n) {
    if (n > 0) {
      out.add(new Entry(reason, String.valueOf(n)));
    }
  }

  private static Page page(
      CleanRun run,
      ReportJson report,
      NoiseReport.Options o,
      List<ReportJson.ClassRow> sorted,
      Thumbnails.Collected thumbs,
      Map<Integer, Integer> labelOfNew,
      Headings headings)
      throws IOException {
    ReportJson.Totals totals = report.totals();
    ReportJson.NoiseRate noise = report.noiseRate();
    ReportJson.DominantSubClasses dominant = report.dominantSubClasses();
    ReportJson.ThresholdSweep sweep = report.thresholdSweep();
    ReportJson.Quality quality = report.qualityVsTruth();
    ReportJson.InterClassReport ic = report.interClass();
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

    List<ReportJson.ClassRow> lost = sorted.stream().filter(HtmlReport::mostlyLost).toList();
    List<ClassLink> lostLinks = new ArrayList<>();
    for (ReportJson.ClassRow c : lost.subList(0, Math.min(MOSTLY_LOST_LISTED, lost.size()))) {
      lostLinks.add(new ClassLink(c.label(), c.identity(), pct(lost(c))));
    }
    LostView lostView =
        new LostView(
            !lost.isEmpty(),
            lost.size(),
            lost.size() == 1 ? "class loses" : "classes lose",
            pct(MOSTLY_LOST),
            lostLinks,
            lost.size() > lostLinks.size());

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

    List<NoisyClass> noisiestView = new ArrayList<>();
    for (ReportJson.ClassRow c :
        sorted.stream().filter(c -> c.dropped() > 0).limit(o.noisiestClasses()).toList()) {
      Thumbnails.ClassThumbs t = thumbs.borderline(c.label());
      noisiestView.add(
          new NoisyClass(
              c.label(),
              c.identity(),
              c.samples(),
              c.dropped(),
              pct(c.dropRate()),
              mostlyLost(c),
              views(t.keptFarthest()),
              views(t.droppedNearest())));
    }

    return new Page(
        "FaceSieve noise report — " + run.location().substring(run.location().lastIndexOf('/') + 1),
        report.facesieveVersion(),
        run.policy(),
        Charts.fmt(threshold),
        cards,
        entries(totals.droppedByReason()),
        quarantine,
        !quarantine.isEmpty(),
        lostView,
        histogramSvg,
        thresholds(report.calibration(), run.summary().interClass(), run.policy(), threshold),
        sweepSvg,
        sweep.subclass() != null,
        precisionRecallSvg,
        quality == null ? null : qualityRows(quality),
        quality == null ? null : String.format(Locale.ROOT, "%.3f", quality.angleRocAuc()),
        Charts.classDropRates(report.classDropRateHistogram()),
        relabelView(report.relabelling(), thumbs.moves(), labelOfNew, thumbs),
        noisiestView,
        o.thumbnailsPerSide(),
        headings,
        ic == null ? null : identityGroupsView(ic.duplicateIdentities(), thumbs),
        ic == null ? null : copiesView(ic, thumbs),
        ic == null ? null : testOverlapView(ic, thumbs),
        table(sorted, o.maxTableRows(), 1, NoiseReport.PAGES_DIR + "/", quality != null),
        quality != null,
        provenance(report));
  }

  /**
   * Where the report came from: the source paths, the clean options, the original input (from the
   * prepare manifest of the summary's {@code data}) and the training options (from the model's
   * {@code model.json}), each when it can be read.
   */
  static List<Entry> provenance(ReportJson report) {
    ReportJson.Source source = report.source();
    List<Entry> prov = new ArrayList<>();
    prov.add(new Entry("clean_output", source.cleanOutput()));
    prov.add(new Entry("data", String.valueOf(source.data())));
    input(source.data()).ifPresent(in -> prov.add(new Entry("input", in)));
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
    JsonNode model = modelJson(source.model());
    for (String part : new String[] {"architecture", "training"}) {
      if (model != null && model.get(part) != null) {
        model
            .get(part)
            .fields()
            .forEachRemaining(
                e ->
                    prov.add(new Entry("model " + part + " " + e.getKey(), e.getValue().asText())));
      }
    }
    return prov;
  }

  /** The original input of a prepare output, as its manifest records it. */
  private static Optional<String> input(@Nullable String prepared) {
    if (prepared == null || !Files.isRegularFile(Path.of(prepared, PrepareManifest.FILE))) {
      return Optional.empty();
    }
    try {
      PrepareManifest.Input in = PrepareManifest.read(Path.of(prepared)).input();
      return in == null ? Optional.empty() : Optional.of(in.path() + " (" + in.format() + ")");
    } catch (RuntimeException e) {
      return Optional.empty(); // a manifest that does not read is no reason to fail the report
    }
  }

  @Nullable
  private static JsonNode modelJson(@Nullable String model) {
    if (model == null || !Files.isRegularFile(Path.of(model, "model.json"))) {
      return null;
    }
    try {
      return StageJson.MAPPER.readTree(Path.of(model, "model.json").toFile());
    } catch (IOException e) {
      return null;
    }
  }

  /** What auto chose and why, in words, with the calibration charts. */
  static ThresholdsView thresholds(
      @Nullable ReportJson.CalibrationReport c,
      @Nullable CleanSummary.InterClass ic,
      String policy,
      double thresholdDeg) {
    List<String> said = new ArrayList<>();
    if (c == null) {
      said.add(
          "No calibration ran: the "
              + policy
              + " policy decided at the "
              + Charts.fmt(thresholdDeg)
              + "° given on the command line.");
      interClassSentences(said, ic, null);
      return new ThresholdsView(said, null, null, null, null);
    }
    Calibration cal = c.fromData();
    Calibration.Evidence e = cal.evidence();
    if (c.otherPersonDeg() != null) {
      said.add(CutSentences.person(c));
    }
    said.add(CutSentences.outlier(c, policy));
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
    interClassSentences(said, ic, cal);
    // a summary from before inter-class cleaning has neither histogram
    boolean interClassEvidence = ic != null && e.splitHalfDeg() != null;
    return new ThresholdsView(
        said,
        Charts.personCut(e.sameClassSubclassDeg(), e.nearestOtherClassDeg(), cal.otherPersonDeg()),
        Charts.faceCut(e.faceDeg(), e.faceMedianDeg(), c.thresholdDeg()),
        interClassEvidence
            ? Charts.duplicateCut(
                e.splitHalfDeg(), e.nearestOtherClassDeg(), ic.duplicateIdentityDeg())
            : null,
        interClassEvidence && e.nearestFaceDeg() != null
            ? Charts.nearDuplicateCut(e.nearestFaceDeg(), ic.nearDuplicateDeg())
            : null);
  }

  /**
   * How the duplicate-identity and near-duplicate thresholds were chosen (nothing for a run from
   * before inter-class cleaning).
   */
  private static void interClassSentences(
      List<String> said, @Nullable CleanSummary.InterClass ic, @Nullable Calibration cal) {
    if (ic == null) {
      return;
    }
    boolean evidence = cal != null && cal.evidence() != null;
    said.add(
        "Duplicate identity: two classes whose person centroids lie within "
            + Charts.fmt(ic.duplicateIdentityDeg())
            + "° of each other are one person ("
            + (!ic.duplicateIdentityAuto()
                ? "set with --duplicate-identity-deg"
                : evidence && Double.isFinite(cal.evidence().splitHalfP95Deg())
                    ? "auto: midway between the "
                        + Charts.fmt(Calibration.SPLIT_HALF_PERCENTILE)
                        + "th percentile of the angles between two halves of one class's"
                        + " person, "
                        + deg(cal.evidence().splitHalfP95Deg())
                        + ", and the another-person cut "
                        + Charts.fmt(cal.duplicateReferenceDeg())
                        + "°, and at most that cut"
                    : "auto: no class had "
                        + Calibration.MIN_SPLIT_FACES
                        + " faces to split in halves, so half the another-person cut")
            + "); the same threshold matches a class to a test-set identity.");
    if (ic.nearDuplicateDeg() == 0) {
      said.add(
          "Near-duplicate image: only byte copies (the same sha256) were searched"
              + (ic.nearDuplicateAuto()
                  ? " (auto with an embedder trained here from scratch: it crowds distinct"
                      + " pictures of a person together, so near copies are searched only with a"
                      + " pretrained embedder or --near-duplicate-deg)."
                  : " (--near-duplicate-deg 0)."));
      return;
    }
    said.add(
        "Near-duplicate image: two faces of a class whose embeddings lie within "
            + Charts.fmt(ic.nearDuplicateDeg())
            + "° are copies of one picture ("
            + (!ic.nearDuplicateAuto()
                ? "set with --near-duplicate-deg"
                : "auto: "
                    + Math.round(100 * Calibration.NEAR_DUPLICATE_FRACTION)
                    + "% of the median face angle"
                    + (evidence ? " " + deg(cal.evidence().faceMedianDeg()) : "")
                    + ", far below the nearest distinct photo of the same person")
            + "); an exact copy has the same sha256.");
  }

  private static String deg(double d) {
    return Double.isFinite(d) ? String.format(Locale.ROOT, "%.1f°", d) : "n/a";
  }

  /** The relabelling section's view; moves come with a kept face of the class they joined. */
  static RelabelView relabelView(
      ReportJson.Relabelling r,
      List<Thumbnails.MoveThumb> moves,
      Map<Integer, Integer> labelOfNew,
      Thumbnails.Collected thumbs)
      throws IOException {
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
      // a face near the centre of the class it joined; else its borderline kept faces
      List<Thumbnails.Thumb> target =
          to == null
              ? List.of()
              : !thumbs.typical(to).isEmpty()
                  ? thumbs.typical(to)
                  : thumbs.borderline(to).keptFarthest();
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

  /** The groups the page shows: the first of report.json's, least certain first. */
  static List<ReportJson.IdentityGroup> shownGroups(ReportJson.InterClassReport ic) {
    List<ReportJson.IdentityGroup> g = ic.duplicateIdentities().groups();
    return g.subList(0, Math.min(GROUPS_SHOWN, g.size()));
  }

  /** The classes of a group the page shows: the keeper first. */
  static List<InterClassFiles.Merge> shownClasses(ReportJson.IdentityGroup g) {
    return g.classes().subList(0, Math.min(CLASSES_PER_GROUP_SHOWN, g.classes().size()));
  }

  /** The test-overlap classes the page shows, least certain first. */
  static List<InterClassFiles.TestOverlap> shownTestClasses(ReportJson.InterClassReport ic) {
    List<InterClassFiles.TestOverlap> t = ic.testOverlap().classes();
    return t.subList(0, Math.min(TEST_CLASSES_SHOWN, t.size()));
  }

  /**
   * The copies the page shows: up to {@link #COPIES_SHOWN} within classes, least similar first
   * (exact copies last), and up to as many across classes.
   */
  static List<InterClassFiles.DuplicateImage> shownCopies(ReportJson.InterClassReport ic) {
    List<InterClassFiles.DuplicateImage> out = new ArrayList<>();
    out.addAll(copies(ic, false));
    out.addAll(copies(ic, true));
    return out;
  }

  private static List<InterClassFiles.DuplicateImage> copies(
      ReportJson.InterClassReport ic, boolean across) {
    return ic.duplicateImages().pairs().stream()
        .filter(d -> InterClassFiles.ACROSS_CLASSES.equals(d.scope()) == across)
        .limit(COPIES_SHOWN)
        .toList();
  }

  private static List<Thumbnails.Thumb> faces(Thumbnails.Collected thumbs, int label) {
    List<Thumbnails.Thumb> t = thumbs.typical(label);
    return t.subList(0, Math.min(FACES_PER_CLASS, t.size()));
  }

  static IdentityGroupsView identityGroupsView(
      ReportJson.DuplicateIdentities d, Thumbnails.Collected thumbs) {
    List<GroupView> groups = new ArrayList<>();
    List<ReportJson.IdentityGroup> listed = d.groups();
    for (ReportJson.IdentityGroup g : listed.subList(0, Math.min(GROUPS_SHOWN, listed.size()))) {
      List<GroupClassView> classes = new ArrayList<>();
      for (InterClassFiles.Merge m : shownClasses(g)) {
        boolean keeper = m.action().equals("keeper");
        classes.add(
            new GroupClassView(
                m.label(),
                m.identity(),
                m.faces(),
                keeper ? null : String.format(Locale.ROOT, "%.1f°", m.angleDeg()),
                m.action(),
                keeper,
                faces(thumbs, m.label())));
      }
      groups.add(
          new GroupView(
              g.group(),
              g.keeperIdentity() + " (label " + g.keeperLabel() + ")",
              String.format(Locale.ROOT, "%.1f", g.maxAngleDeg()),
              classes,
              // Mustache shows a 0 section
              g.classes().size() > classes.size() ? g.classes().size() - classes.size() : null));
    }
    String did =
        switch (d.action()) {
          case "merge" -> "merged: each group's classes now carry its keeper's label";
          case "drop" -> "dropped: every class of a group but its keeper";
          default -> "reported only: every class kept its own label";
        };
    return new IdentityGroupsView(
        Charts.fmt(d.thresholdDeg()),
        d.thresholdAuto(),
        did,
        d.groupsFound(),
        (d.groupsFound() == 1 ? "group" : "groups")
            + " of "
            + count(d.classesInGroups())
            + (d.classesInGroups() == 1 ? " class" : " classes"),
        count(d.facesMerged()),
        count(d.facesDropped()),
        groups,
        groups.size(),
        d.groupsFound() > groups.size(),
        TruthView.of(d.truth(), "pairs of classes"));
  }

  static CopiesView copiesView(ReportJson.InterClassReport ic, Thumbnails.Collected thumbs) {
    ReportJson.DuplicateImages d = ic.duplicateImages();
    List<CopyView> within = copyViews(copies(ic, false), thumbs);
    List<CopyView> across = copyViews(copies(ic, true), thumbs);
    return new CopiesView(
        Charts.fmt(d.nearThresholdDeg()),
        d.nearThresholdAuto(),
        d.action(),
        d.action().equals("drop") ? "dropped" : "reported, not dropped",
        d.withinClassExact(),
        d.withinClassNear(),
        d.withinClassDropped(),
        d.withinClassReported(),
        d.acrossClassesExact(),
        within,
        across,
        !within.isEmpty(),
        !across.isEmpty(),
        COPIES_SHOWN,
        TruthView.of(d.truth(), "copies"));
  }

  private static List<CopyView> copyViews(
      List<InterClassFiles.DuplicateImage> copies, Thumbnails.Collected thumbs) {
    List<CopyView> out = new ArrayList<>();
    for (InterClassFiles.DuplicateImage d : copies) {
      Thumbnails.Thumb copy = thumbs.byId(d.id());
      Thumbnails.Thumb of = thumbs.byId(d.duplicateOf());
      out.add(
          new CopyView(
              d.id(),
              d.identity() + " (label " + d.label() + ")",
              d.duplicateOf(),
              d.duplicateOfIdentity() + " (label " + d.duplicateOfLabel() + ")",
              String.format(Locale.ROOT, "%.1f°", d.angleDeg()),
              d.exact() ? "exact copy" : "near copy",
              reasonWords(d.action()),
              copy == null ? null : copy.dataUri(),
              of == null ? null : of.dataUri()));
    }
    return out;
  }

  static TestOverlapView testOverlapView(
      ReportJson.InterClassReport ic, Thumbnails.Collected thumbs) {
    ReportJson.TestOverlap t = ic.testOverlap();
    List<TestClassView> classes = new ArrayList<>();
    for (InterClassFiles.TestOverlap c : shownTestClasses(ic)) {
      classes.add(
          new TestClassView(
              c.label(),
              c.identity(),
              c.faces(),
              c.testIdentity(),
              String.format(Locale.ROOT, "%.1f°", c.angleDeg()),
              faces(thumbs, c.label())));
    }
    return new TestOverlapView(
        t.excludeIdentitiesOf(),
        t.testIdentities(),
        t.classesDropped(),
        (t.classesDropped() == 1 ? "training class (" : "training classes (")
            + count(t.facesDropped())
            + (t.facesDropped() == 1 ? " face)" : " faces)")
            + (t.classesDropped() == 1 ? " was" : " were"),
        classes,
        t.classesDropped() > classes.size(),
        TruthView.of(t.truth(), "training classes"));
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
