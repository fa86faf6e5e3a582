package dev.facesieve.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.LongSummaryStatistics;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report's pages at scale: {@code report.html} stays small at 100K classes, every class has its
 * own page reachable from a table page, and the sizes are printed for {@code docs/report.md}.
 */
class ReportPagesTest {
  /**
   * 100K classes of two faces. The faces' image bytes do not decode (each shows the 1×1 grey
   * placeholder), which keeps 200K thumbnails out of a unit test's time; {@link
   * #aClassPageWithItsThumbnails} measures pages with real ones.
   */
  @Test
  void everyClassIsReachableAndReportHtmlStaysSmallAt100kClasses(@TempDir Path tmp)
      throws Exception {
    int classes = 100_000;
    Path clean = FakeCleanRun.writeMany(tmp, classes, new byte[] {1, 2, 3});
    long start = System.nanoTime();
    NoiseReport.regenerate(clean, NoiseReport.Options.defaults());
    double seconds = (System.nanoTime() - start) / 1e9;

    Path pages = clean.resolve(NoiseReport.PAGES_DIR);
    String report = Files.readString(clean.resolve(NoiseReport.HTML_FILE));
    int perPage = NoiseReport.Options.DEFAULT_MAX_TABLE_ROWS;
    int tablePages = classes / perPage;
    long tableBytes = 0;
    for (int p = 1; p <= tablePages; p++) {
      Path t = pages.resolve(HtmlReport.tablePage(p));
      assertTrue(Files.isRegularFile(t), t.toString());
      tableBytes += Files.size(t);
      // report.html (itself the first page) links every other page: each class is two clicks away
      assertTrue(
          p == 1 || report.contains("href=\"report/" + HtmlReport.tablePage(p) + "\""),
          "no link to table page " + p);
    }
    assertFalse(Files.exists(pages.resolve(HtmlReport.tablePage(tablePages + 1))));
    assertEquals(perPage, NoiseReportTest.count(report, "<td><a href=\"report/classes/"));
    // each table page links each of its classes' page
    String last = Files.readString(pages.resolve(HtmlReport.tablePage(tablePages)));
    assertEquals(perPage, NoiseReportTest.count(last, "<a href=\"classes/"));
    LongSummaryStatistics classPages = sizes(pages.resolve("classes"));
    assertEquals(classes, classPages.getCount());
    assertTrue(Files.isRegularFile(pages.resolve("classes/99999.html")));

    System.out.printf(
        Locale.ROOT,
        "report at %,d classes in %.1f s: report.html %,d bytes; %d table pages of %,d bytes on"
            + " average; %,d class pages%n",
        classes,
        seconds,
        report.length(),
        tablePages,
        tableBytes / tablePages,
        classPages.getCount());
    // charts, the first 2,000 table rows and 8 classes' faces: under 2 MB at any class count
    assertTrue(report.length() < 2_000_000, "report.html has " + report.length() + " chars");
  }

  /** A class page with its borderline faces, 56-pixel JPEGs. */
  @Test
  void aClassPageWithItsThumbnails(@TempDir Path tmp) throws Exception {
    Path clean = FakeCleanRun.writeMany(tmp, 1_000);
    NoiseReport.regenerate(clean, NoiseReport.Options.defaults());
    Path page = clean.resolve(NoiseReport.PAGES_DIR).resolve("classes/123.html");
    String html = Files.readString(page);
    assertEquals(2, NoiseReportTest.count(html, "<img src=\"data:image/jpeg;base64,"), html);
    LongSummaryStatistics s = sizes(page.getParent());
    System.out.printf(
        Locale.ROOT,
        "class pages with 2 thumbnails: %,d bytes on average; report.html at 1,000 classes: %,d"
            + " bytes%n",
        (long) s.getAverage(),
        Files.size(clean.resolve(NoiseReport.HTML_FILE)));
  }

  private static LongSummaryStatistics sizes(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .summaryStatistics();
    }
  }
}
