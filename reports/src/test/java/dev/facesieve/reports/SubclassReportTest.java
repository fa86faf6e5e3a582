package dev.facesieve.reports;

import static dev.facesieve.reports.NoiseReportTest.count;
import static dev.facesieve.reports.NoiseReportTest.longs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.facesieve.datasets.contract.StageJson;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a {@code subclass} run with calibrated thresholds and relabelling ({@link
 * FakeCleanRun#writeSubclass}), and of outputs written before those existed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubclassReportTest {
  Path clean;
  String text;
  JsonNode json;
  String html;

  @BeforeAll
  void writeReport(@TempDir Path tmp) throws Exception {
    clean = FakeCleanRun.writeSubclass(tmp);
    NoiseReport.regenerate(clean, NoiseReport.Options.defaults());
    text = Files.readString(clean.resolve(NoiseReport.JSON_FILE));
    json = new ObjectMapper().readTree(text);
    html = Files.readString(clean.resolve(NoiseReport.HTML_FILE));
  }

  @Test
  void dropReasonsAndClassRowsCountOtherPersonAndMoves() {
    assertEquals(3, json.at("/totals/dropped_by_reason/OTHER_PERSON").asLong());
    JsonNode rows = json.get("classes");
    for (int c = 0; c < FakeCleanRun.CLASSES; c++) {
      JsonNode r = rows.get(c);
      boolean moved = c < 2;
      assertEquals(10, r.get("kept").asInt());
      assertEquals(moved ? 1 : 0, r.get("relabelled_out").asInt(), "class " + c);
      assertEquals(moved ? 0 : 1, r.get("dropped_other_person").asInt(), "class " + c);
      // samples = kept + dropped + relabelled_out
      assertEquals(moved ? 1 : 2, r.get("dropped").asInt(), "class " + c);
      // face 10 is noise and dropped everywhere; face 9 counts as dropped only where it was
      assertEquals(moved ? 1 : 2, r.get("noisy_dropped").asInt(), "class " + c);
    }
  }

  @Test
  void classPagesShowTheEvidenceEachGroupWasJudgedOn() throws Exception {
    JsonNode groups = json.get("classes").get(3).get("groups");
    assertEquals(3, groups.size());
    assertEquals("dominant", groups.get(0).get("verdict").asText());
    JsonNode g = groups.get(1);
    assertEquals(1, g.get("faces").asInt());
    assertEquals(63.0, g.get("angle_to_dominant_deg").asDouble());
    assertEquals(20.0, g.get("spread_deg").asDouble());
    // one face against the spread of 34°: a group of one keeps any spread
    assertEquals(180.0, g.get("coherent_within_deg").asDouble());
    assertEquals("another person", g.get("verdict").asText());
    assertEquals("same person", groups.get(2).get("verdict").asText());
    // a class that moved its group instead: judged the same person here
    assertEquals(
        "same person", json.get("classes").get(0).get("groups").get(1).get("verdict").asText());
    String page = Files.readString(clean.resolve("report/classes/3.html"));
    assertTrue(page.contains("<section id=\"groups\">"), page);
    assertTrue(page.contains("more than 50°"), page);
    assertTrue(
        page.contains(
            "<tr><td>1</td><td>1</td><td>63.0°</td><td>20.0°</td><td>≤ 180.0°</td>"
                + "<td>another person</td></tr>"),
        page);
    // the thresholds say how each cut was read and how stable it is
    assertTrue(
        html.contains("the 10th percentile of 1,000 angles from faces to other classes"), html);
    assertTrue(html.contains("even- and odd-labelled classes alone give 62.3° and 62.8°"), html);
    assertTrue(html.contains("median angle from a class to its nearest other class (70.0°)"), html);
  }

  @Test
  void anglesToTheDominantSubCentreComeFromTheCosines() {
    // the paper's view uses the angle to the dominant sub-centre (decision angle + 5.5°)
    long[] dom = longs(json.at("/angle_histograms/nearest_dominant"));
    assertEquals(5, dom[25]);
    assertEquals(0, dom[20]);
    assertEquals(5, dom[75]);
    assertEquals(5, longs(json.at("/angle_histograms/nearest_non_dominant"))[85]);
  }

  @Test
  void sweepHasSubclassWithOtherPersonAlwaysDropped() {
    JsonNode s = json.get("threshold_sweep");
    assertEquals("subclass", s.get("chosen_policy").asText());
    long[] sub = longs(s.at("/subclass/dropped"));
    // 3 OTHER_PERSON faces at every threshold; face 10 (70°) below 70°; the two moved faces (80°)
    // by their angle below 80°
    assertEquals(10, sub[0]);
    assertEquals(10, sub[9]);
    assertEquals(5, sub[10]);
    assertEquals(5, sub[19]);
    assertEquals(3, sub[20]);
    assertEquals(3, sub[30]);
    // drop-py judges the angle to the dominant sub-centre: face 9 at 85.5°, face 10 at 75.5°
    long[] dropPy = longs(s.at("/drop-py/dropped"));
    assertEquals(10, dropPy[15]);
    assertEquals(5, dropPy[16]);
    assertEquals(5, dropPy[25]);
    assertEquals(0, dropPy[26]);
    // precision/recall of the chosen policy exist for the precision-recall chart
    assertEquals(31, s.at("/subclass/precision").size());
  }

  @Test
  void qualityCountsMovedFacesAsLeavingTheirClass() {
    JsonNode q = json.get("quality_vs_truth");
    assertEquals(10, q.get("dropped").asLong());
    assertEquals(10, q.get("dropped_noisy").asLong());
    assertEquals(1.0, q.get("recall").asDouble(), 1e-12);
    assertTrue(q.get("definitions").asText().contains("relabelled"));
  }

  @Test
  void relabellingSection() {
    JsonNode r = json.get("relabelling");
    assertTrue(r.get("enabled").asBoolean());
    assertEquals(2, r.get("relabelled").asLong());
    assertEquals(2, r.get("pairs_found").asInt());
    JsonNode p = r.get("pairs").get(0);
    assertEquals(0, p.get("from_label").asInt());
    assertEquals("person_0", p.get("from_identity").asText());
    assertEquals(2, p.get("to_label").asInt());
    assertEquals("person_2", p.get("to_identity").asText());
    assertEquals(1, p.get("faces").asLong());
    assertEquals(1, r.at("/pairs/1/from_label").asInt());
    assertEquals(2, r.get("relabelled_with_truth").asLong());
    assertEquals(2, r.get("relabelled_noisy").asLong());
    assertEquals(1, r.get("relabel_correct").asLong());
    assertEquals(0.5, r.get("relabel_precision").asDouble(), 1e-12);
  }

  @Test
  void calibrationSectionCopiesTheSummary() {
    JsonNode c = json.get("calibration");
    assertEquals(62.5, c.get("threshold_deg").asDouble(), 0);
    assertTrue(c.get("threshold_auto").asBoolean());
    assertEquals(50.0, c.get("other_person_deg").asDouble(), 0);
    assertTrue(c.get("other_person_auto").asBoolean());
    assertTrue(c.get("relabel").asBoolean());
    assertFalse(c.get("collapsed").asBoolean());
    assertEquals(1, c.get("bin_width_deg").asInt());
    JsonNode d = c.get("from_data");
    assertEquals(35.0, d.get("relabel_face_deg").asDouble(), 0);
    assertEquals(52.5, d.at("/evidence/nearest_other_percentile_deg").asDouble(), 0);
    for (String h :
        new String[] {"same_class_subclass_deg", "nearest_other_class_deg", "face_deg"}) {
      assertEquals(180, d.at("/evidence/" + h).size(), h);
    }
    assertEquals(4, d.at("/evidence/nearest_other_class_deg/58").asLong());
  }

  @Test
  void readsBackWhatItWrote() throws Exception {
    ReportJson read = ReportJson.read(clean.resolve(NoiseReport.JSON_FILE));
    assertEquals(text, StageJson.write(read));
  }

  @Test
  void htmlHasTheNewSections() {
    assertTrue(html.contains("<section id=\"thresholds\""));
    assertTrue(html.contains("<section id=\"relabelled\""));
    // angle histogram, two calibration charts, sweep, precision/recall, class drop rates
    assertEquals(6, count(html, "<svg"));
    assertTrue(html.contains("--policy drop-py --threshold-deg 75"));
    // the run recorded how its cuts were read: the rule before it (arccos(cos α · cos δ)) is not
    // what the report describes
    assertFalse(html.contains("arccos(cos α · cos δ)"));
    assertTrue(html.contains("impostor") || html.contains("angles from faces to other classes"));
  }

  /** Outputs of a run from before the subclass policy read as a run that moved nothing. */
  @Test
  void olderOutputsWithoutTheNewColumns(@TempDir Path tmp) throws Exception {
    Path old = FakeCleanRun.write(tmp);
    FakeCleanRun.stripNewColumns(old);
    Path fresh = FakeCleanRun.write(tmp.resolve("fresh"));
    ReportJson a = NoiseReport.regenerate(old, NoiseReport.Options.defaults());
    ReportJson b = NoiseReport.regenerate(fresh, NoiseReport.Options.defaults());
    assertEquals(0, a.relabelling().relabelled());
    assertEquals(b.classes(), a.classes());
    assertArrayEquals(b.thresholdSweep().dropPy().dropped(), a.thresholdSweep().dropPy().dropped());
    assertEquals(b.qualityVsTruth().precision(), a.qualityVsTruth().precision());
  }
}
