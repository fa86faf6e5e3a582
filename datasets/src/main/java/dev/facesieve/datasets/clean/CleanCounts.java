package dev.facesieve.datasets.clean;

import dev.facesieve.datasets.NoiseKind;
import java.io.Serializable;
import javax.annotation.Nullable;

/**
 * What a clean run did to its faces, tallied face by face as the decisions are written and summed
 * (so that the summary needs no second read of the outputs): kept (of which relabelled), dropped by
 * reason and, for faces whose ground truth is known, how many of each are noise and how many moves
 * went to the face's true identity.
 *
 * <p>{@code kept} counts every face written to {@code kept/}, relabelled ones included; {@code
 * keptWithTruth}/{@code keptNoisy} count the faces kept in their own class only, so that kept,
 * relabelled and dropped faces with truth partition the faces with truth.
 */
public record CleanCounts(
    long kept,
    long droppedOutlierAngle,
    long droppedNonDominant,
    long droppedSmallClass,
    long droppedOtherPerson,
    long relabelled,
    long keptWithTruth,
    long keptNoisy,
    long droppedWithTruth,
    long droppedNoisy,
    long relabelledWithTruth,
    long relabelledNoisy,
    long relabelledKnownIdentity,
    long relabelledCorrect)
    implements Serializable {
  /** Nothing counted. */
  public static final CleanCounts ZERO = new CleanCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  /**
   * One face that was kept in its class or dropped.
   *
   * @param reason why it was dropped, null when kept
   * @param truth its ground truth, null when unknown
   */
  public static CleanCounts ofFace(@Nullable DropReason reason, @Nullable NoiseKind truth) {
    boolean known = truth != null;
    int noisy = known && truth.isNoise() ? 1 : 0;
    int k = known ? 1 : 0;
    if (reason == null) {
      return new CleanCounts(1, 0, 0, 0, 0, 0, k, noisy, 0, 0, 0, 0, 0, 0);
    }
    return new CleanCounts(
        0,
        reason == DropReason.OUTLIER_ANGLE ? 1 : 0,
        reason == DropReason.NON_DOMINANT ? 1 : 0,
        reason == DropReason.SMALL_CLASS ? 1 : 0,
        reason == DropReason.OTHER_PERSON ? 1 : 0,
        0,
        0,
        0,
        k,
        noisy,
        0,
        0,
        0,
        0);
  }

  /**
   * One face moved to another class.
   *
   * @param truth its ground truth, null when unknown
   * @param correct whether the new class is its true identity, null when that is unknown
   */
  public static CleanCounts ofMove(@Nullable NoiseKind truth, @Nullable Boolean correct) {
    boolean known = truth != null;
    int noisy = known && truth.isNoise() ? 1 : 0;
    return new CleanCounts(
        1,
        0,
        0,
        0,
        0,
        1,
        0,
        0,
        0,
        0,
        known ? 1 : 0,
        noisy,
        correct == null ? 0 : 1,
        Boolean.TRUE.equals(correct) ? 1 : 0);
  }

  /** The sum of two tallies. */
  public CleanCounts plus(CleanCounts o) {
    return new CleanCounts(
        kept + o.kept,
        droppedOutlierAngle + o.droppedOutlierAngle,
        droppedNonDominant + o.droppedNonDominant,
        droppedSmallClass + o.droppedSmallClass,
        droppedOtherPerson + o.droppedOtherPerson,
        relabelled + o.relabelled,
        keptWithTruth + o.keptWithTruth,
        keptNoisy + o.keptNoisy,
        droppedWithTruth + o.droppedWithTruth,
        droppedNoisy + o.droppedNoisy,
        relabelledWithTruth + o.relabelledWithTruth,
        relabelledNoisy + o.relabelledNoisy,
        relabelledKnownIdentity + o.relabelledKnownIdentity,
        relabelledCorrect + o.relabelledCorrect);
  }

  /** Faces dropped for any reason. */
  public long dropped() {
    return droppedOutlierAngle + droppedNonDominant + droppedSmallClass + droppedOtherPerson;
  }

  /** Faces dropped for {@code reason}. */
  public long dropped(DropReason reason) {
    return switch (reason) {
      case OUTLIER_ANGLE -> droppedOutlierAngle;
      case NON_DOMINANT -> droppedNonDominant;
      case SMALL_CLASS -> droppedSmallClass;
      case OTHER_PERSON -> droppedOtherPerson;
    };
  }

  /** True when some face's truth is known. */
  public boolean hasTruth() {
    return keptWithTruth + droppedWithTruth + relabelledWithTruth > 0;
  }

  /**
   * "Acted on" (dropped or relabelled) against "noisy" over the faces with known truth: a moved
   * intruder is found noise as much as a dropped one.
   */
  public DetectionMetrics.Counts detection() {
    return new DetectionMetrics.Counts(
        droppedWithTruth + relabelledWithTruth,
        droppedNoisy + relabelledNoisy,
        keptNoisy + droppedNoisy + relabelledNoisy);
  }
}
