package dev.facesieve.datasets.clean;

import java.util.Arrays;

/**
 * What {@link CleaningPolicy#decideClass} (and then {@link InterClassPolicy#apply}) decided for one
 * class's faces (in the order given).
 *
 * @param label the class
 * @param reason why each face was dropped, null when it is kept (in this class or moved)
 * @param angleDeg the angle each decision was made on: to the dominant sub-centre ({@code drop-py},
 *     {@code strict}) or to the person's centroid, the mean of the faces not in another person's
 *     sub-class ({@code subclass})
 * @param target the class each kept face ends in: {@code label}, another class when relabelled, or
 *     the group's keeper when the class was merged into it
 * @param angleToTargetDeg for a relabelled face, its angle to the new class's dominant centroid
 *     (NaN otherwise)
 * @param subClasses the class's sub-classes
 * @param otherPerson per sub-class, whether it was judged another person
 * @param merged per face, whether it is kept under its duplicate-identity group's keeper (a merge,
 *     not a relabelling)
 * @param duplicateOf per face dropped as {@link DropReason#DUPLICATE_IMAGE}, the index of the copy
 *     kept in its place (−1 otherwise)
 * @param angleToDuplicateDeg the angle to that copy (NaN otherwise)
 * @param exactDuplicate whether that copy has the same bytes (sha256)
 */
public record ClassDecision(
    int label,
    DropReason[] reason,
    double[] angleDeg,
    int[] target,
    double[] angleToTargetDeg,
    SubClasses subClasses,
    boolean[] otherPerson,
    boolean[] merged,
    int[] duplicateOf,
    double[] angleToDuplicateDeg,
    boolean[] exactDuplicate) {

  /** A decision of the class alone: nothing merged, no duplicate images. */
  public ClassDecision(
      int label,
      DropReason[] reason,
      double[] angleDeg,
      int[] target,
      double[] angleToTargetDeg,
      SubClasses subClasses,
      boolean[] otherPerson) {
    this(
        label,
        reason,
        angleDeg,
        target,
        angleToTargetDeg,
        subClasses,
        otherPerson,
        new boolean[reason.length],
        filled(reason.length, -1),
        nans(reason.length),
        new boolean[reason.length]);
  }

  private static int[] filled(int n, int v) {
    int[] a = new int[n];
    Arrays.fill(a, v);
    return a;
  }

  private static double[] nans(int n) {
    double[] a = new double[n];
    Arrays.fill(a, Double.NaN);
    return a;
  }

  /** True when face {@code i} was moved to another class (not by a merge of its class). */
  public boolean relabelled(int i) {
    return reason[i] == null && target[i] != label && !merged[i];
  }
}
