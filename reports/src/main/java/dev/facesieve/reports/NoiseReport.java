package dev.facesieve.reports;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.input.InputPlanner;
import dev.facesieve.datasets.io.LocalFiles;
import dev.facesieve.datasets.parquet.ParquetFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.annotation.Nullable;
import org.apache.avro.generic.GenericRecord;

/**
 * The noise-rate report of a clean run: {@code report.json} (stable keys, documented in {@code
 * docs/report.md}) and {@code report.html} (one self-contained page).
 *
 * <p>Everything comes from the run's outputs ({@code summary.json}, {@code classes.parquet}, {@code
 * kept/}, {@code dropped/}) and the model's {@code centres.parquet}; no model runs here, so a
 * report can be regenerated at any time with other settings.
 */
public final class NoiseReport {
  public static final String JSON_FILE = "report.json";
  public static final String HTML_FILE = "report.html";
  public static final int VERSION = 1;

  static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  /** Report settings; immutable, {@code withX} validates. */
  public record Options(
      @Nullable Path truthCsv,
      @Nullable Path model,
      double duplicateThresholdDeg,
      int maxDuplicatePairs,
      int noisiestClasses,
      int thumbnailsPerSide,
      int maxTableRows) {
    public Options {
      checkArgument(
          duplicateThresholdDeg >= 0 && duplicateThresholdDeg <= 180,
          "duplicate threshold must be in [0, 180] degrees, got %s",
          duplicateThresholdDeg);
      checkArgument(maxDuplicatePairs >= 0, "max pairs must be >= 0, got %s", maxDuplicatePairs);
      checkArgument(noisiestClasses >= 0, "noisiest classes must be >= 0, got %s", noisiestClasses);
      checkArgument(thumbnailsPerSide >= 0, "thumbnails must be >= 0, got %s", thumbnailsPerSide);
      checkArgument(maxTableRows > 0, "table rows must be > 0, got %s", maxTableRows);
    }

    public static Options defaults() {
      return new Options(null, null, DEFAULT_DUPLICATE_DEG, 1000, 8, 6, 2000);
    }

    /** Ground truth ({@code id,truth} CSV) replacing the records' truth column. */
    public Options withTruth(@Nullable Path csv) {
      return new Options(
          csv,
          model,
          duplicateThresholdDeg,
          maxDuplicatePairs,
          noisiestClasses,
          thumbnailsPerSide,
          maxTableRows);
    }

    /** The model folder whose centres are compared, instead of the one the summary names. */
    public Options withModel(@Nullable Path m) {
      return new Options(
          truthCsv,
          m,
          duplicateThresholdDeg,
          maxDuplicatePairs,
          noisiestClasses,
          thumbnailsPerSide,
          maxTableRows);
    }

    public Options withDuplicateThresholdDeg(double deg) {
      return new Options(
          truthCsv,
          model,
          deg,
          maxDuplicatePairs,
          noisiestClasses,
          thumbnailsPerSide,
          maxTableRows);
    }

    public Options withNoisiestClasses(int n) {
      return new Options(
          truthCsv,
          model,
          duplicateThresholdDeg,
          maxDuplicatePairs,
          n,
          thumbnailsPerSide,
          maxTableRows);
    }

    public Options withThumbnailsPerSide(int n) {
      return new Options(
          truthCsv,
          model,
          duplicateThresholdDeg,
          maxDuplicatePairs,
          noisiestClasses,
          n,
          maxTableRows);
    }
  }

  /**
   * Default bound for suspected duplicate identities: dominant sub-centres within 60° (cosine ≥
   * 0.5). Training with both labels pushes a duplicate's two centres apart (on ORL with five
   * planted duplicates they ended 56°–82° apart, the closest genuine pair 67°), so this catches the
   * clearest cases without false pairs there; {@code docs/benchmarks-report.md} has the numbers.
   */
  public static final double DEFAULT_DUPLICATE_DEG = 60;

  private NoiseReport() {}

