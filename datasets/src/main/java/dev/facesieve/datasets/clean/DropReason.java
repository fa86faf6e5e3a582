package dev.facesieve.datasets.clean;

/**
 * Why cleaning dropped a face; written by name in the {@code reason} column of {@code
 * dropped/*.parquet} and {@code dropped.csv}, and counted per class in {@code classes.parquet}.
 */
public enum DropReason {
  /** Angle to the dominant sub-centre above the threshold. */
  OUTLIER_ANGLE,
  /** Strict policy: nearest to a non-dominant sub-centre. */
  NON_DOMINANT,
  /** The class kept fewer than {@code --min-class-size} images. */
  SMALL_CLASS,
  /**
   * Subclass policy: in a sub-class whose member centroid lies farther from the dominant
   * sub-class's than another person does.
   */
  OTHER_PERSON
}
