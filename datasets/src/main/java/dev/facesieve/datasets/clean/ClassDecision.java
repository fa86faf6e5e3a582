package dev.facesieve.datasets.clean;

/**
 * What {@link CleaningPolicy#decideClass} decided for one class's faces (in the order given).
 *
 * @param label the class
 * @param reason why each face was dropped, null when it is kept (in this class or moved)
 * @param angleDeg the angle each decision was made on: to the dominant sub-centre ({@code drop-py},
 *     {@code strict}) or to the person's centroid, the mean of the faces not in another person's
 *     sub-class ({@code subclass})
 * @param target the class each kept face ends in: {@code label}, or another class when relabelled
 * @param angleToTargetDeg for a relabelled face, its angle to the new class's dominant centroid
 *     (NaN otherwise)
 * @param subClasses the class's sub-classes
 * @param otherPerson per sub-class, whether it was judged another person
 */
public record ClassDecision(
    int label,
    DropReason[] reason,
    double[] angleDeg,
    int[] target,
    double[] angleToTargetDeg,
    SubClasses subClasses,
    boolean[] otherPerson) {

  /** True when face {@code i} was moved to another class. */
  public boolean relabelled(int i) {
    return reason[i] == null && target[i] != label;
  }
}
