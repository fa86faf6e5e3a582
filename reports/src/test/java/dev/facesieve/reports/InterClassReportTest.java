package dev.facesieve.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report's inter-class sections on a run whose findings are known ({@link
 * FakeCleanRun#writeInterClass}): a duplicate-identity group, copies within and across classes, a
 * test-set identity; and a run from before inter-class cleaning still renders.
 */
class InterClassReportTest {
  @TempDir Path tmp;

  @Test
  void reportJsonCarriesTheFindings() throws Exception {
    Path clean = FakeCleanRun.writeInterClass(tmp);
    ReportJson r = NoiseReport.regenerate(clean, NoiseReport.Options.defaults());
    JsonNode json = new ObjectMapper().readTree(clean.resolve(NoiseReport.JSON_FILE).toFile());
    assertEquals(NoiseReport.VERSION, json.get("report_version").asInt());
    assertNull(json.get("duplicate_identities"), "the head-row comparison is gone");

    JsonNode d = json.at("/inter_class/duplicate_identities");
    assertEquals("drop", d.get("action").asText());
    assertEquals(32.0, d.get("threshold_deg").asDouble());
    assertTrue(d.get("threshold_auto").asBoolean());
    assertEquals(1, d.get("groups_found").asInt());
    assertEquals(12, d.get("faces_dropped").asLong());
    JsonNode g = d.at("/groups/0");
    assertEquals(3, g.get("keeper_label").asInt());
    assertEquals(31.5, g.get("max_angle_deg").asDouble());
    assertEquals("keeper", g.at("/classes/0/action").asText());
    assertEquals(4, g.at("/classes/1/label").asInt());
    assertEquals("dropped", g.at("/classes/1/action").asText());
    assertEquals(12, g.at("/classes/1/faces").asInt());

    JsonNode i = json.at("/inter_class/duplicate_images");
    assertEquals(8.0, i.get("near_threshold_deg").asDouble());
    assertEquals(1, i.get("within_class_exact").asLong());
    assertEquals(1, i.get("within_class_near").asLong());
    assertEquals(2, i.get("within_class_dropped").asLong());
    assertEquals(0, i.get("within_class_reported").asLong());
    assertEquals(1, i.get("across_classes_exact").asLong());
    // the near copy (nearest the threshold) first, the exact copy within the class, then across
    List<String> ids = new ArrayList<>();
    i.get("pairs")
        .forEach(p -> ids.add(p.get("id").asText() + ">" + p.get("duplicate_of").asText()));
    assertEquals(List.of("c0/1.jpg>c0/0.jpg", "c0/2.jpg>c0/3.jpg", "c1/5.jpg>c0/5.jpg"), ids);

    JsonNode t = json.at("/inter_class/test_overlap");
    assertEquals(FakeCleanRun.TEST_SET, t.get("exclude_identities_of").asText());
    assertEquals(3, t.get("test_identities").asInt());
    assertEquals(1, t.get("classes_dropped").asInt());
    assertEquals(12, t.get("faces_dropped").asLong());
    assertEquals("test_person_2", t.at("/classes/0/test_identity").asText());
    assertEquals(22.0, t.at("/classes/0/angle_deg").asDouble());
    for (String section :
        new String[] {"duplicate_identities", "duplicate_images", "test_overlap"}) {
      assertTrue(
          json.at("/inter_class/" + section + "/truth").isMissingNode(),
          "no truth, no truth metrics: " + section);
    }

    // the class rows count the new drops; cleaning across classes is not label noise in the sweep
    JsonNode row4 = json.at("/classes/4");
    assertEquals(12, row4.get("dropped_duplicate_identity").asInt());
    assertEquals(2, json.at("/classes/0/dropped_duplicate_image").asInt());
    assertEquals(12, json.at("/classes/2/dropped_test_overlap").asInt());
    // and it reads back as the same record tree
    assertEquals(
        dev.facesieve.datasets.contract.StageJson.write(r),
        dev.facesieve.datasets.contract.StageJson.write(
            ReportJson.read(clean.resolve(NoiseReport.JSON_FILE))));
  }

