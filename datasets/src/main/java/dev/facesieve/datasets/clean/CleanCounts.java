package dev.facesieve.datasets.clean;

import dev.facesieve.datasets.NoiseKind;
import java.io.Serializable;
import javax.annotation.Nullable;

/**
 * What a clean run did to its faces, tallied face by face as the decisions are written and summed
 * (so that the summary needs no second read of the outputs): kept, dropped by reason and, for faces
 * whose ground truth is known, how many of the kept and of the dropped are noise.
 */
public record CleanCounts(
    long kept,
    long droppedOutlierAngle,
    long droppedNonDominant,
    long droppedSmallClass,
    long keptWithTruth,
    long keptNoisy,
    long droppedWithTruth,
    long droppedNoisy)
    implements Serializable {
  /** Nothing counted. */
  public static final CleanCounts ZERO = new CleanCounts(0, 0, 0, 0, 0, 0, 0, 0);

  /**
   * One face.
   *
   * @param reason why it was dropped, null when kept
   * @param truth its ground truth, null when unknown
   */
  public static CleanCounts ofFace(@Nullable DropReason reason, @Nullable NoiseKind truth) {
    boolean known = truth != null;
    int noisy = known && truth.isNoise() ? 1 : 0;
    int k = known ? 1 : 0;
    if (reason == null) {
      return new CleanCounts(1, 0, 0, 0, k, noisy, 0, 0);
    }
    return new CleanCounts(
        0,
        reason == DropReason.OUTLIER_ANGLE ? 1 : 0,
        reason == DropReason.NON_DOMINANT ? 1 : 0,
        reason == DropReason.SMALL_CLASS ? 1 : 0,
        0,
        0,
        k,
        noisy);
  }

  /** The sum of two tallies. */
  public CleanCounts plus(CleanCounts o) {
    return new CleanCounts(
        kept + o.kept,
        droppedOutlierAngle + o.droppedOutlierAngle,
        droppedNonDominant + o.droppedNonDominant,
        droppedSmallClass + o.droppedSmallClass,
        keptWithTruth + o.keptWithTruth,
        keptNoisy + o.keptNoisy,
        droppedWithTruth + o.droppedWithTruth,
        droppedNoisy + o.droppedNoisy);
  }

  /** Faces dropped for any reason. */
  public long dropped() {
    return droppedOutlierAngle + droppedNonDominant + droppedSmallClass;
  }

  /** Faces dropped for {@code reason}. */
  public long dropped(DropReason reason) {
    return switch (reason) {
      case OUTLIER_ANGLE -> droppedOutlierAngle;
      case NON_DOMINANT -> droppedNonDominant;
      case SMALL_CLASS -> droppedSmallClass;
    };
  }

  /** True when some face's truth is known. */
  public boolean hasTruth() {
    return keptWithTruth + droppedWithTruth > 0;
  }

  /** "Dropped" against "noisy" over the faces with known truth. */
  public DetectionMetrics.Counts detection() {
    return new DetectionMetrics.Counts(droppedWithTruth, droppedNoisy, keptNoisy + droppedNoisy);
  }
}
