package dev.facesieve.reports;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Renders {@code report.html} from the report map with the Mustache template {@code
 * report.html.mustache}: the engine escapes every value; only the SVG charts (made by {@link
 * Charts}) and base64 image URIs are inserted raw.
 */
final class HtmlReport {
  private static final Mustache TEMPLATE =
      new DefaultMustacheFactory("dev/facesieve/reports").compile("report.html.mustache");

  private HtmlReport() {}

  @SuppressWarnings("unchecked")
  static String render(CleanRun run, Map<String, Object> report, NoiseReport.Options o)
      throws IOException {
    Map<String, Object> totals = (Map<String, Object>) report.get("totals");
    Map<String, Object> noise = (Map<String, Object>) report.get("noise_rate");
    Map<String, Object> dominant = (Map<String, Object>) report.get("dominant_sub_classes");
    Map<String, Object> hist = (Map<String, Object>) report.get("angle_histograms");
    Map<String, Object> sweep = (Map<String, Object>) report.get("threshold_sweep");
    Map<String, Object> quality = (Map<String, Object>) report.get("quality_vs_truth");
    Map<String, Object> dups = (Map<String, Object>) report.get("duplicate_identities");
    List<Map<String, Object>> classes = (List<Map<String, Object>>) report.get("classes");
    double threshold = run.thresholdDeg();

    Map<String, Object> page = new LinkedHashMap<>();
    page.put("title", "FaceSieve noise report — " + run.location().toAbsolutePath().getFileName());
    page.put("version", report.get("facesieve_version"));
    page.put("policy", run.policy());
    page.put("threshold", Charts.fmt(threshold));
    List<Map<String, Object>> cards = new ArrayList<>();
    cards.add(card("input records", count(totals.get("input")), "everything read"));
    cards.add(
        card(
            "kept",
            count(totals.get("kept")),
            pct(totals.get("kept"), totals.get("input")) + " of input"));
    cards.add(
        card(
            "dropped as noise",
            count(totals.get("dropped")),
            pct(noise.get("dropped_share_of_prepared")) + " of faces cleaned"));
    cards.add(
        card("quarantined", count(totals.get("quarantined")), "unreadable or invalid, by prepare"));
    cards.add(
        card(
            "estimated noise",
            pct(noise.get("removed_share_of_input")),
            "dropped + quarantined, of all input"));
    cards.add(
        card(
            "nearest the dominant sub-centre",
            pct(dominant.get("nearest_dominant_share")),
            "of faces cleaned"));
    cards.add(
        card(
            "outliers inside dominant sub-classes",
            pct(dominant.get("outlier_share_inside_dominant")),
            "angle > " + Charts.fmt(threshold) + "°"));
    cards.add(
        card(
            "classes",
            count(totals.get("classes_before")) + " → " + count(totals.get("classes_after")),
            "before → after"));
    if (quality != null) {
      cards.add(
          card(
              "precision / recall",
              String.format(
                  Locale.ROOT,
                  "%.3f / %.3f",
                  ((Number) quality.get("precision")).doubleValue(),
                  ((Number) quality.get("recall")).doubleValue()),
              "of \"dropped\" vs ground-truth noise"));
    }
    page.put("cards", cards);
    page.put("dropReasons", entries((Map<String, Object>) totals.get("dropped_by_reason")));
    List<Map<String, Object>> quarantine =
        entries((Map<String, Object>) totals.get("quarantined_by_reason"));
    page.put("quarantineReasons", quarantine);
    page.put("hasQuarantine", !quarantine.isEmpty());

    page.put(
        "histogramSvg",
        Charts.angleHistogram(
            (long[]) hist.get("nearest_dominant"),
            (long[]) hist.get("nearest_non_dominant"),
            threshold));
    int[] thresholds = (int[]) sweep.get("thresholds_deg");
    Map<String, Object> dropPy = (Map<String, Object>) sweep.get("drop-py");
    Map<String, Object> strict = (Map<String, Object>) sweep.get("strict");
    page.put(
        "sweepSvg",
        Charts.sweep(
            thresholds, (long[]) dropPy.get("dropped"), (long[]) strict.get("dropped"), threshold));
    if (quality != null) {
      Map<String, Object> chosen = run.policy().equals("strict") ? strict : dropPy;
      page.put(
          "precisionRecallSvg",
          Charts.precisionRecall(
              thresholds,
              (double[]) chosen.get("precision"),
              (double[]) chosen.get("recall"),
              threshold));
      page.put("quality", qualityRows(quality));
      page.put("auc", String.format(Locale.ROOT, "%.3f", quality.get("angle_roc_auc")));
    }
    page.put(
        "classRatesSvg", Charts.classDropRates((long[]) report.get("class_drop_rate_histogram")));

    List<Map<String, Object>> noisiest =
        NoiseReport.noisiestFirst(classes).stream()
            .filter(c -> ((Number) c.get("dropped")).longValue() > 0)
            .limit(o.noisiestClasses())
            .toList();
    List<Map<String, Object>> pairs = (List<Map<String, Object>>) dups.get("pairs");
    List<Map<String, Object>> shownPairs = pairs.subList(0, Math.min(50, pairs.size()));
    Set<Integer> thumbLabels = new LinkedHashSet<>();
    noisiest.forEach(c -> thumbLabels.add((Integer) c.get("label")));
    shownPairs.forEach(
        p -> {
          thumbLabels.add((Integer) p.get("label_a"));
          thumbLabels.add((Integer) p.get("label_b"));
        });
    Map<Integer, List<List<Thumbnails.Thumb>>> thumbs =
        Thumbnails.collect(run.dir(), thumbLabels, o.thumbnailsPerSide());
    List<Map<String, Object>> noisiestView = new ArrayList<>();
    for (Map<String, Object> c : noisiest) {
      Map<String, Object> v = new LinkedHashMap<>(c);
      List<List<Thumbnails.Thumb>> t =
          thumbs.getOrDefault(c.get("label"), List.of(List.of(), List.of()));
      v.put("dropRatePct", pct(c.get("drop_rate")));
      v.put("keptThumbs", t.get(0));
      v.put("droppedThumbs", t.get(1));
      noisiestView.add(v);
    }
    page.put("noisiest", noisiestView);
    page.put("thumbnailsPerSide", o.thumbnailsPerSide());

    List<Map<String, Object>> pairView = new ArrayList<>();
    for (Map<String, Object> p : shownPairs) {
      Map<String, Object> v = new LinkedHashMap<>(p);
      v.put("angle", String.format(Locale.ROOT, "%.1f", p.get("angle_deg")));
      v.put("cosine", String.format(Locale.ROOT, "%.3f", p.get("cosine")));
      v.put("thumbsA", thumbs.getOrDefault(p.get("label_a"), List.of(List.of())).get(0));
      v.put("thumbsB", thumbs.getOrDefault(p.get("label_b"), List.of(List.of())).get(0));
      pairView.add(v);
    }
    page.put("pairs", pairView);
    page.put("pairsFound", dups.get("pairs_found"));
    page.put("pairsShown", pairView.size());
    page.put("duplicateThreshold", Charts.fmt(o.duplicateThresholdDeg()));
    page.put("duplicatesSkipped", dups.get("skipped"));
    page.put("centresCompared", dups.get("centres_compared"));

    List<Map<String, Object>> tableRows = new ArrayList<>();
    List<Map<String, Object>> sortedForTable = NoiseReport.noisiestFirst(classes);
    for (Map<String, Object> c :
        sortedForTable.subList(0, Math.min(o.maxTableRows(), classes.size()))) {
      Map<String, Object> v = new LinkedHashMap<>(c);
      v.put("dropRate", String.format(Locale.ROOT, "%.4f", c.get("drop_rate")));
      v.put("dropRatePct", pct(c.get("drop_rate")));
      v.put("dominantShare", String.format(Locale.ROOT, "%.3f", c.get("dominant_share")));
      v.put("meanAngle", String.format(Locale.ROOT, "%.1f", c.get("mean_angle_deg")));
      v.put("maxAngle", String.format(Locale.ROOT, "%.1f", c.get("max_angle_deg")));
      v.put("perSubCenter", c.get("samples_per_sub_center").toString());
      v.put("hasTruth", c.containsKey("noisy_by_truth"));
      tableRows.add(v);
    }
    page.put("classRows", tableRows);
    page.put("hasTruth", quality != null);
    page.put("classesTotal", classes.size());
    page.put("tableTruncated", classes.size() > tableRows.size());
    page.put("tableShown", tableRows.size());

    Map<String, Object> source = (Map<String, Object>) report.get("source");
    List<Map<String, Object>> prov = entries(source);
    Map<String, Object> options = (Map<String, Object>) report.get("options");
    if (options != null) {
      options.forEach((k, v) -> prov.add(Map.of("key", "option " + k, "value", String.valueOf(v))));
    }
    page.put("provenance", prov);

    StringWriter w = new StringWriter();
    TEMPLATE.execute(w, page).flush();
    return w.toString();
  }

