package dev.facesieve.reports;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoBuilder;
import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.clean.DetectionMetrics;
import dev.facesieve.datasets.clean.DropReason;
import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.datasets.input.SideFiles;
import dev.facesieve.datasets.io.LocalFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.annotation.Nullable;

/**
 * The noise-rate report of a clean run: {@code report.json} (stable keys, documented in {@code
 * docs/report.md}) and {@code report.html} (one self-contained page).
 *
 * <p>Everything comes from the run's outputs ({@code summary.json}, {@code classes.parquet}, {@code
 * kept/}, {@code dropped/}, and the inter-class files {@code merges.csv}, {@code
 * duplicate-images.csv}, {@code test-overlap.csv}); no model runs here, so a report can be
 * regenerated at any time with other settings.
 */
public final class NoiseReport {
  public static final String JSON_FILE = "report.json";
  public static final String HTML_FILE = "report.html";

  /**
   * The folder beside {@code report.html} with a page per class ({@code classes/<label>.html}) and
   * the class table in pages ({@code table-<n>.html}).
   */
  public static final String PAGES_DIR = "report";

  /**
   * 2 since inter-class cleaning (#17): {@code inter_class} replaced {@code duplicate_identities},
   * which compared the model's dominant sub-centres.
   */
  public static final int VERSION = 2;

  /**
   * Report settings; the compact constructor validates. The defaults are the constants below, which
   * the command line uses too.
   */
  public record Options(
      @Nullable Path truthCsv, int noisiestClasses, int thumbnailsPerSide, int maxTableRows) {
    /** Noisiest classes shown with thumbnails in {@code report.html} (every class has its page). */
    public static final int DEFAULT_NOISIEST_CLASSES = 8;

    /** Borderline kept and dropped faces shown per class. */
    public static final int DEFAULT_THUMBNAILS_PER_SIDE = 6;

    /** Rows of the per-class table in {@code report.html}, and of each further table page. */
    public static final int DEFAULT_MAX_TABLE_ROWS = 2000;

    public Options {
      checkArgument(noisiestClasses >= 0, "noisiest classes must be >= 0, got %s", noisiestClasses);
      checkArgument(thumbnailsPerSide >= 0, "thumbnails must be >= 0, got %s", thumbnailsPerSide);
      checkArgument(maxTableRows > 0, "table rows must be > 0, got %s", maxTableRows);
    }

    /** The default settings: truth from the records. */
    public static Options defaults() {
      return builder().build();
    }

    public static Builder builder() {
      return new AutoBuilder_NoiseReport_Options_Builder()
          .setNoisiestClasses(DEFAULT_NOISIEST_CLASSES)
          .setThumbnailsPerSide(DEFAULT_THUMBNAILS_PER_SIDE)
          .setMaxTableRows(DEFAULT_MAX_TABLE_ROWS);
    }

    public Builder toBuilder() {
      return new AutoBuilder_NoiseReport_Options_Builder(this);
    }

    /** Builds {@link Options}; unset paths stay null. */
    @AutoBuilder
    public interface Builder {
      /** Ground truth ({@code id,truth} CSV) replacing the records' truth column. */
      Builder setTruthCsv(@Nullable Path csv);

      Builder setNoisiestClasses(int n);

      Builder setThumbnailsPerSide(int n);

      Builder setMaxTableRows(int n);

      Options build();
    }
  }

  private NoiseReport() {}

  /** Reads a finished clean run in {@code cleanDir} and writes both files next to its outputs. */
  public static ReportJson regenerate(Path cleanDir, Options o) throws IOException {
    Map<String, NoiseKind> truth =
        o.truthCsv() == null ? null : SideFiles.readTruthKinds(o.truthCsv());
    CleanRun run = CleanRun.read(cleanDir, truth);
    return write(run, o, cleanDir);
  }

  /**
   * Builds the report of {@code run} and writes {@code report.json}, the folder {@link #PAGES_DIR}
   * and {@code report.html} into {@code target}, the files through a temporary file and an atomic
   * rename, the folder built beside it and moved into place.
   */
  public static ReportJson write(CleanRun run, Options o, Path target) throws IOException {
    ReportJson report = build(run, o);
    Files.createDirectories(target);
    LocalFiles.writeAtomically(target.resolve(JSON_FILE), StageJson.write(report));
    HtmlReport.write(run, report, o, target);
    return report;
  }

  /** The report (what {@code report.json} holds). */
  static ReportJson build(CleanRun run, Options o) throws IOException {
    CleanSummary s = run.summary();
    ReportJson.Source source =
        new ReportJson.Source(
            run.location(),
            s.data(),
            s.dataFingerprint(),
            s.model(),
            s.modelSha256(),
            o.truthCsv() == null ? "records" : o.truthCsv().toString());
    long input = s.input();
    long quarantined = s.quarantined();
    long kept = s.kept();
    long dropped = s.dropped();
    long prepared = kept + dropped;
    ReportJson.Totals totals =
        new ReportJson.Totals(
            input,
            quarantined,
            s.quarantinedByReason(),
            prepared,
            kept,
            dropped,
            droppedByReason(s.droppedByReason()),
            s.classesBefore(),
            s.classesAfter());
    ReportJson.DominantSubClasses dominant = NoiseStatistics.dominantSubClasses(run);
    ReportJson.NoiseRate noise =
        new ReportJson.NoiseRate(
            DetectionMetrics.ratio(dropped, input),
            DetectionMetrics.ratio(dropped + quarantined, input),
            DetectionMetrics.ratio(dropped, prepared),
            dominant.outlierShareInsideDominant(),
            ReportJson.Denominators.TEXT);
    List<ReportJson.ClassRow> classRows = NoiseStatistics.classRows(run);
    return new ReportJson(
        VERSION,
        s.facesieveVersion(),
        source,
        s.options(),
        NoiseStatistics.calibration(run),
        totals,
        noise,
        dominant,
        NoiseStatistics.histograms(run),
        NoiseStatistics.sweep(run),
        NoiseStatistics.quality(run),
        NoiseStatistics.relabelling(run),
        NoiseStatistics.classDropRateHistogram(classRows),
        NoiseStatistics.interClass(run),
        classRows);
  }

  /**
   * The summary's counts by reason with every {@link DropReason}, in name order; a reason a summary
   * written before it existed lacks counts 0.
   */
  @Nullable
  static Map<String, Long> droppedByReason(@Nullable Map<String, Long> fromSummary) {
    if (fromSummary == null) {
      return null;
    }
    Map<String, Long> out = new TreeMap<>(fromSummary);
    for (DropReason r : DropReason.values()) {
      out.putIfAbsent(r.name(), 0L);
    }
    return out;
  }

  /** Classes sorted by drop rate, then dropped count, then label: the noisiest first. */
  static List<ReportJson.ClassRow> noisiestFirst(List<ReportJson.ClassRow> rows) {
    List<ReportJson.ClassRow> sorted = new ArrayList<>(rows);
    sorted.sort(
        Comparator.comparingDouble((ReportJson.ClassRow c) -> -c.dropRate())
            .thenComparingLong(c -> -c.dropped())
            .thenComparingInt(ReportJson.ClassRow::label));
    return sorted;
  }
}
