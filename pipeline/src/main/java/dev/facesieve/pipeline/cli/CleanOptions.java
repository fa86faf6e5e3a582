package dev.facesieve.pipeline.cli;

import dev.facesieve.datasets.clean.CleaningPolicy;
import picocli.CommandLine.Option;

/** The cleaning rule; mixed into {@code clean} and {@code run}. */
public final class CleanOptions {
  @Option(
      names = "--policy",
      defaultValue = CleaningPolicy.DEFAULT_NAME,
      description =
          "subclass (default: a non-dominant sub-class whose member centroid lies as far from the"
              + " dominant one as another person is dropped whole, other sub-classes of the person"
              + " stay, then faces beyond --threshold-deg of the person's centroid), drop-py"
              + " (insightface's drop.py: keep iff the angle to the dominant sub-centre <="
              + " threshold; use --policy drop-py --threshold-deg 75 for its exact rule) or strict"
              + " (drop-py, and also drop faces nearest a non-dominant sub-centre).")
  String policy;

  @Option(
      names = "--threshold-deg",
      defaultValue = "auto",
      description =
          "Per-face angle threshold in degrees, or auto (default): read from the data, where a"
              + " typical face of the nearest other person would sit (summary.json, calibration).")
  String threshold;

  @Option(
      names = "--other-person-deg",
      defaultValue = "auto",
      description =
          "subclass policy: angle in degrees between sub-class centroids above which they are two"
              + " people, or auto (default): a low percentile of the angles between classes'"
              + " centroids.")
  String otherPerson;

  @Option(
      names = "--min-subclass-size",
      defaultValue = "" + CleaningPolicy.DEFAULT_MIN_SUBCLASS_SIZE,
      description =
          "subclass policy: sub-classes with fewer faces are judged face by face (default:"
              + " ${DEFAULT-VALUE}).")
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
      description = "Drop classes left " + "with fewer faces.")
  int minClassSize;

  @Option(
      names = "--emit-recordio",
      description =
          "Also write the kept set as InsightFace "
              + "train.rec/train.idx/property under recordio/.")
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
        CleaningPolicy.AUTO);
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
