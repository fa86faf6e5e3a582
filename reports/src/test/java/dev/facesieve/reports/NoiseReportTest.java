package dev.facesieve.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.facesieve.datasets.clean.DetectionMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Every number of a report on a clean run whose numbers are known by construction. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NoiseReportTest {
  Path clean;
  JsonNode json;
  String html;

  @BeforeAll
  void writeReport(@TempDir Path tmp) throws Exception {
    clean = FakeCleanRun.write(tmp);
    NoiseReport.regenerate(clean, NoiseReport.Options.defaults());
    json = new ObjectMapper().readTree(clean.resolve(NoiseReport.JSON_FILE).toFile());
    html = Files.readString(clean.resolve(NoiseReport.HTML_FILE));
  }

  @Test
  void totalsMatchTheSummary() {
    JsonNode t = json.get("totals");
    assertEquals(63, t.get("input").asLong());
    assertEquals(3, t.get("quarantined").asLong());
    assertEquals(60, t.get("prepared").asLong());
    assertEquals(55, t.get("kept").asLong());
    assertEquals(5, t.get("dropped").asLong());
    assertEquals(5, t.at("/dropped_by_reason/OUTLIER_ANGLE").asLong());
    JsonNode n = json.get("noise_rate");
    assertEquals(5 / 63.0, n.get("dropped_share_of_input").asDouble(), 1e-12);
    assertEquals(8 / 63.0, n.get("removed_share_of_input").asDouble(), 1e-12);
    assertEquals(5 / 60.0, n.get("dropped_share_of_prepared").asDouble(), 1e-12);
    assertTrue(n.at("/denominators/dropped_share_of_input").asText().contains("all input"));
  }

  @Test
  void dominantSubClasses() {
    JsonNode d = json.get("dominant_sub_classes");
    assertEquals(50, d.get("nearest_dominant").asLong());
    assertEquals(50 / 60.0, d.get("nearest_dominant_share").asDouble(), 1e-12);
    assertEquals(0, d.get("outliers_inside_dominant").asLong());
    // face 10 (open set, 70°) is the only noise inside each dominant sub-class: 5 of 50
    assertEquals(0.1, d.get("true_noise_share_inside_dominant").asDouble(), 1e-12);
  }

  @Test
  void histogramsCountEveryFaceInItsBin() {
    JsonNode h = json.get("angle_histograms");
    long[] dom = longs(h.get("nearest_dominant"));
    long[] other = longs(h.get("nearest_non_dominant"));
    assertEquals(181, dom.length);
    assertEquals(50, java.util.Arrays.stream(dom).sum());
    assertEquals(10, java.util.Arrays.stream(other).sum());
    assertEquals(5, dom[20]);
    assertEquals(5, dom[70]);
    assertEquals(5, other[80]);
    assertEquals(5, other[60]);
  }

  @Test
  void sweepMatchesHandCounts() {
    JsonNode s = json.get("threshold_sweep");
    assertEquals(60, s.get("thresholds_deg").get(0).asInt());
    assertEquals(90, s.get("thresholds_deg").get(30).asInt());
    long[] dropPy = longs(s.at("/drop-py/dropped"));
    long[] strict = longs(s.at("/strict/dropped"));
    // drop-py drops 80° and 70° faces below 70°, only the 80° ones up to 79°, none from 80°
    assertEquals(10, dropPy[0]);
    assertEquals(10, dropPy[9]);
    assertEquals(5, dropPy[10]);
    assertEquals(5, dropPy[15]);
    assertEquals(0, dropPy[20]);
    // strict also drops face 11 (nearest sub-centre 2) at every threshold
    assertEquals(15, strict[0]);
    assertEquals(10, strict[15]);
    assertEquals(10, strict[30]);
    // at the chosen 75° drop-py drops what the run dropped
    assertEquals(json.at("/totals/dropped").asLong(), dropPy[15]);
    assertEquals(1.0, s.at("/drop-py/precision").get(15).asDouble(), 1e-12);
    assertEquals(0.5, s.at("/drop-py/recall").get(15).asDouble(), 1e-12);
    assertEquals(10 / 15.0, s.at("/strict/precision").get(0).asDouble(), 1e-12);
  }

  @Test
  void qualityPerKindAndAuc() {
    JsonNode q = json.get("quality_vs_truth");
    assertEquals(10, q.get("noisy").asLong());
    assertEquals(5, q.get("dropped_noisy").asLong());
    assertEquals(1.0, q.get("precision").asDouble(), 1e-12);
    assertEquals(0.5, q.get("recall").asDouble(), 1e-12);
    assertEquals(2 / 3.0, q.get("f1").asDouble(), 1e-12);
    assertEquals(1.0, q.at("/by_kind/close_set/recall").asDouble(), 1e-12);
    assertEquals(0.0, q.at("/by_kind/open_set/recall").asDouble(), 1e-12);
    // every noisy face (70°, 80°) lies beyond every clean one (≤ 60°)
    assertEquals(1.0, q.get("angle_roc_auc").asDouble(), 1e-12);
  }

  @Test
  void aucCountsTiesAsHalf() {
    assertEquals(0.5, DetectionMetrics.auc(new double[] {3, 1}, new double[] {2, 2}), 1e-12);
    assertEquals(0.75, DetectionMetrics.auc(new double[] {2}, new double[] {2, 1}), 1e-12);
    assertEquals(0.0, DetectionMetrics.auc(new double[] {0, 1}, new double[] {5}), 1e-12);
  }

  @Test
  void perClassRows() {
    JsonNode rows = json.get("classes");
    assertEquals(5, rows.size());
    for (JsonNode r : rows) {
      assertEquals(12, r.get("samples").asInt());
      assertEquals(1, r.get("dropped").asInt());
      assertEquals(2, r.get("noisy_by_truth").asInt());
      assertEquals(1 / 12.0, r.get("drop_rate").asDouble(), 1e-12);
      assertEquals("[10, 1, 1]", r.get("samples_per_sub_center").toString().replace(",", ", "));
    }
    long[] rates = longs(json.get("class_drop_rate_histogram"));
    assertEquals(5, rates[1]); // 8.3% falls in [5%, 10%)
  }

  @Test
  void htmlHasEverySectionAndNoExternalResources() {
    for (String id :
        new String[] {
          "headline",
          "quality",
          "angle-histograms",
          "threshold-sweep",
          "class-drop-rates",
          "noisiest-classes",
          "duplicate-identities",
          "duplicate-images",
          "test-overlap",
          "classes",
          "provenance"
        }) {
      assertTrue(html.contains("<section id=\"" + id + "\""), id);
    }
    assertEquals(4, count(html, "<svg"));
    assertEquals(5, count(html, "<tr><td>"));
    assertTrue(count(html, "src=\"data:image/jpeg;base64,") >= 5 * 6);
    assertFalse(html.contains("src=\"http"));
    assertFalse(html.contains("href=\"http"));
    assertTrue(html.contains("person_3"));
  }

  @Test
  void truthFileReplacesTheRecordsTruth(@TempDir Path tmp) throws Exception {
    Path truth = tmp.resolve("truth.csv");
    StringBuilder sb = new StringBuilder("id,truth\n");
    for (int c = 0; c < FakeCleanRun.CLASSES; c++) {
      for (int i = 0; i < FakeCleanRun.PER_CLASS; i++) {
        sb.append("c").append(c).append('/').append(i).append(".jpg,");
        sb.append(i == 11 ? "close_set" : "clean").append('\n');
      }
    }
    Files.writeString(truth, sb.toString());
    Path copy = FakeCleanRun.write(tmp.resolve("other"));
    NoiseReport.regenerate(copy, NoiseReport.Options.builder().setTruthCsv(truth).build());
    JsonNode q =
        new ObjectMapper()
            .readTree(copy.resolve(NoiseReport.JSON_FILE).toFile())
            .get("quality_vs_truth");
    assertEquals(5, q.get("noisy").asLong());
    assertEquals(0, q.get("dropped_noisy").asLong());
  }

  static long[] longs(JsonNode a) {
    return StreamSupport.stream(a.spliterator(), false).mapToLong(JsonNode::asLong).toArray();
  }

  static int count(String s, String needle) {
    int n = 0;
    for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
