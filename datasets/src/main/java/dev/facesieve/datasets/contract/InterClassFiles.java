package dev.facesieve.datasets.contract;

import dev.facesieve.datasets.clean.ClassSummary;
import dev.facesieve.datasets.clean.InterClassPolicy;
import dev.facesieve.datasets.io.Csv;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;

/**
 * The clean stage's inter-class CSV files, written by the pipeline and read by the report: {@code
 * merges.csv} (duplicate-identity groups), {@code duplicate-images.csv} and {@code
 * test-overlap.csv}. One row type, header and line format each; all through {@link Csv}.
 *
 * <ul>
 *   <li>{@code merges.csv}: {@code group,label,identity,faces,angle_deg,action}, one line per class
 *       of a duplicate-identity group; {@code angle_deg} is to the group's keeper (its largest
 *       class, action {@code keeper}); the others' action is what {@code --duplicate-identities}
 *       did: {@code reported}, {@code merged} or {@code dropped}.
 *   <li>{@code duplicate-images.csv}: {@code
 *       id,label,identity,duplicate_of,duplicate_of_label,duplicate_of_identity,exact,scope,angle_deg,action}:
 *       a face that is a copy of another ({@code exact}: the same sha256; otherwise its embedding
 *       lies within the near-duplicate angle). {@code scope} {@code within_class}: the copy kept
 *       once in its class, action {@code dropped} or {@code reported} ({@code --duplicate-images});
 *       {@code across_classes}: the same bytes under two labels, action {@code class_decisions}
 *       (each copy is decided by its own class; see the README).
 *   <li>{@code test-overlap.csv}: {@code label,identity,faces,test_identity,angle_deg}, one line
 *       per training class dropped because its person is a test-set identity.
 * </ul>
 */
public final class InterClassFiles {
  private InterClassFiles() {}

  public static final String MERGES = "merges.csv";
  public static final String DUPLICATE_IMAGES = "duplicate-images.csv";
  public static final String TEST_OVERLAP = "test-overlap.csv";

  public static final String MERGES_HEADER =
      Csv.header("group", "label", "identity", "faces", "angle_deg", "action");
  public static final String DUPLICATE_IMAGES_HEADER =
      Csv.header(
          "id",
          "label",
          "identity",
          "duplicate_of",
          "duplicate_of_label",
          "duplicate_of_identity",
          "exact",
          "scope",
          "angle_deg",
          "action");
  public static final String TEST_OVERLAP_HEADER =
      Csv.header("label", "identity", "faces", "test_identity", "angle_deg");

  public static final String WITHIN_CLASS = "within_class";
  public static final String ACROSS_CLASSES = "across_classes";

  /** A line of {@code merges.csv}. */
  public record Merge(
      int group, int label, String identity, int faces, double angleDeg, String action) {}

  /** A line of {@code duplicate-images.csv}. */
  public record DuplicateImage(
      String id,
      int label,
      String identity,
      String duplicateOf,
      int duplicateOfLabel,
      String duplicateOfIdentity,
      boolean exact,
      String scope,
      double angleDeg,
      String action) {}

  /** A line of {@code test-overlap.csv}. */
  public record TestOverlap(
      int label, String identity, int faces, String testIdentity, double angleDeg) {}

  /** The {@code merges.csv} line of a class in a group (null when it is in none). */
  public static String mergeLine(ClassSummary c, InterClassPolicy.DuplicateIdentities action) {
    ClassSummary.InterClass ic = c.interClass();
    if (ic.duplicateGroup() < 0) {
      return null;
    }
    String what =
        ic.groupKeeper() == c.label()
            ? "keeper"
            : switch (action) {
              case REPORT -> "reported";
              case MERGE -> "merged";
              case DROP -> "dropped";
            };
    return Csv.line(
        ic.duplicateGroup(),
        c.label(),
        c.identity(),
        c.samples(),
        deg(ic.angleToKeeperDeg()),
        what);
  }