  /** Reads a finished clean run in {@code cleanDir} and writes both files next to its outputs. */
  public static Map<String, Object> regenerate(Path cleanDir, Options o) throws IOException {
    Map<String, NoiseKind> truth =
        o.truthCsv() == null ? null : InputPlanner.readTruth(o.truthCsv());
    CleanRun run = CleanRun.read(cleanDir, truth);
    return write(run, o, cleanDir);
  }

  /**
   * Builds the report of {@code run} and writes {@code report.json} and {@code report.html} into
   * {@code target}, each through a temporary file and an atomic rename.
   */
  public static Map<String, Object> write(CleanRun run, Options o, Path target) throws IOException {
    Map<String, Object> report = build(run, o);
    Files.createDirectories(target);
    LocalFiles.writeAtomically(target.resolve(JSON_FILE), JSON.writeValueAsString(report));
    String html = HtmlReport.render(run, report, o);
    LocalFiles.writeAtomically(target.resolve(HTML_FILE), html);
    return report;
  }

  /** The report as a map of stable keys (what {@code report.json} holds). */
  @SuppressWarnings("unchecked")
  static Map<String, Object> build(CleanRun run, Options o) throws IOException {
    Map<String, Object> s = run.summary();
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("report_version", VERSION);
    r.put("facesieve_version", s.get("facesieve_version"));
    Map<String, Object> source = new LinkedHashMap<>();
    source.put("clean_output", run.location().toAbsolutePath().toString());
    source.put("data", s.get("data"));
    source.put("data_fingerprint", s.get("data_fingerprint"));
    source.put("model", s.get("model"));
    source.put("model_sha256", s.get("model_sha256"));
    source.put("truth", o.truthCsv() == null ? "records" : o.truthCsv().toString());
    r.put("source", source);
    r.put("options", s.get("options"));

    long input = num(s, "input");
    long quarantined = num(s, "quarantined");
    long kept = num(s, "kept");
    long dropped = num(s, "dropped");
    long prepared = kept + dropped;
    Map<String, Object> totals = new LinkedHashMap<>();
    totals.put("input", input);
    totals.put("quarantined", quarantined);
    totals.put("quarantined_by_reason", s.get("quarantined_by_reason"));
    totals.put("prepared", prepared);
    totals.put("kept", kept);
    totals.put("dropped", dropped);
    totals.put("dropped_by_reason", s.get("dropped_by_reason"));
    totals.put("classes_before", s.get("classes_before"));
    totals.put("classes_after", s.get("classes_after"));
    r.put("totals", totals);

    Map<String, Object> dominant = NoiseStatistics.dominantSubClasses(run);
    Map<String, Object> noise = new LinkedHashMap<>();
    noise.put("dropped_share_of_input", NoiseStatistics.ratio(dropped, input));
    noise.put("removed_share_of_input", NoiseStatistics.ratio(dropped + quarantined, input));
    noise.put("dropped_share_of_prepared", NoiseStatistics.ratio(dropped, prepared));
    noise.put(
        "outlier_share_inside_dominant_sub_classes", dominant.get("outlier_share_inside_dominant"));
    noise.put(
        "denominators",
        Map.of(
            "dropped_share_of_input",
            "faces dropped by cleaning / all input records (quarantined included)",
            "removed_share_of_input",
            "(faces dropped + records quarantined by prepare) / all input records",
            "dropped_share_of_prepared",
            "faces dropped / faces that reached cleaning (kept + dropped)",
            "outlier_share_inside_dominant_sub_classes",
            "faces nearest their class's dominant sub-centre whose angle to it exceeds the"
                + " threshold / all faces nearest their dominant sub-centre"));
    r.put("noise_rate", noise);
    r.put("dominant_sub_classes", dominant);
    r.put("angle_histograms", NoiseStatistics.histograms(run));
    r.put("threshold_sweep", NoiseStatistics.sweep(run));
    Map<String, Object> quality = NoiseStatistics.quality(run);
    r.put("quality_vs_truth", quality);
    List<Map<String, Object>> classRows = NoiseStatistics.classRows(run);
    r.put("class_drop_rate_histogram", NoiseStatistics.classDropRateHistogram(classRows));
    r.put("duplicate_identities", duplicates(run, o));
    r.put("classes", classRows);
    return r;
  }

