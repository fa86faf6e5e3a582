package dev.facesieve.pipeline.cli;

import dev.facesieve.datasets.clean.CleaningPolicy;
import picocli.CommandLine.Option;

/** The cleaning rule; mixed into {@code clean} and {@code run}. */
public final class CleanOptions {
  @Option(
      names = "--policy",
      defaultValue = "drop-py",
      description =
          "drop-py (keep iff the "
              + "angle to the dominant sub-centre <= threshold) or strict (also drop faces nearest a "
              + "non-dominant sub-centre).")
  String policy;

  @Option(names = "--threshold-deg", defaultValue = "75", description = "Angle threshold.")
  double threshold;

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
    return CleaningPolicy.parse(policy, threshold, minClassSize);
  }
}