  private static Map<String, Object> card(String label, String value, String note) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("label", label);
    m.put("value", value);
    m.put("note", note);
    return m;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> qualityRows(Map<String, Object> q) {
    List<Map<String, Object>> rows = new ArrayList<>();
    rows.add(
        qrow(
            "all noise",
            q.get("noisy"),
            q.get("dropped_noisy"),
            q.get("precision"),
            q.get("recall"),
            q.get("f1")));
    Map<String, Object> kinds = (Map<String, Object>) q.get("by_kind");
    kinds.forEach(
        (k, v) -> {
          Map<String, Object> km = (Map<String, Object>) v;
          rows.add(
              qrow(
                  k,
                  km.get("faces"),
                  km.get("dropped"),
                  km.get("precision_vs_clean"),
                  km.get("recall"),
                  km.get("f1")));
        });
    return rows;
  }

  private static Map<String, Object> qrow(
      String kind, Object faces, Object dropped, Object p, Object r, Object f1) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", kind);
    m.put("faces", faces);
    m.put("dropped", dropped);
    m.put("precision", String.format(Locale.ROOT, "%.3f", ((Number) p).doubleValue()));
    m.put("recall", String.format(Locale.ROOT, "%.3f", ((Number) r).doubleValue()));
    m.put("f1", String.format(Locale.ROOT, "%.3f", ((Number) f1).doubleValue()));
    return m;
  }

  private static List<Map<String, Object>> entries(Map<String, Object> m) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (m != null) {
      m.forEach((k, v) -> out.add(Map.of("key", k, "value", String.valueOf(v))));
    }
    return out;
  }

  static String count(Object n) {
    return n == null ? "—" : String.format(Locale.ROOT, "%,d", ((Number) n).longValue());
  }

  static String pct(Object share) {
    return share == null
        ? "—"
        : String.format(Locale.ROOT, "%.1f%%", 100 * ((Number) share).doubleValue());
  }

  static String pct(Object a, Object b) {
    double d = ((Number) b).doubleValue();
    return pct(d == 0 ? 0.0 : ((Number) a).doubleValue() / d);
  }
}