  /** Pairs of classes whose dominant sub-centres are within the bound; see DuplicateIdentities. */
  static Map<String, Object> duplicates(CleanRun run, Options o) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("threshold_deg", o.duplicateThresholdDeg());
    Object modelPath = run.summary().get("model");
    Path model =
        o.model() != null ? o.model() : modelPath == null ? null : Path.of((String) modelPath);
    Path centresFile = model == null ? null : model.resolve("centres.parquet");
    if (centresFile == null || !Files.isRegularFile(centresFile)) {
      m.put("skipped", "no centres.parquet at " + centresFile + " (pass --model)");
      m.put("pairs_found", 0);
      m.put("pairs", List.of());
      return m;
    }
    Map<Integer, Integer> dominantOf = new HashMap<>();
    Map<Integer, String> identityOf = new HashMap<>();
    for (GenericRecord c : run.classes()) {
      dominantOf.put((Integer) c.get("label"), (Integer) c.get("dominant_sub_center"));
      identityOf.put((Integer) c.get("label"), c.get("identity").toString());
    }
    Map<Integer, float[]> centre = new HashMap<>();
    ParquetFiles.read(
        centresFile,
        rec -> {
          Integer cls = (Integer) rec.get("class");
          Integer dom = dominantOf.get(cls);
          if (dom != null && dom.equals(rec.get("sub_center"))) {
            centre.put(cls, normalised(FaceSchemas.floats(rec.get("vector"))));
          }
        });
    List<Integer> labels = new ArrayList<>(new TreeSet<>(centre.keySet()));
    float[][] v = new float[labels.size()][];
    for (int i = 0; i < v.length; i++) {
      v[i] = centre.get(labels.get(i));
    }
    List<DuplicateIdentities.Pair> pairs = DuplicateIdentities.find(v, o.duplicateThresholdDeg());
    m.put("centres_compared", v.length);
    m.put("pairs_found", pairs.size());
    List<Map<String, Object>> rows = new ArrayList<>();
    for (DuplicateIdentities.Pair p :
        pairs.subList(0, Math.min(pairs.size(), o.maxDuplicatePairs()))) {
      Map<String, Object> row = new LinkedHashMap<>();
      int a = labels.get(p.a());
      int b = labels.get(p.b());
      row.put("label_a", a);
      row.put("identity_a", identityOf.get(a));
      row.put("label_b", b);
      row.put("identity_b", identityOf.get(b));
      row.put("cosine", p.cosine());
      row.put("angle_deg", p.angleDeg());
      rows.add(row);
    }
    m.put("pairs", rows);
    m.put("pairs_listed", rows.size());
    return m;
  }

  private static float[] normalised(float[] v) {
    double n = 0;
    for (float x : v) {
      n += (double) x * x;
    }
    n = Math.sqrt(n);
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = n == 0 ? 0f : (float) (v[i] / n);
    }
    return out;
  }

  /** Classes sorted by drop rate, then dropped count, then label: the noisiest first. */
  static List<Map<String, Object>> noisiestFirst(List<Map<String, Object>> rows) {
    List<Map<String, Object>> sorted = new ArrayList<>(rows);
    sorted.sort(
        Comparator.<Map<String, Object>>comparingDouble(
                c -> -((Number) c.get("drop_rate")).doubleValue())
            .thenComparingLong(c -> -((Number) c.get("dropped")).longValue())
            .thenComparingInt(c -> (Integer) c.get("label")));
    return sorted;
  }

  static long num(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (!(v instanceof Number n)) {
      throw new InputException(Path.of("summary.json"), "has no number '" + key + "'");
    }
    return n.longValue();
  }
}
