package dev.facesieve.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.facesieve.datasets.contract.StageJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report.json} of the fake clean run is exactly the file FakeCleanRun's report has always
 * been: same keys in the same order, same values, byte for byte; and it reads back as the same
 * record tree.
 *
 * <p>The golden files under {@code src/test/resources/golden/} were written by the report code
 * before {@code report.json} became a record tree (paths of the temporary folder replaced by
 * {@code @TMP@}). One edit was made by hand: the four keys of {@code noise_rate.denominators} came
 * from {@code Map.of}, whose order changes from one JVM to the next, and are listed in the order
 * the code declares them. Issue #15 (subclass policy, calibration, relabelling) only added keys:
 * the new options ({@code min_subclass_size}, {@code other_person_auto}, {@code relabel}, {@code
 * threshold_auto}), {@code OTHER_PERSON} among the drop reasons, the {@code relabelling} section
 * and the per-class {@code dropped_other_person} and {@code relabelled_out}; every existing key and
 * value is unchanged. Issue #17 (inter-class cleaning) raised {@code report_version} to 2: it
 * removed {@code duplicate_identities} (pairs of the model's dominant sub-centres; its successor,
 * {@code inter_class}, is absent for these runs, which predate it) and added the three new drop
 * reasons to {@code dropped_by_reason} and the per-class {@code dropped_duplicate_identity}, {@code
 * dropped_duplicate_image} and {@code dropped_test_overlap}. On a mismatch the actual file is
 * written under {@code target/golden-actual/}.
 */
class ReportJsonGoldenTest {
  private static final ObjectMapper PLAIN = new ObjectMapper();

  @Test
  void withTruthAndModel(@TempDir Path tmp) throws Exception {
    Path clean = FakeCleanRun.write(tmp);
    NoiseReport.regenerate(clean, NoiseReport.Options.defaults());
    assertMatchesGolden("report-with-truth.json", clean, tmp);
  }

  @Test
  void withoutTruth(@TempDir Path tmp) throws Exception {
    Path clean = FakeCleanRun.write(tmp);
    Path truth = tmp.resolve("truth.csv");
    Files.writeString(truth, "id,truth\nnot-a-face.jpg,clean\n");
    NoiseReport.regenerate(clean, NoiseReport.Options.builder().setTruthCsv(truth).build());
    assertMatchesGolden("report-without-truth.json", clean, tmp);
  }

  @Test
  void readsBackWhatItWrote(@TempDir Path tmp) throws Exception {
    Path clean = FakeCleanRun.write(tmp);
    // every face clean by truth: no noisy face, so the angle's ROC AUC is NaN
    StringBuilder csv = new StringBuilder("id,truth\n");
    for (int c = 0; c < FakeCleanRun.CLASSES; c++) {
      for (int i = 0; i < FakeCleanRun.PER_CLASS; i++) {
        csv.append("c").append(c).append('/').append(i).append(".jpg,clean\n");
      }
    }
    Path truth = tmp.resolve("truth.csv");
    Files.writeString(truth, csv.toString());
    ReportJson written =
        NoiseReport.regenerate(clean, NoiseReport.Options.builder().setTruthCsv(truth).build());
    Path file = clean.resolve(NoiseReport.JSON_FILE);
    String text = Files.readString(file);
    assertTrue(text.contains("\"angle_roc_auc\" : \"NaN\""), "NaN is written as the string NaN");
    ReportJson read = ReportJson.read(file);
    assertTrue(Double.isNaN(read.qualityVsTruth().angleRocAuc()));
    assertEquals(text, StageJson.write(read));
    assertEquals(StageJson.write(written), StageJson.write(read));
  }

  private static void assertMatchesGolden(String name, Path clean, Path tmp) throws IOException {
    String actual =
        Files.readString(clean.resolve(NoiseReport.JSON_FILE))
            .replace(tmp.toAbsolutePath().toString(), "@TMP@");
    String golden = resource("golden/" + name);
    String goldenKeys = resource("golden/" + name.replace(".json", ".keys.txt"));
    String actualKeys = String.join("\n", keyPaths(PLAIN.readTree(actual))) + "\n";
    if (!actual.equals(golden) || !actualKeys.equals(goldenKeys)) {
      Path dir = Path.of("target", "golden-actual");
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(name), actual);
      Files.writeString(dir.resolve(name.replace(".json", ".keys.txt")), actualKeys);
    }
    assertEquals(PLAIN.readTree(golden), PLAIN.readTree(actual), name + " as a JSON tree");
    assertEquals(goldenKeys, actualKeys, name + ": key paths in order");
    assertEquals(golden, actual, name + " byte for byte");
  }

  /** Every key path in document order; array elements are {@code *}, each path listed once. */
  static List<String> keyPaths(JsonNode root) {
    Set<String> out = new LinkedHashSet<>();
    collect(root, "", out);
    return new ArrayList<>(out);
  }

  private static void collect(JsonNode n, String path, Set<String> out) {
    if (n.isObject()) {
      n.fields()
          .forEachRemaining(
              e -> {
                String p = path + "/" + e.getKey();
                out.add(p);
                collect(e.getValue(), p, out);
              });
    } else if (n.isArray()) {
      n.forEach(e -> collect(e, path + "/*", out));
    }
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = ReportJsonGoldenTest.class.getResourceAsStream(name)) {
      return new String(Objects.requireNonNull(in, name).readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
