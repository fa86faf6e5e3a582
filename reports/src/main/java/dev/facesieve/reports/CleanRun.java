package dev.facesieve.reports;

import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.clean.DropReason;
import dev.facesieve.datasets.clean.SubClasses;
import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.datasets.contract.InterClassFiles;
import dev.facesieve.datasets.parquet.ParquetFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;

/**
 * The outputs of one {@code facesieve clean} run, read without image bytes: {@code summary.json},
 * {@code classes.parquet} and, per face, the few columns a report needs.
 *
 * <p>Per face the run holds 16 bytes (label, angle, status, truth kind, moved), plus 8 for the
 * angle to the dominant sub-centre of a {@code subclass} run, so 10M faces fit in about 160–240 MB.
 * Parquet reads only the projected column chunks; image bytes are never decoded here. Outputs
 * written before relabelling existed (no {@code original_identity} column) read as runs that moved
 * nothing; outputs written before inter-class cleaning (no {@code merges.csv}, {@code
 * duplicate-images.csv}, {@code test-overlap.csv}) as runs that found nothing across classes.
 *
 * <p>Two angles per face: {@link #angle} is the one the decision was made on ({@code angle_deg}: to
 * the dominant sub-centre, or for {@code subclass} to the person's centroid), {@link
 * #dominantAngle} the one to the dominant sub-centre, the paper's view (for {@code subclass} read
 * from the {@code cosines} column; for the other policies the same array as {@link #angle}).
 */
public final class CleanRun {
  /** Status codes of {@link #status}: kept, then one per drop reason. */
  public static final byte KEPT = 0;

  public static final byte OUTLIER_ANGLE = 1;
  public static final byte NON_DOMINANT = 2;
  public static final byte SMALL_CLASS = 3;
  public static final byte OTHER_PERSON = 4;
  public static final byte DUPLICATE_IDENTITY = 5;
  public static final byte DUPLICATE_IMAGE = 6;
  public static final byte TEST_OVERLAP = 7;

  /** True for a status of a face removed across classes, on purpose, not as label noise. */
  public static boolean interClass(byte status) {
    return status >= DUPLICATE_IDENTITY;
  }

  /** Truth codes of {@link #truth}. */
  public static final byte UNKNOWN = -1;

  public static final byte CLEAN = 0;
  public static final byte CLOSE_SET = 1;
  public static final byte OPEN_SET = 2;
  public static final byte OTHER_NOISE = 3;

  static final String[] TRUTH_NAMES = {"clean", "close_set", "open_set", "other"};

  static final Schema PROJECTION = projection(false);

  /** {@link #PROJECTION} with the cosines to every sub-centre, for {@code subclass} runs. */
  static final Schema PROJECTION_WITH_COSINES = projection(true);

  private static Schema projection(boolean cosines) {
    var f =
        SchemaBuilder.record("CleanedFace")
            .namespace("dev.facesieve")
            .fields()
            .requiredString("id")
            .requiredInt("label")
            .requiredInt("original_label")
            .requiredDouble("angle_deg")
            .requiredInt("nearest_sub_center")
            .requiredInt("dominant_sub_center")
            .optionalString("reason")
            .optionalString("truth")
            .optionalString("original_identity")
            .optionalDouble("angle_to_target_deg");
    if (cosines) {
      f = f.name("cosines").type().array().items().floatType().noDefault();
    }
    return f.endRecord();
  }

  /** A move by relabelling: the class a face left and the new label of the class it joined. */
  record Move(int fromLabel, int toNewLabel) {}

  final Path dir;

  /** The folder holding {@code kept/} and {@code dropped/}: {@link #dir}, or a URI. */
  final String tables;

  String location;
  final CleanSummary summary;
  final List<GenericRecord> classes;

  /** The inter-class files; empty for a run from before inter-class cleaning. */
  List<InterClassFiles.Merge> merges = List.of();

  List<InterClassFiles.DuplicateImage> duplicateImages = List.of();
  List<InterClassFiles.TestOverlap> testOverlap = List.of();

  /** True when {@link #dominantAngle} is read from the cosines ({@code subclass} runs). */
  final boolean subclass;

  int size;
  int[] label = new int[1024];
  double[] angle = new double[1024];
  double[] dominantAngle;
  boolean[] nearestDominant = new boolean[1024];
  byte[] status = new byte[1024];
  byte[] truth = new byte[1024];

  /** True for a kept face that relabelling moved to another class ({@link #status} is KEPT). */
  boolean[] moved = new boolean[1024];

  /** Faces moved, by class left and class joined. */
  final Map<Move, Long> moves = new HashMap<>();

  int movedCount;
  boolean hasTruth;

  private CleanRun(Path dir, String tables, CleanSummary summary, List<GenericRecord> classes) {
    this.dir = dir;
    this.tables = tables;
    this.location = dir.toAbsolutePath().toString();
    this.summary = summary;
    this.classes = classes;
    this.subclass =
        summary.options() != null && CleaningPolicy.SUBCLASS.equals(summary.options().policy());
    this.dominantAngle = subclass ? new double[1024] : angle;
  }

  /**
   * Reads a finished clean run.
   *
   * @param truthOverride id → truth kind replacing the truth column of the records, or null to use
   *     that column
   * @throws InputException if the folder is not a finished clean run
   */
  public static CleanRun read(Path dir, @Nullable Map<String, NoiseKind> truthOverride)
      throws IOException {
    return read(dir, CleanSummary.read(dir), truthOverride);
  }

  /** Reads the outputs in {@code dir} with a summary that is not (yet) written there. */
  public static CleanRun read(
      Path dir, CleanSummary summary, @Nullable Map<String, NoiseKind> truthOverride)
      throws IOException {
    return read(dir, dir.toAbsolutePath().toString(), summary, truthOverride);
  }

