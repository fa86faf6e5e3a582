package dev.facesieve.datasets.clean;

import dev.facesieve.datasets.CleanSchemas;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Locale;
import javax.annotation.Nullable;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Per-class outcome of cleaning: one row of {@code classes.parquet}.
 *
 * @param droppedByReason faces dropped per {@link DropReason}, indexed by ordinal
 * @param interClass what the inter-class search found for this class ({@link InterClass#NONE} when
 *     nothing)
 * @param groups the evidence each sub-class was judged on (null in a file from before it was
 *     recorded)
 */
public record ClassSummary(
    int label,
    String identity,
    int samples,
    int[] samplesPerSubCenter,
    int dominant,
    int kept,
    int[] droppedByReason,
    int relabelledOut,
    double meanAngleDeg,
    double maxAngleDeg,
    InterClass interClass,
    @Nullable Groups groups)
    implements Serializable {

  /**
   * What each sub-class (group of the faces nearest one sub-centre) was judged on, indexed by
   * sub-centre.
   *
   * @param angleToDominantDeg its centroid's angle to the dominant group's (NaN when empty)
   * @param spreadDeg the median angle of its faces to the mean of the group's other faces: how well
   *     it holds together (NaN when empty)
   * @param otherPerson whether it was judged another person and dropped whole
   */
  public record Groups(double[] angleToDominantDeg, double[] spreadDeg, boolean[] otherPerson)
      implements Serializable {

    /** The evidence of one class's decision, read from its faces {@code x}. */
    public static Groups of(float[][] x, ClassScorer.Scores s, ClassDecision d) {
      int k = d.subClasses().size().length;
      double[] spread = new double[k];
      for (int j = 0; j < k; j++) {
        spread[j] =
            d.subClasses().size()[j] == 0
                ? Double.NaN
                : CleaningPolicy.groupSpreadDeg(x, s.nearest(), j);
      }
      return new Groups(
          d.subClasses().angleToDominantDeg().clone(), spread, d.otherPerson().clone());
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Groups g
          && Arrays.equals(angleToDominantDeg, g.angleToDominantDeg)
          && Arrays.equals(spreadDeg, g.spreadDeg)
          && Arrays.equals(otherPerson, g.otherPerson);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(angleToDominantDeg);
    }
  }

  /**
   * A class's findings across classes.
   *
   * @param duplicateGroup its duplicate-identity group (−1 when it has none)
   * @param groupKeeper the group's largest class, whose label a merge keeps (−1 when no group)
   * @param angleToKeeperDeg the angle between this class's and the keeper's dominant centroids (NaN
   *     when no group; 0 for the keeper)
   * @param testIdentity the test-set identity this class's person is, null when none
   * @param angleToTestDeg the angle to that identity's centroid (NaN when none)
   * @param merged whether the class's kept faces went to the keeper's label ({@code
   *     --duplicate-identities merge})
   */
  public record InterClass(
      int duplicateGroup,
      int groupKeeper,
      double angleToKeeperDeg,
      @Nullable String testIdentity,
      double angleToTestDeg,
      boolean merged)
      implements Serializable {
    public static final InterClass NONE =
        new InterClass(-1, -1, Double.NaN, null, Double.NaN, false);
  }

  /** The {@code classes.parquet} column counting the faces dropped for {@code r}. */
  public static String droppedColumn(DropReason r) {
    return "dropped_" + r.name().toLowerCase(Locale.ROOT);
  }

  /**
   * This summary with {@code n} faces it relabelled out dropped instead, as copies of a picture
   * their new class already kept ({@link DropReason#DUPLICATE_IMAGE}).
   */
  public ClassSummary withMovedCopiesDropped(int n) {
    com.google.common.base.Preconditions.checkArgument(
        n >= 0 && n <= relabelledOut, "%s moved copies of %s moved faces", n, relabelledOut);
    int[] dropped = droppedByReason.clone();
    dropped[DropReason.DUPLICATE_IMAGE.ordinal()] += n;
    return new ClassSummary(
        label,
        identity,
        samples,
        samplesPerSubCenter,
        dominant,
        kept,
        dropped,
        relabelledOut - n,
        meanAngleDeg,
        maxAngleDeg,
        interClass,
        groups);
  }

  /** Faces dropped for {@code r}. */
  public int dropped(DropReason r) {
    return droppedByReason[r.ordinal()];
  }

  /** The Avro row, with the class's new contiguous label (−1 when the class is gone). */
  public GenericRecord toAvro(int newLabel) {
    GenericRecord r = new GenericData.Record(CleanSchemas.CLASS);
    r.put("label", label);
    r.put("identity", identity);
    r.put("new_label", newLabel);
    r.put("samples", samples);
    java.util.List<Integer> per = new java.util.ArrayList<>();
    for (int v : samplesPerSubCenter) {
      per.add(v);
    }
    r.put("samples_per_sub_center", per);
    r.put("dominant_sub_center", dominant);
    r.put("dominant_share", samples == 0 ? 0.0 : samplesPerSubCenter[dominant] / (double) samples);
    r.put("kept", kept);
    for (DropReason reason : DropReason.values()) {
      r.put(droppedColumn(reason), dropped(reason));
    }
    r.put("relabelled_out", relabelledOut);
    r.put("mean_angle_deg", meanAngleDeg);
    r.put("max_angle_deg", maxAngleDeg);
    r.put("duplicate_group", interClass.duplicateGroup());
    r.put("group_keeper_label", interClass.groupKeeper());
    r.put("angle_to_keeper_deg", orNull(interClass.angleToKeeperDeg()));
    r.put("test_identity", interClass.testIdentity());
    r.put("angle_to_test_deg", orNull(interClass.angleToTestDeg()));
    r.put("merged", interClass.merged());
    if (groups != null) {
      r.put("sub_class_angle_deg", Arrays.stream(groups.angleToDominantDeg()).boxed().toList());
      r.put("sub_class_spread_deg", Arrays.stream(groups.spreadDeg()).boxed().toList());
      java.util.List<Boolean> other = new java.util.ArrayList<>();
      for (boolean b : groups.otherPerson()) {
        other.add(b);
      }
      r.put("sub_class_other_person", other);
    }
    return r;
  }

  /**
   * Reads a {@code classes.parquet} row back; columns a file from an earlier version lacks read as
   * their defaults (0 drops, no findings).
   */
  public static ClassSummary fromAvro(GenericRecord r) {
    int[] dropped = new int[DropReason.values().length];
    for (DropReason reason : DropReason.values()) {
      Object v = field(r, droppedColumn(reason));
      dropped[reason.ordinal()] = v == null ? 0 : (Integer) v;
    }
    @SuppressWarnings("unchecked")
    java.util.List<Integer> per = (java.util.List<Integer>) r.get("samples_per_sub_center");
    Object group = field(r, "duplicate_group");
    Object keeper = field(r, "group_keeper_label");
    Object toKeeper = field(r, "angle_to_keeper_deg");
    Object test = field(r, "test_identity");
    Object toTest = field(r, "angle_to_test_deg");
    Object merged = field(r, "merged");
    Object moved = field(r, "relabelled_out");
    InterClass ic =
        new InterClass(
            group == null ? -1 : (Integer) group,
            keeper == null ? -1 : (Integer) keeper,
            toKeeper == null ? Double.NaN : (Double) toKeeper,
            test == null ? null : test.toString(),
            toTest == null ? Double.NaN : (Double) toTest,
            Boolean.TRUE.equals(merged));
    return new ClassSummary(
        (Integer) r.get("label"),
        r.get("identity").toString(),
        (Integer) r.get("samples"),
        per.stream().mapToInt(Integer::intValue).toArray(),
        (Integer) r.get("dominant_sub_center"),
        (Integer) r.get("kept"),
        dropped,
        moved == null ? 0 : (Integer) moved,
        (Double) r.get("mean_angle_deg"),
        (Double) r.get("max_angle_deg"),
        ic.equals(InterClass.NONE) ? InterClass.NONE : ic,
        groupsFromAvro(r));
  }

  @Nullable
  private static Groups groupsFromAvro(GenericRecord r) {
    Object angle = field(r, "sub_class_angle_deg");
    Object spread = field(r, "sub_class_spread_deg");
    Object other = field(r, "sub_class_other_person");
    if (angle == null || spread == null || other == null) {
      return null;
    }
    return new Groups(
        ((java.util.List<?>) angle).stream().mapToDouble(v -> (Double) v).toArray(),
        ((java.util.List<?>) spread).stream().mapToDouble(v -> (Double) v).toArray(),
        booleans((java.util.List<?>) other));
  }

  private static boolean[] booleans(java.util.List<?> l) {
    boolean[] out = new boolean[l.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (Boolean) l.get(i);
    }
    return out;
  }

  private static Double orNull(double v) {
    return Double.isNaN(v) ? null : v;
  }

  private static Object field(GenericRecord r, String name) {
    return r.getSchema().getField(name) == null ? null : r.get(name);
  }

  /**
   * A class's outcome from its scores and decision; {@code kept} counts the faces kept in this
   * class (not those moved out), mean and max are of the angles the decisions were made on.
   */
  public static ClassSummary of(
      String identity,
      ClassScorer.Scores s,
      ClassDecision d,
      InterClass interClass,
      @Nullable Groups groups) {
    DropReason[] reasons = d.reason();
    int n = reasons.length;
    int kept = 0;
    int moved = 0;
    int[] dropped = new int[DropReason.values().length];
    double sum = 0;
    double max = 0;
    for (int i = 0; i < n; i++) {
      if (d.relabelled(i)) {
        moved++;
      } else if (reasons[i] == null) {
        kept++;
      } else {
        dropped[reasons[i].ordinal()]++;
      }
      sum += d.angleDeg()[i];
      max = Math.max(max, d.angleDeg()[i]);
    }
    return new ClassSummary(
        d.label(),
        identity,
        n,
        s.countPerSubCentre(),
        s.dominant(),
        kept,
        dropped,
        moved,
        sum / n,
        max,
        interClass,
        groups);
  }

  /** {@link #of(String, ClassScorer.Scores, ClassDecision, InterClass, Groups)}, nothing more. */
  public static ClassSummary of(String identity, ClassScorer.Scores s, ClassDecision d) {
    return of(identity, s, d, InterClass.NONE, null);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClassSummary c
        && label == c.label
        && identity.equals(c.identity)
        && samples == c.samples
        && Arrays.equals(samplesPerSubCenter, c.samplesPerSubCenter)
        && dominant == c.dominant
        && kept == c.kept
        && Arrays.equals(droppedByReason, c.droppedByReason)
        && relabelledOut == c.relabelledOut
        && Double.compare(meanAngleDeg, c.meanAngleDeg) == 0
        && Double.compare(maxAngleDeg, c.maxAngleDeg) == 0
        && interClass.equals(c.interClass)
        && java.util.Objects.equals(groups, c.groups);
  }

  @Override
  public int hashCode() {
    return 31 * label + identity.hashCode();
  }
}
