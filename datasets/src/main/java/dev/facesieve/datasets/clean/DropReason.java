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
  OTHER_PERSON,
  /**
   * The class is one person with another class of the run (its dominant centroid lies within the
   * duplicate-identity angle of the other's) and {@code --duplicate-identities drop} kept only the
   * group's largest class.
   */
  DUPLICATE_IDENTITY,
  /**
   * The same picture, or a near copy of it (embedding angle below the near-duplicate angle), is
   * kept once in this class already.
   */
  DUPLICATE_IMAGE,
  /** The class's person is an identity of the test set named by {@code --exclude-identities-of}. */
  TEST_OVERLAP;

  /**
   * True for the reasons that look across classes (or outside the data): the face is removed on
   * purpose, not judged label noise.
   */
  public boolean interClass() {
    return this == DUPLICATE_IDENTITY || this == DUPLICATE_IMAGE || this == TEST_OVERLAP;
  }
}