  /**
   * {@link #read(Path, CleanSummary, Map)} of a run whose {@code kept/} and {@code dropped/} lie in
   * {@code tables} (a URI, {@code hdfs://…}, read column by column where they are) while its small
   * files ({@code classes.parquet}, the inter-class CSVs) are in the local {@code dir}.
   */
  public static CleanRun read(
      Path dir, String tables, CleanSummary summary, @Nullable Map<String, NoiseKind> truthOverride)
      throws IOException {
    Path classesFile = dir.resolve("classes.parquet");
    if (!Files.isRegularFile(classesFile)) {
      throw new InputException(dir, "not a finished 'facesieve clean' output (no classes.parquet)");
    }
    CleanRun run = new CleanRun(dir, tables, summary, ParquetFiles.readAll(classesFile));
    run.merges = InterClassFiles.readMerges(dir);
    run.duplicateImages = InterClassFiles.readDuplicateImages(dir);
    run.testOverlap = InterClassFiles.readTestOverlap(dir);
    for (String side : new String[] {"kept", "dropped"}) {
      for (String f : ParquetFiles.list(tables + "/" + side)) {
        ParquetFiles.readColumns(
            f, run.subclass ? PROJECTION_WITH_COSINES : PROJECTION, r -> run.add(r, truthOverride));
      }
    }
    return run;
  }

  private void add(GenericRecord r, @Nullable Map<String, NoiseKind> truthOverride) {
    if (size == label.length) {
      int n = size * 2;
      label = java.util.Arrays.copyOf(label, n);
      angle = java.util.Arrays.copyOf(angle, n);
      nearestDominant = java.util.Arrays.copyOf(nearestDominant, n);
      status = java.util.Arrays.copyOf(status, n);
      truth = java.util.Arrays.copyOf(truth, n);
      moved = java.util.Arrays.copyOf(moved, n);
      dominantAngle = subclass ? java.util.Arrays.copyOf(dominantAngle, n) : angle;
    }
    label[size] = (Integer) r.get("original_label");
    angle[size] = (Double) r.get("angle_deg");
    int dominant = (Integer) r.get("dominant_sub_center");
    if (subclass) {
      float cos = FaceSchemas.floats(r.get("cosines"))[dominant];
      dominantAngle[size] = SubClasses.angleDeg(cos);
    }
    nearestDominant[size] = ((Integer) r.get("nearest_sub_center")) == dominant;
    Object reason = r.get("reason");
    status[size] = reason == null ? KEPT : statusOf(reason.toString());
    // a moved face is kept under another class; original_identity names only such faces
    moved[size] = CleanSchemas.relabelled(r);
    if (moved[size]) {
      moves.merge(new Move(label[size], (Integer) r.get("label")), 1L, Long::sum);
      movedCount++;
    }
    Object t = r.get("truth");
    if (truthOverride != null) {
      NoiseKind k = truthOverride.get(r.get("id").toString());
      t = k == null ? null : k.wireName();
    }
    // a face removed across classes is not judged as label noise (as in summary.json)
    truth[size] = interClass(status[size]) ? UNKNOWN : truthOf(t == null ? null : t.toString());
    hasTruth |= truth[size] != UNKNOWN;
    size++;
  }

  static byte statusOf(String reason) {
    return switch (DropReason.valueOf(reason)) {
      case OUTLIER_ANGLE -> OUTLIER_ANGLE;
      case NON_DOMINANT -> NON_DOMINANT;
      case SMALL_CLASS -> SMALL_CLASS;
      case OTHER_PERSON -> OTHER_PERSON;
      case DUPLICATE_IDENTITY -> DUPLICATE_IDENTITY;
      case DUPLICATE_IMAGE -> DUPLICATE_IMAGE;
      case TEST_OVERLAP -> TEST_OVERLAP;
    };
  }

  static byte truthOf(@Nullable String t) {
    if (t == null || t.isEmpty()) {
      return UNKNOWN;
    }
    return switch (t) {
      case "clean" -> CLEAN;
      case "close_set" -> CLOSE_SET;
      case "open_set" -> OPEN_SET;
      default -> OTHER_NOISE;
    };
  }

  public Path dir() {
    return dir;
  }

  /** The folder holding {@code kept/} and {@code dropped/}: a local path or a URI. */
  public String tables() {
    return tables;
  }

  /**
   * Names the folder the outputs will live in when they are read from elsewhere (clean reports on
   * its staging folder, which is moved into place afterwards); the report shows this location.
   */
  public CleanRun locatedAt(Path finalDir) {
    return locatedAt(finalDir.toAbsolutePath().toString());
  }

  /** {@link #locatedAt(Path)} for a folder named by a URI ({@code hdfs://…}). */
  public CleanRun locatedAt(String finalDir) {
    this.location = finalDir;
    return this;
  }

  /** The folder the report shows: an absolute path or a URI. */
  public String location() {
    return location;
  }

  public CleanSummary summary() {
    return summary;
  }

  public List<GenericRecord> classes() {
    return classes;
  }

  public int size() {
    return size;
  }

  public boolean hasTruth() {
    return hasTruth;
  }

  /** Faces relabelling moved to another class. */
  public int moved() {
    return movedCount;
  }

  /** True when face {@code i} is noise by the ground truth. */
  boolean noisy(int i) {
    return truth[i] != CLEAN && truth[i] != UNKNOWN;
  }

  double thresholdDeg() {
    return summary.options().thresholdDeg();
  }

  String policy() {
    return summary.options().policy();
  }
}