  /**
   * What a reviewer sees: each class of the group with its faces (class 4 was dropped whole, so its
   * faces come from dropped/), the copy beside the face it copies, the test-set class with its
   * faces, and the two new calibration charts.
   */
  @Test
  void sectionsShowTheFacesInChromium() throws Exception {
    Optional<Path> chromium = Chromium.find();
    assumeTrue(chromium.isPresent(), "Chromium not found: skipping the rendering check");
    Path clean = FakeCleanRun.writeInterClass(tmp);
    NoiseReport.regenerate(clean, NoiseReport.Options.defaults());
    Path page = clean.resolve(NoiseReport.HTML_FILE);
    String dom = Chromium.dumpDom(chromium.get(), page, tmp);

    String groups = section(dom, "duplicate-identities");
    assertTrue(groups.contains("<b>32°</b> (auto)"), groups);
    assertTrue(groups.contains("<b class=\"groups-found\">1</b> group of 2 classes, dropped"));
    List<String> members = rows(groups);
    assertEquals(2, members.size(), groups);
    assertTrue(members.get(0).contains("person_3") && members.get(0).contains("keeper"));
    assertTrue(members.get(1).contains("person_4"), members.get(1));
    assertTrue(members.get(1).contains("31.5° from the keeper"), members.get(1));
    for (String m : members) {
      assertEquals(
          HtmlReport.FACES_PER_CLASS, NoiseReportTest.count(m, "src=\"data:image/jpeg"), m);
    }
    // faces nearest the centre: class 4's faces 0-3 (20°…29°), though all were dropped
    assertTrue(members.get(1).contains("alt=\"c4/0.jpg\""), members.get(1));

    String copies = section(dom, "duplicate-images");
    assertTrue(
        copies.contains("<td class=\"t\">within classes</td><td>1</td><td>1</td><td>2</td>"));
    Matcher pair =
        Pattern.compile("<div class=\"copy\">(.*?)</div>\\s*</div>", Pattern.DOTALL)
            .matcher(copies);
    List<String> pairs = new ArrayList<>();
    while (pair.find()) {
      pairs.add(pair.group(1));
    }
    assertEquals(3, pairs.size(), copies);
    assertTrue(pairs.get(0).contains("alt=\"copy c0/1.jpg\""), pairs.get(0));
    assertTrue(pairs.get(0).contains("alt=\"kept c0/0.jpg\""), pairs.get(0));
    assertTrue(pairs.get(0).contains("near copy, 2.5° apart"), pairs.get(0));
    assertTrue(pairs.get(2).contains("<b>c1/5.jpg</b> in person_1 (label 1) is <b>c0/5.jpg</b>"));
    for (String p : pairs) {
      assertEquals(2, NoiseReportTest.count(p, "src=\"data:image/jpeg"), p);
    }

    String test = section(dom, "test-overlap");
    assertTrue(test.contains("<code>" + FakeCleanRun.TEST_SET + "</code>: 3 identities"), test);
    assertTrue(test.contains("training class (12 faces) was dropped"), test);
    assertTrue(test.contains("is test identity <b>test_person_2</b>"), test);
    assertTrue(test.contains("The test faces are not kept"), test);
    assertEquals(HtmlReport.FACES_PER_CLASS, NoiseReportTest.count(test, "src=\"data:image/jpeg"));

    for (String s : new String[] {groups, copies, test}) {
      assertFalse(s.contains("class=\"truth\""), "no truth, no truth metrics: " + s);
    }

    String thresholds = section(dom, "thresholds");
    assertTrue(
        thresholds.contains(
            "Duplicate identity: two classes whose person centroids lie"
                + " within 32° of each other are one person (auto: midway between the 95th percentile"));
    assertTrue(
        thresholds.contains(
            "Near-duplicate image: two faces of a class whose embeddings"
                + " lie within 8° are copies of one picture (auto: 35% of the median face angle 32.0°"));
    for (String id : new String[] {"duplicate-cut", "near-duplicate-cut"}) {
      Matcher chart =
          Pattern.compile("<div class=\"chart\" id=\"" + id + "\"><svg.*?</svg>", Pattern.DOTALL)
              .matcher(thresholds);
      assertTrue(chart.find(), "no chart " + id);
      assertTrue(chart.group().contains("<path"), id + " is empty");
    }
    assertTrue(thresholds.contains("one person &lt; 32°"), "the cut is marked");
    assertTrue(thresholds.contains("copy &lt; 8°"), "the cut is marked");

    // the class page counts the new reasons
    String cls = Files.readString(clean.resolve("report/classes/4.html"));
    assertTrue(cls.contains("DUPLICATE_IDENTITY"), cls);

    // and a person sees the faces: the purple outlines of the group's other class
    Path png = Chromium.screenshot(chromium.get(), page, tmp, 1200, 6000);
    var img = ImageIO.read(png.toFile());
    int purple = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        if ((img.getRGB(x, y) & 0xffffff) == 0x9467bd) {
          purple++;
        }
      }
    }
    assertTrue(purple > 500, "group faces not visible: " + purple + " pixels");
  }

  /** The summary's truth metrics across classes, as a run on data with a ground truth has them. */
  private static final dev.facesieve.datasets.contract.CleanSummary.InterClass.Truth TRUTH =
      new dev.facesieve.datasets.contract.CleanSummary.InterClass.Truth(
          new dev.facesieve.datasets.contract.CleanSummary.InterClass.Detection(1, 1, 2, 1.0, 0.5),
          new dev.facesieve.datasets.contract.CleanSummary.InterClass.Detection(1, 1, 1, 1.0, 1.0),
          new dev.facesieve.datasets.contract.CleanSummary.InterClass.Detection(
              3, 2, 2, 2 / 3.0, 1.0),
          dev.facesieve.datasets.contract.CleanSummary.InterClass.Truth.NOTE);

  /** With a ground truth each section states its precision and recall, in report.json too. */
  @Test
  void sectionsShowTheTruthMetricsWhenTheRunHasThem() throws Exception {
    Path clean = FakeCleanRun.writeInterClass(tmp, TRUTH);
    NoiseReport.regenerate(clean, NoiseReport.Options.defaults());
    JsonNode json = new ObjectMapper().readTree(clean.resolve(NoiseReport.JSON_FILE).toFile());
    JsonNode d = json.at("/inter_class/duplicate_identities/truth");
    assertEquals(1, d.get("found").asLong());
    assertEquals(1, d.get("correct").asLong());
    assertEquals(2, d.get("in_truth").asLong());
    assertEquals(0.5, d.get("recall").asDouble());
    assertEquals(1.0, json.at("/inter_class/test_overlap/truth/precision").asDouble());
    assertEquals(2 / 3.0, json.at("/inter_class/duplicate_images/truth/precision").asDouble());

    Optional<Path> chromium = Chromium.find();
    assumeTrue(chromium.isPresent(), "Chromium not found: skipping the rendering check");
    String dom = Chromium.dumpDom(chromium.get(), clean.resolve(NoiseReport.HTML_FILE), tmp);
    assertTrue(
        section(dom, "duplicate-identities")
            .contains(
                "precision <b class=\"truth-precision\">1.000</b>, recall <b"
                    + " class=\"truth-recall\">0.500</b> (1 of 1 pairs of classes found are"
                    + " right; the truth holds 2)"),
        section(dom, "duplicate-identities"));
    assertTrue(
        section(dom, "duplicate-images")
            .contains(
                "precision <b class=\"truth-precision\">0.667</b>, recall <b"
                    + " class=\"truth-recall\">1.000</b> (2 of 3 copies found are right"),
        section(dom, "duplicate-images"));
    assertTrue(
        section(dom, "test-overlap")
            .contains(
                "precision <b class=\"truth-precision\">1.000</b>, recall <b"
                    + " class=\"truth-recall\">1.000</b> (1 of 1 training classes found"),
        section(dom, "test-overlap"));

    // nothing planted and nothing found: said in words, not as a precision of 0
    Path none = tmp.resolve("none");
    Path clean2 =
        FakeCleanRun.writeInterClass(
            none,
            new dev.facesieve.datasets.contract.CleanSummary.InterClass.Truth(
                new dev.facesieve.datasets.contract.CleanSummary.InterClass.Detection(
                    0, 0, 0, 0.0, 1.0),
                null,
                null,
                dev.facesieve.datasets.contract.CleanSummary.InterClass.Truth.NOTE));
    NoiseReport.regenerate(clean2, NoiseReport.Options.defaults());
    String dom2 = Chromium.dumpDom(chromium.get(), clean2.resolve(NoiseReport.HTML_FILE), none);
    assertTrue(
        section(dom2, "duplicate-identities")
            .contains("Against the ground truth: the truth holds none and none were found."),
        section(dom2, "duplicate-identities"));
    assertFalse(section(dom2, "test-overlap").contains("class=\"truth\""));
  }

  /** A clean folder from before #17: no CSV files, no new columns, no inter_class. */
  @Test
  void aRunFromBeforeInterClassCleaningStillRenders() throws Exception {
    Path clean = FakeCleanRun.write(tmp);
    FakeCleanRun.stripNewColumns(clean);
    for (String f : new String[] {"merges.csv", "duplicate-images.csv", "test-overlap.csv"}) {
      assertFalse(Files.exists(clean.resolve(f)));
    }
    ReportJson r = NoiseReport.regenerate(clean, NoiseReport.Options.defaults());
    assertNull(r.interClass());
    JsonNode json = new ObjectMapper().readTree(clean.resolve(NoiseReport.JSON_FILE).toFile());
    assertNull(json.get("inter_class"));
    assertEquals(0, json.at("/classes/0/dropped_duplicate_identity").asInt());
    String html = Files.readString(clean.resolve(NoiseReport.HTML_FILE));
    for (String id : new String[] {"duplicate-identities", "duplicate-images", "test-overlap"}) {
      Matcher m =
          Pattern.compile("<section id=\"" + id + "\">(.*?)</section>", Pattern.DOTALL)
              .matcher(html);
      assertTrue(m.find(), id);
      assertTrue(m.group(1).contains("predates inter-class cleaning"), m.group(1));
    }
  }

  private static List<String> rows(String html) {
    Matcher m =
        Pattern.compile("<div class=\"icrow\">(.*?)</div>\\s*</div>", Pattern.DOTALL).matcher(html);
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add(m.group(1));
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
