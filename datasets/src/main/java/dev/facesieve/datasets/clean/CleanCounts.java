package dev.facesieve.datasets.clean;

import static com.google.common.base.Preconditions.checkArgument;

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
 * relabelled and dropped faces with truth partition the faces with truth. Faces removed for an
 * inter-class reason ({@link DropReason#interClass}: a duplicate identity, a duplicate image, a
 * test-set identity) are counted as dropped but not in the truth tallies: they are removed on
 * purpose, whatever their label noise, so they are neither hits nor false alarms of the noise
 * detection.
 */
public record CleanCounts(
    long kept,
    long[] droppedByReason,
    long relabelled,
    long merged,
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
  public static final CleanCounts ZERO =
      new CleanCounts(0, new long[DropReason.values().length], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  /**
   * @param droppedByReason faces dropped per {@link DropReason}, indexed by ordinal
   * @param merged kept faces whose class was merged into another class of its duplicate-identity
   *     group (counted in {@code kept}, not in {@code relabelled})
   */
  public CleanCounts {
    checkArgument(
        droppedByReason.length == DropReason.values().length,
        "one count per drop reason, got %s",
        droppedByReason.length);
  }

  /**
   * One face that was kept in its class or dropped.
   *
   * @param reason why it was dropped, null when kept
   * @param truth its ground truth, null when unknown
   */
  public static CleanCounts ofFace(@Nullable DropReason reason, @Nullable NoiseKind truth) {
    return ofFace(reason, truth, false);
  }

  /**
   * One face that was kept (in its class, or in the class its class was merged into) or dropped.
   */
  public static CleanCounts ofFace(
      @Nullable DropReason reason, @Nullable NoiseKind truth, boolean merged) {
    boolean known = truth != null;
    int noisy = known && truth.isNoise() ? 1 : 0;
    int k = known ? 1 : 0;
    long[] dropped = new long[DropReason.values().length];
    if (reason == null) {
      return new CleanCounts(1, dropped, 0, merged ? 1 : 0, k, noisy, 0, 0, 0, 0, 0, 0);
    }
    dropped[reason.ordinal()] = 1;
    if (reason.interClass()) {
      // removed on purpose, not judged noise: the truth metrics are about label noise
      return new CleanCounts(0, dropped, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
    return new CleanCounts(0, dropped, 0, 0, 0, 0, k, noisy, 0, 0, 0, 0);
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
        new long[DropReason.values().length],
        1,
        0,
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
    long[] dropped = droppedByReason.clone();
    for (int i = 0; i < dropped.length; i++) {
      dropped[i] += o.droppedByReason[i];
    }
    return new CleanCounts(
        kept + o.kept,
        dropped,
        relabelled + o.relabelled,
        merged + o.merged,
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
    return java.util.Arrays.stream(droppedByReason).sum();
  }

  /** Faces dropped for {@code reason}. */
  public long dropped(DropReason reason) {
    return droppedByReason[reason.ordinal()];
  }

  // records compare arrays by identity; a tally read back from JSON must equal the one written
  @Override
  public boolean equals(Object o) {
    return o instanceof CleanCounts c
        && kept == c.kept
        && java.util.Arrays.equals(droppedByReason, c.droppedByReason)
        && relabelled == c.relabelled
        && merged == c.merged
        && keptWithTruth == c.keptWithTruth
        && keptNoisy == c.keptNoisy
        && droppedWithTruth == c.droppedWithTruth
        && droppedNoisy == c.droppedNoisy
        && relabelledWithTruth == c.relabelledWithTruth
        && relabelledNoisy == c.relabelledNoisy
        && relabelledKnownIdentity == c.relabelledKnownIdentity
        && relabelledCorrect == c.relabelledCorrect;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(kept, relabelled, merged, dropped());
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
