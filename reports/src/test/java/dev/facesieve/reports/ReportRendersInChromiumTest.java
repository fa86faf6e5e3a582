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
}
