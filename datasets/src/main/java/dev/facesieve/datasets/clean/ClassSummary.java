package dev.facesieve.datasets.clean;

import dev.facesieve.datasets.CleanSchemas;
import java.io.Serializable;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/** Per-class outcome of cleaning: one row of {@code classes.parquet}. */
public record ClassSummary(
    int label,
    String identity,
    int samples,
    int[] samplesPerSubCenter,
    int dominant,
    int kept,
    int droppedOutlierAngle,
    int droppedNonDominant,
    int droppedSmallClass,
    int droppedOtherPerson,
    int relabelledOut,
    double meanAngleDeg,
    double maxAngleDeg)
    implements Serializable {

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
    r.put("dropped_outlier_angle", droppedOutlierAngle);
    r.put("dropped_non_dominant", droppedNonDominant);
    r.put("dropped_small_class", droppedSmallClass);
    r.put("dropped_other_person", droppedOtherPerson);
    r.put("relabelled_out", relabelledOut);
    r.put("mean_angle_deg", meanAngleDeg);
    r.put("max_angle_deg", maxAngleDeg);
    return r;
  }

  /**
   * A class's outcome from its scores and decision; {@code kept} counts the faces kept in this
   * class (not those moved out), mean and max are of the angles the decisions were made on.
   */
  public static ClassSummary of(String identity, ClassScorer.Scores s, ClassDecision d) {
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
        dropped[DropReason.OUTLIER_ANGLE.ordinal()],
        dropped[DropReason.NON_DOMINANT.ordinal()],
        dropped[DropReason.SMALL_CLASS.ordinal()],
        dropped[DropReason.OTHER_PERSON.ordinal()],
        moved,
        sum / n,
        max);
  }
}
