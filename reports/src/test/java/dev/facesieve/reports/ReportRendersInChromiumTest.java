package dev.facesieve.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opens report.html in headless Chromium and checks that charts, table and images rendered. */
class ReportRendersInChromiumTest {
  @Test
  void everySectionRendersOffline(@TempDir Path tmp) throws Exception {
    Optional<Path> chromium = Chromium.find();
    assumeTrue(
        chromium.isPresent(),
        "Chromium not found (install Debian's 'chromium' package, as .ci/run does, or set"
            + " CHROMIUM): skipping the rendering check");
    Path clean = FakeCleanRun.write(tmp);
    NoiseReport.regenerate(clean, NoiseReport.Options.defaults());
    Path page = clean.resolve(NoiseReport.HTML_FILE);

    String dom = Chromium.dumpDom(chromium.get(), page, tmp);
    // the sorting script ran over the per-class table
    assertTrue(dom.contains("data-sortable=\"ready\""), "table script did not run");
    // four charts with drawn content (JFreeSVG writes shapes as <path>/<line>/<text>)
    Matcher svg = Pattern.compile("<svg[^>]*>(.*?)</svg>", Pattern.DOTALL).matcher(dom);
    int charts = 0;
    while (svg.find()) {
      String body = svg.group(1);
      assertTrue(body.contains("<path") || body.contains("<line"), "an empty chart");
      charts++;
    }
    assertEquals(4, charts);
    Matcher table =
        Pattern.compile("<table id=\"class-table\".*?<tbody>(.*?)</tbody>", Pattern.DOTALL)
            .matcher(dom);
    assertTrue(table.find(), "no class table");
    assertEquals(FakeCleanRun.CLASSES, NoiseReportTest.count(table.group(1), "<tr>"));
    assertTrue(NoiseReportTest.count(dom, "<img ") >= 30, "thumbnails missing");

    // and a person would see a page, not a blank: a good share of the screenshot is not white
    Path png = Chromium.screenshot(chromium.get(), page, tmp, 1200, 2400);
    BufferedImage img = ImageIO.read(png.toFile());
    long inked = 0;
    for (int y = 0; y < img.getHeight(); y += 2) {
      for (int x = 0; x < img.getWidth(); x += 2) {
        int rgb = img.getRGB(x, y) & 0xffffff;
        if (rgb != 0xffffff && rgb != 0xf6f7f9) {
          inked++;
        }
      }
    }
    double share = inked / (img.getWidth() * img.getHeight() / 4.0);
    assertTrue(share > 0.05, "the page looks blank: " + share);
  }

  /**
   * A subclass run with calibration and relabelling: the page shows how the thresholds were chosen
   * (two charts, their cuts marked, what auto chose in words) and the relabelled faces (count,
   * pairs, each move with its face and a face of the class it joined).
   */
  @Test
  void thresholdsAndRelabelledFacesRender(@TempDir Path tmp) throws Exception {
    Optional<Path> chromium = Chromium.find();
    assumeTrue(chromium.isPresent(), "Chromium not found: skipping the rendering check");
    Path clean = FakeCleanRun.writeSubclass(tmp);
    NoiseReport.regenerate(clean, NoiseReport.Options.defaults());
    String dom = Chromium.dumpDom(chromium.get(), clean.resolve(NoiseReport.HTML_FILE), tmp);

    String thresholds = section(dom, "thresholds");
    assertEquals(2, charts(thresholds), "calibration charts");
    assertTrue(thresholds.contains("another person &gt; 50°"), "other-person cut not marked");
    assertTrue(thresholds.contains("outlier &gt; 62.5°"), "outlier cut not marked");
    // the run recorded how its cuts were read (issue #26): the words say so as rendered
    assertTrue(
        thresholds.contains("median angle from a class to its nearest other class (70.0°)"),
        thresholds);
    assertTrue(thresholds.contains("10th percentile of 1,000 angles from faces"), thresholds);
    assertTrue(thresholds.contains("--policy drop-py --threshold-deg 75"));
    assertEquals(6, charts(dom), "charts on the page");

    String moves = section(dom, "relabelled");
    assertTrue(moves.contains("<b class=\"relabel-count\">2</b>"), "relabelled count");
    Matcher pairs =
        Pattern.compile("<table class=\"relabel-pairs\">.*?<tbody>(.*?)</tbody>", Pattern.DOTALL)
            .matcher(moves);
    assertTrue(pairs.find(), "no pairs table");
    assertEquals(2, NoiseReportTest.count(pairs.group(1), "<tr>"));
    assertTrue(pairs.group(1).contains("person_0 (label 0)"));
    assertEquals(2, NoiseReportTest.count(moves, "<div class=\"move\">"));
    // each move: the moved face and a face of the class it joined, both decoded images
    assertEquals(4, NoiseReportTest.count(moves, "<img src=\"data:image/jpeg;base64,"));
    assertTrue(moves.contains("<b>person_1</b> → <b>person_2</b>"), moves);
    assertTrue(moves.contains("80.0° from its old class, 33.0° from the new one"));
  }

  /** A drop-py run without calibration or relabelling says so instead of drawing nothing. */
  @Test
  void runWithoutCalibrationSaysSo(@TempDir Path tmp) throws Exception {
    Optional<Path> chromium = Chromium.find();
    assumeTrue(chromium.isPresent(), "Chromium not found: skipping the rendering check");
    Path clean = FakeCleanRun.write(tmp);
    NoiseReport.regenerate(clean, NoiseReport.Options.defaults());
    String dom = Chromium.dumpDom(chromium.get(), clean.resolve(NoiseReport.HTML_FILE), tmp);
    String thresholds = section(dom, "thresholds");
    assertEquals(0, charts(thresholds));
    assertTrue(thresholds.contains("No calibration ran: the drop-py policy decided at the 75°"));
    assertTrue(section(dom, "relabelled").contains("Relabelling was off"));
  }

  private static String section(String dom, String id) {
    Matcher m =
        Pattern.compile("<section id=\"" + id + "\">(.*?)</section>", Pattern.DOTALL).matcher(dom);
    assertTrue(m.find(), "no section " + id);
    return m.group(1);
  }

  /** Charts with drawn content (JFreeSVG writes shapes as path/line elements). */
  private static int charts(String html) {
    Matcher svg = Pattern.compile("<svg[^>]*>(.*?)</svg>", Pattern.DOTALL).matcher(html);
    int n = 0;
    while (svg.find()) {
      assertTrue(svg.group(1).contains("<path") || svg.group(1).contains("<line"), "empty chart");
      n++;
    }
    return n;
  }
}
