package dev.facesieve.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a person reviewing the decisions sees in headless Chromium: the borderline faces with
 * headings, angles and reasons, a class page per class linked from the table, the search box, and
 * the warning for a class that loses most of its faces.
 */
class ReviewPagesInChromiumTest {
  @TempDir Path tmp;
  Path chromium;

  @BeforeEach
  void findChromium() {
    Optional<Path> c = Chromium.find();
    assumeTrue(c.isPresent(), "Chromium not found: skipping the rendering check");
    chromium = c.get();
  }

  /**
   * The subclass run (threshold 62.5° to the person's centroid): dropped faces nearest the
   * threshold come first (face 10 at 70°, then the other-person face 9 at 80°, not the farthest
   * first), each with its reason; kept faces farthest from the centre first (face 11 at 60°).
   */
  @Test
  void borderlineFacesWithHeadingsAnglesAndReasons() throws Exception {
    Path clean = FakeCleanRun.writeSubclass(tmp);
    NoiseReport.regenerate(clean, NoiseReport.Options.defaults());
    String dom = Chromium.dumpDom(chromium, clean.resolve(NoiseReport.HTML_FILE), tmp);
    String noisiest = section(dom, "noisiest-classes");
    assertTrue(noisiest.contains("<h3 class=\"side\">kept, farthest from the centre</h3>"));
    assertTrue(
        noisiest.contains("<h3 class=\"side\">dropped, nearest the threshold (62.5°)</h3>"),
        noisiest);
    assertTrue(noisiest.contains("angle to the person's centroid"));

    // person_2 lost face 9 as another person: its page, linked from the table
    String href = classLink(dom, 2);
    Path page = clean.resolve(href);
    assertTrue(Files.isRegularFile(page), href);
    String cls = Chromium.dumpDom(chromium, page, tmp);
    String borderline = section(cls, "borderline");
    assertEquals(
        List.of("70.0°outlier angle", "80.0°other person"), captions(borderline, "dropped"));
    List<String> kept = captions(borderline, "kept");
    assertEquals(List.of("60.0°", "44.0°", "41.0°", "38.0°", "35.0°", "32.0°"), kept);
    assertEquals(8, NoiseReportTest.count(borderline, "<img src=\"data:image/jpeg;base64,"));
    assertTrue(cls.contains("href=\"../../report.html\""), "no way back to the report");
    assertTrue(cls.contains("12 faces: 10 kept, 2 dropped (16.7%)</h2>"), cls);
  }

  /** The search box keeps only matching rows; a label number offers that class's page. */
  @Test
  void searchBoxFiltersTheClassTable() throws Exception {
    Path clean = FakeCleanRun.writeMany(tmp, 30);
    NoiseReport.regenerate(clean, NoiseReport.Options.defaults());
    Path report = clean.resolve(NoiseReport.HTML_FILE);

    String all = Chromium.dumpDom(chromium, report, tmp);
    assertTrue(all.contains("data-ready=\"ready\""), "search script did not run");
    assertEquals(30, visibleRows(all));

    String some = dumpWithQuery(report, "person_1");
    // person_1 and person_10 … person_19
    assertEquals(11, visibleRows(some));
    assertTrue(some.contains("11 of 30 rows match"), some);

    String label = dumpWithQuery(report, "17");
    assertEquals(1, visibleRows(label));
    Matcher go = Pattern.compile("<a id=\"class-table-go\" href=\"([^\"]+)\">").matcher(label);
    assertTrue(go.find(), "no link to the class page");
    assertEquals("report/classes/17.html", go.group(1));
    assertTrue(Files.isRegularFile(clean.resolve(go.group(1))));
  }

  /** A class that drops both its faces is named at the top and flagged in the table. */
  @Test
  void classLosingMostFacesIsFlagged() throws Exception {
    Path clean = FakeCleanRun.writeMany(tmp, 30);
    NoiseReport.regenerate(clean, NoiseReport.Options.defaults());
    String dom = Chromium.dumpDom(chromium, clean.resolve(NoiseReport.HTML_FILE), tmp);
    String headline = section(dom, "headline");
    assertTrue(
        headline.contains(
            "<b>1</b> class loses more than 50.0% of their faces (dropped, or moved to another"
                + " class): <a href=\"report/classes/7.html\">person_7</a> (100.0%)"),
        headline);
    String table = section(dom, "classes");
    Matcher warned =
        Pattern.compile("<tr class=\"warn\">(.*?)</tr>", Pattern.DOTALL).matcher(table);
    assertTrue(warned.find(), "no flagged row");
    assertTrue(warned.group(1).contains("person_7"));
    assertTrue(warned.group(1).contains("⚠ loses 100.0%"));
    assertEquals(1, NoiseReportTest.count(table, "<tr class=\"warn\">"));
    String page = Chromium.dumpDom(chromium, clean.resolve("report/classes/7.html"), tmp);
    assertTrue(page.contains("This class loses 100.0% of its faces"), page);
    // and a person sees it: the warning's orange box is on the screenshot
    Path png = Chromium.screenshot(chromium, clean.resolve(NoiseReport.HTML_FILE), tmp, 1200, 900);
    var img = javax.imageio.ImageIO.read(png.toFile());
    int orange = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        if ((img.getRGB(x, y) & 0xffffff) == 0xfff4e5) {
          orange++;
        }
      }
    }
    assertTrue(orange > 5_000, "warning box not visible: " + orange + " pixels");
  }

  private String dumpWithQuery(Path page, String q) throws Exception {
    URI uri = new URI(page.toUri() + "?q=" + q);
    return Chromium.dumpDom(chromium, uri.toString(), tmp);
  }

  private static int visibleRows(String dom) {
    Matcher body =
        Pattern.compile("<table id=\"class-table\".*?<tbody>(.*?)</tbody>", Pattern.DOTALL)
            .matcher(dom);
    assertTrue(body.find(), "no class table");
    Matcher rows = Pattern.compile("<tr([^>]*)>").matcher(body.group(1));
    int n = 0;
    while (rows.find()) {
      n += rows.group(1).contains("hidden") ? 0 : 1;
    }
    return n;
  }

  private static String classLink(String dom, int label) {
    Matcher m =
        Pattern.compile("<td><a href=\"(report/classes/" + label + "\\.html)\">" + label + "</a>")
            .matcher(dom);
    assertTrue(m.find(), "no link to class " + label + " in the table");
    return m.group(1);
  }

  /** The captions (angle, then reason) of one side's faces, in page order. */
  private static List<String> captions(String html, String side) {
    Matcher div =
        Pattern.compile("<div class=\"thumbs " + side + "\">(.*?)</div>", Pattern.DOTALL)
            .matcher(html);
    assertTrue(div.find(), "no " + side + " faces");
    Matcher cap =
        Pattern.compile("<figcaption class=\"angle\">(.*?)</figcaption>").matcher(div.group(1));
    List<String> out = new ArrayList<>();
    while (cap.find()) {
      out.add(cap.group(1).replaceAll("<[^>]+>", ""));
    }
    return out;
  }

  private static String section(String dom, String id) {
    Matcher m =
        Pattern.compile("<section id=\"" + id + "\">(.*?)</section>", Pattern.DOTALL).matcher(dom);
    assertTrue(m.find(), "no section " + id);
    return m.group(1);
  }
}
