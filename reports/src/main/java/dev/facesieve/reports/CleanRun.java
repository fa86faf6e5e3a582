package dev.facesieve.reports;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.clean.DropReason;
import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.datasets.parquet.ParquetFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * <p>Per face the run holds 15 bytes (label, angle, status, truth kind), so 10M faces fit in about
 * 150 MB. Parquet reads only the projected column chunks; image bytes are never decoded here.
 */
public final class CleanRun {
  /** Status codes of {@link #status}: kept, then one per drop reason. */
  public static final byte KEPT = 0;

  public static final byte OUTLIER_ANGLE = 1;
  public static final byte NON_DOMINANT = 2;
  public static final byte SMALL_CLASS = 3;
  public static final byte OTHER_PERSON = 4;

  /** Truth codes of {@link #truth}. */
  public static final byte UNKNOWN = -1;

  public static final byte CLEAN = 0;
  public static final byte CLOSE_SET = 1;
  public static final byte OPEN_SET = 2;
  public static final byte OTHER_NOISE = 3;

  static final String[] TRUTH_NAMES = {"clean", "close_set", "open_set", "other"};

  static final Schema PROJECTION =
      SchemaBuilder.record("CleanedFace")
          .namespace("dev.facesieve")
          .fields()
          .requiredString("id")
          .requiredInt("original_label")
          .requiredDouble("angle_deg")
          .requiredInt("nearest_sub_center")
          .requiredInt("dominant_sub_center")
          .optionalString("reason")
          .optionalString("truth")
          .endRecord();

  final Path dir;
  Path location;
  final CleanSummary summary;
  final List<GenericRecord> classes;
  int size;
  int[] label = new int[1024];
  double[] angle = new double[1024];
  boolean[] nearestDominant = new boolean[1024];
  byte[] status = new byte[1024];
  byte[] truth = new byte[1024];
  boolean hasTruth;

  private CleanRun(Path dir, CleanSummary summary, List<GenericRecord> classes) {
    this.dir = dir;
    this.location = dir;
    this.summary = summary;
    this.classes = classes;
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
    Path classesFile = dir.resolve("classes.parquet");
    if (!Files.isRegularFile(classesFile)) {
      throw new InputException(dir, "not a finished 'facesieve clean' output (no classes.parquet)");
    }
    CleanRun run = new CleanRun(dir, summary, ParquetFiles.readAll(classesFile));
    for (String side : new String[] {"kept", "dropped"}) {
      for (Path f : ParquetFiles.list(dir.resolve(side))) {
        ParquetFiles.readColumns(f, PROJECTION, r -> run.add(r, truthOverride));
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
    }
    label[size] = (Integer) r.get("original_label");
    angle[size] = (Double) r.get("angle_deg");
    nearestDominant[size] =
        ((Integer) r.get("nearest_sub_center")).equals(r.get("dominant_sub_center"));
    Object reason = r.get("reason");
    status[size] = reason == null ? KEPT : statusOf(reason.toString());
    Object t = r.get("truth");
    if (truthOverride != null) {
      NoiseKind k = truthOverride.get(r.get("id").toString());
      t = k == null ? null : k.wireName();
    }
    truth[size] = truthOf(t == null ? null : t.toString());
    hasTruth |= truth[size] != UNKNOWN;
    size++;
  }

  static byte statusOf(String reason) {
    return switch (DropReason.valueOf(reason)) {
      case OUTLIER_ANGLE -> OUTLIER_ANGLE;
      case NON_DOMINANT -> NON_DOMINANT;
      case SMALL_CLASS -> SMALL_CLASS;
      case OTHER_PERSON -> OTHER_PERSON;
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

  /**
   * Names the folder the outputs will live in when they are read from elsewhere (clean reports on
   * its staging folder, which is moved into place afterwards); the report shows this location.
   */
  public CleanRun locatedAt(Path finalDir) {
    this.location = finalDir;
    return this;
  }

  public Path location() {
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
