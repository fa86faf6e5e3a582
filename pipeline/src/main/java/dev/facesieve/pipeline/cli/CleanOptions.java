package dev.facesieve.pipeline.cli;

import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.clean.InterClassPolicy;
import picocli.CommandLine.Option;

/** The cleaning rule; mixed into {@code clean} and {@code run}. */
public final class CleanOptions {
  @Option(
      names = "--policy",
      defaultValue = CleaningPolicy.DEFAULT_NAME,
      paramLabel = "<policy>",
      description =
          "subclass: a non-dominant sub-class whose member centroid lies as far from the dominant"
              + " one as another person is dropped whole, other sub-classes of the person stay,"
              + " then faces beyond --threshold-deg of the person's centroid are dropped. drop-py:"
              + " insightface's drop.py, keep a face iff its angle to the dominant sub-centre is"
              + " at most the threshold (--policy drop-py --threshold-deg 75 is its exact rule)."
              + " strict: drop-py, and also drop faces nearest a non-dominant sub-centre.")
  String policy;

  @Option(
      names = "--threshold-deg",
      defaultValue = "auto",
      paramLabel = "<deg|auto>",
      description =
          "Per-face angle threshold in degrees, or auto: read from the data, where a typical face"
              + " of the nearest other person would sit (see summary.json, calibration).")
  String threshold;

  @Option(
      names = "--other-person-deg",
      defaultValue = "auto",
      paramLabel = "<deg|auto>",
      description =
          "subclass policy: angle in degrees between sub-class centroids above which they are two"
              + " people, or auto: a low percentile of the angles between classes' centroids.")
  String otherPerson;

  @Option(
      names = "--min-subclass-size",
      defaultValue = "" + CleaningPolicy.DEFAULT_MIN_SUBCLASS_SIZE,
      paramLabel = "<faces>",
      description =
          "subclass policy: sub-classes with fewer faces than this are judged face by face, not"
              + " as a whole.")
  int minSubclassSize;

  @Option(
      names = "--relabel",
      description =
          "Move a dropped sub-class or face that matches another class's centroid (close-set"
              + " noise) to that class instead of dropping it; moves are listed in"
              + " relabelled.csv. Open-set intruders stay dropped.")
  boolean relabel;

  @Option(
      names = "--min-class-size",
      defaultValue = "0",
      paramLabel = "<faces>",
      description = "Drop whole classes left with fewer kept faces than this; 0 keeps them all.")
  int minClassSize;

  @Option(
      names = "--duplicate-identities",
      defaultValue = "report",
      paramLabel = "<report|merge|drop>",
      description =
          "One person under several labels (dominant centroids closer than"
              + " --duplicate-identity-deg): report lists the groups in merges.csv and the report;"
              + " merge keeps every group's faces under its largest class's label; drop keeps the"
              + " largest class only (DUPLICATE_IDENTITY).")
  String duplicateIdentities;

  @Option(
      names = "--duplicate-identity-deg",
      defaultValue = "auto",
      paramLabel = "<deg|auto>",
      description =
          "Angle in degrees between two classes' dominant centroids below which they are one"
              + " person, or auto: halfway between how far two halves of one person's faces lie"
              + " and how far the nearest other person lies (see summary.json, calibration).")
  String duplicateIdentityDeg;

  @Option(
      names = "--duplicate-images",
      defaultValue = "drop",
      paramLabel = "<drop|report>",
      description =
          "Copies of one picture in a class (the same bytes, or embeddings closer than"
              + " --near-duplicate-deg): drop keeps the first by id (DUPLICATE_IMAGE), report only"
              + " lists them in duplicate-images.csv.")
  String duplicateImages;

  @Option(
      names = "--near-duplicate-deg",
      defaultValue = "auto",
      paramLabel = "<deg|auto>",
      description =
          "Angle in degrees between two faces' embeddings below which they are copies of one"
              + " picture, or auto: 0.35 of the median angle of a face to its person's"
              + " centroid; 0 finds byte-identical copies only.")
  String nearDuplicateDeg;

  @Option(
      names = "--exclude-identities-of",
      paramLabel = "<input>",
      description =
          "A test set (a folder of identity folders, a RecordIO, Parquet, or a prepare output):"
              + " its faces are embedded with the same model and every class whose person is one"
              + " of its identities is dropped (TEST_OVERLAP, listed in test-overlap.csv).")
  java.nio.file.Path excludeIdentitiesOf;

  @Option(
      names = "--emit-recordio",
      description =
          "Also write the kept faces as InsightFace train.rec, train.idx and property under"
              + " recordio/.")
  boolean emitRecordIO;

  @Option(
      names = "--allow-foreign-model",
      description =
          "Clean with a model whose classes are not the data's (a label named differently, or"
              + " missing from the model); prints a warning instead of refusing.")
  boolean allowForeignModel;

  CleaningPolicy policy() {
    return new CleaningPolicy(
        CleaningPolicy.kind(policy),
        degrees("--threshold-deg", threshold),
        degrees("--other-person-deg", otherPerson),
        minSubclassSize,
        minClassSize,
        relabel,
        CleaningPolicy.AUTO,
        CleaningPolicy.AUTO);
  }

  InterClassPolicy interClass() {
    boolean drop =
        switch (duplicateImages.trim().toLowerCase(java.util.Locale.ROOT)) {
          case "drop" -> true;
          case "report" -> false;
          default ->
              throw new IllegalArgumentException(
                  "--duplicate-images must be drop or report, got " + duplicateImages);
        };
    double near = degrees("--near-duplicate-deg", nearDuplicateDeg);
    return new InterClassPolicy(
        InterClassPolicy.DuplicateIdentities.parse(duplicateIdentities),
        degrees("--duplicate-identity-deg", duplicateIdentityDeg),
        drop,
        near);
  }

  private static double degrees(String option, String value) {
    try {
      return CleaningPolicy.parseDegrees(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          option + " must be a number of degrees or auto, got " + value);
    }
  }
}
