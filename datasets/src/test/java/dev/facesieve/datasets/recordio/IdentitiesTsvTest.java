package dev.facesieve.datasets.recordio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.facesieve.datasets.TestImages;
import dev.facesieve.datasets.input.InputPlan;
import dev.facesieve.datasets.input.InputPlanner;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 18, item 23: identity names with tabs and line breaks survive {@code identities.tsv}. */
class IdentitiesTsvTest {
  @TempDir Path dir;

  @Test
  void namesWithTabsAndLineBreaksReadBack() throws Exception {
    List<String> names =
        List.of("tab\there", "new\nline", "cr\rlf\r\n", "back\\slash\\t", "\\", "plain", "");
    try (InsightFaceRecWriter w = new InsightFaceRecWriter(dir)) {
      for (int label = 0; label < names.size(); label++) {
        w.add(label, names.get(label), TestImages.jpeg(label), 112, 112);
      }
    }
    InputPlan plan = InputPlanner.plan(InputPlanner.Spec.of(dir.resolve("train.rec")));
    Map<Integer, String> expected = new TreeMap<>();
    for (int label = 0; label < names.size(); label++) {
      expected.put(label, names.get(label));
    }
    assertEquals(expected, plan.identityNames());
    // every .idx line: the images, InsightFace's header and one identity record per class
    assertEquals(names.size() + 1 + names.size(), plan.plannedRecords());
  }
}