  /** The {@code test-overlap.csv} line of a class matched to a test identity (null otherwise). */
  public static String testOverlapLine(ClassSummary c) {
    ClassSummary.InterClass ic = c.interClass();
    if (ic.testIdentity() == null) {
      return null;
    }
    return Csv.line(
        c.label(), c.identity(), c.samples(), ic.testIdentity(), deg(ic.angleToTestDeg()));
  }

  /**
   * The {@code duplicate-images.csv} line of a cleaned record marked as a copy within its class
   * ({@code duplicate_of} set; the copy is of the same class and name).
   */
  public static String withinClassLine(GenericRecord cleaned) {
    int label = (Integer) cleaned.get("original_label");
    Object original = cleaned.get("original_identity");
    String identity = (original != null ? original : cleaned.get("identity")).toString();
    double angle = (Double) cleaned.get("angle_to_duplicate_deg");
    return Csv.line(
        cleaned.get("id").toString(),
        label,
        identity,
        cleaned.get("duplicate_of").toString(),
        label,
        identity,
        Boolean.TRUE.equals(cleaned.get("duplicate_exact")),
        WITHIN_CLASS,
        deg(angle),
        cleaned.get("reason") == null ? "reported" : "dropped");
  }

  /** The line of a face whose exact bytes are also filed under another label. */
  public static String acrossClassesLine(
      String id,
      int label,
      String identity,
      String duplicateOf,
      int duplicateOfLabel,
      String duplicateOfIdentity) {
    return Csv.line(
        id,
        label,
        identity,
        duplicateOf,
        duplicateOfLabel,
        duplicateOfIdentity,
        true,
        ACROSS_CLASSES,
        0,
        "class_decisions");
  }

  private static Number deg(double a) {
    return Double.isFinite(a) ? BigDecimal.valueOf(a).setScale(3, RoundingMode.HALF_UP) : a;
  }

  /** Reads {@code merges.csv} from a clean output (empty when absent). */
  public static List<Merge> readMerges(Path dir) {
    List<Merge> out = new ArrayList<>();
    Path f = dir.resolve(MERGES);
    if (Files.isRegularFile(f)) {
      Csv.read(
          f,
          MERGES,
          (r, line) -> {
            if (line > 1) {
              out.add(
                  new Merge(
                      Integer.parseInt(r.get(0)),
                      Integer.parseInt(r.get(1)),
                      Csv.text(r.get(2)),
                      Integer.parseInt(r.get(3)),
                      Double.parseDouble(r.get(4)),
                      r.get(5)));
            }
          });
    }
    return out;
  }

  /** Reads {@code duplicate-images.csv} from a clean output (empty when absent). */
  public static List<DuplicateImage> readDuplicateImages(Path dir) {
    List<DuplicateImage> out = new ArrayList<>();
    Path f = dir.resolve(DUPLICATE_IMAGES);
    if (Files.isRegularFile(f)) {
      Csv.read(
          f,
          DUPLICATE_IMAGES,
          (r, line) -> {
            if (line > 1) {
              out.add(
                  new DuplicateImage(
                      Csv.text(r.get(0)),
                      Integer.parseInt(r.get(1)),
                      Csv.text(r.get(2)),
                      Csv.text(r.get(3)),
                      Integer.parseInt(r.get(4)),
                      Csv.text(r.get(5)),
                      Boolean.parseBoolean(r.get(6)),
                      r.get(7),
                      Double.parseDouble(r.get(8)),
                      r.get(9)));
            }
          });
    }
    return out;
  }

  /** Reads {@code test-overlap.csv} from a clean output (empty when absent). */
  public static List<TestOverlap> readTestOverlap(Path dir) {
    List<TestOverlap> out = new ArrayList<>();
    Path f = dir.resolve(TEST_OVERLAP);
    if (Files.isRegularFile(f)) {
      Csv.read(
          f,
          TEST_OVERLAP,
          (r, line) -> {
            if (line > 1) {
              out.add(
                  new TestOverlap(
                      Integer.parseInt(r.get(0)),
                      Csv.text(r.get(1)),
                      Integer.parseInt(r.get(2)),
                      Csv.text(r.get(3)),
                      Double.parseDouble(r.get(4))));
            }
          });
    }
    return out;
  }
}
