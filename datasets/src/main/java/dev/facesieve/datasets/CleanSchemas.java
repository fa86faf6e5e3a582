package dev.facesieve.datasets;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;

/**
 * Schemas of {@code facesieve clean}'s outputs, here (not in the Beam module) so that reports and
 * users' tools read them without the pipeline.
 *
 * <ul>
 *   <li>{@link #CLEANED}: {@code kept/*.parquet} and {@code dropped/*.parquet} — every column of
 *       {@link FaceSchemas#FACE} ({@code label} becomes the new contiguous label of kept records,
 *       −1 for dropped ones; {@code identity} is the new class's name when a face was relabelled)
 *       plus {@code original_label}, {@code angle_deg} (the angle the decision was made on: to the
 *       dominant sub-centre, or for the {@code subclass} policy to the person's centroid), {@code
 *       nearest_sub_center}, {@code dominant_sub_center}, {@code cosines} (to each of the class's K
 *       sub-centres), {@code reason} (null when kept), and for a face moved by relabelling {@code
 *       original_identity} (the label's name before) and {@code angle_to_target_deg} (to the new
 *       class's centroid); both null otherwise ({@code original_identity} is also set on a face
 *       whose class was merged into another of its duplicate-identity group). A face dropped as
 *       {@code DUPLICATE_IMAGE} names the kept copy in {@code duplicate_of}, with {@code
 *       angle_to_duplicate_deg} and whether the bytes are the same ({@code duplicate_exact}).
 *   <li>{@link #CLASS}: {@code classes.parquet}, one row per class: its sub-centre counts, faces
 *       kept and dropped per reason ({@code dropped_<reason>}), and what the inter-class search
 *       found ({@code duplicate_group}, {@code group_keeper_label}, {@code angle_to_keeper_deg},
 *       {@code test_identity}, {@code angle_to_test_deg}, {@code merged}).
 *   <li>{@link #EMBEDDING}: the embedding cache, {@code id, label, vector}.
 * </ul>
 */
public final class CleanSchemas {
  private CleanSchemas() {}

  public static final Schema CLEANED = cleaned();

  private static Schema cleaned() {
    List<Schema.Field> fields = new java.util.ArrayList<>();
    for (Schema.Field f : FaceSchemas.FACE.getFields()) {
      fields.add(new Schema.Field(f.name(), f.schema(), f.doc(), f.defaultVal()));
    }
    Schema extra =
        SchemaBuilder.record("Extra")
            .fields()
            .requiredInt("original_label")
            .requiredDouble("angle_deg")
            .requiredInt("nearest_sub_center")
            .requiredInt("dominant_sub_center")
            .name("cosines")
            .type()
            .array()
            .items()
            .floatType()
            .noDefault()
            .optionalString("reason")
            .optionalString("original_identity")
            .optionalDouble("angle_to_target_deg")
            .optionalString("duplicate_of")
            .optionalDouble("angle_to_duplicate_deg")
            .optionalBoolean("duplicate_exact")
            .endRecord();
    for (Schema.Field f : extra.getFields()) {
      fields.add(new Schema.Field(f.name(), f.schema(), f.doc(), f.defaultVal()));
    }
    return Schema.createRecord(
        "CleanedFace", "A face with its cleaning decision.", "dev.facesieve", false, fields);
  }

  /**
   * True for a kept {@link #CLEANED} record that relabelling moved to another class (it has an
   * angle to its new class); a face merged with its class into the group's keeper also names its
   * original identity, but is not a move. Readers project {@code angle_to_target_deg}.
   */
  public static boolean relabelled(org.apache.avro.generic.GenericRecord r) {
    return r.get("reason") == null && r.get("angle_to_target_deg") != null;
  }

  public static final Schema CLASS =
      SchemaBuilder.record("CleanedClass")
          .namespace("dev.facesieve")
          .fields()
          .requiredInt("label")
          .requiredString("identity")
          .requiredInt("new_label")
          .requiredInt("samples")
          .name("samples_per_sub_center")
          .type()
          .array()
          .items()
          .intType()
          .noDefault()
          .requiredInt("dominant_sub_center")
          .requiredDouble("dominant_share")
          .requiredInt("kept")
          .requiredInt("dropped_outlier_angle")
          .requiredInt("dropped_non_dominant")
          .requiredInt("dropped_small_class")
          .name("dropped_other_person")
          .type()
          .intType()
          .intDefault(0)
          .name("relabelled_out")
          .type()
          .intType()
          .intDefault(0)
          .requiredDouble("mean_angle_deg")
          .requiredDouble("max_angle_deg")
          .name("dropped_duplicate_identity")
          .type()
          .intType()
          .intDefault(0)
          .name("dropped_duplicate_image")
          .type()
          .intType()
          .intDefault(0)
          .name("dropped_test_overlap")
          .type()
          .intType()
          .intDefault(0)
          .name("duplicate_group")
          .doc("the class's duplicate-identity group, -1 when none")
          .type()
          .intType()
          .intDefault(-1)
          .name("group_keeper_label")
          .doc("the group's largest class (its label survives a merge), -1 when no group")
          .type()
          .intType()
          .intDefault(-1)
          .optionalDouble("angle_to_keeper_deg")
          .optionalString("test_identity")
          .optionalDouble("angle_to_test_deg")
          .name("merged")
          .doc("whether the class's kept faces now carry its group keeper's label")
          .type()
          .booleanType()
          .booleanDefault(false)
          .name("sub_class_angle_deg")
          .doc("per sub-centre, its group's centroid's angle to the dominant group's (NaN: empty)")
          .type()
          .optional()
          .array()
          .items()
          .doubleType()
          .name("sub_class_spread_deg")
          .doc("per sub-centre, the median angle of its faces to the mean of the group's others")
          .type()
          .optional()
          .array()
          .items()
          .doubleType()
          .name("sub_class_other_person")
          .doc("per sub-centre, whether its group was judged another person and dropped whole")
          .type()
          .optional()
          .array()
          .items()
          .booleanType()
          .endRecord();

  /**
   * A model's {@code centres.parquet}: {@code class, sub_center, identity, vector} with unit
   * vectors in class-major order; written by training, read by cleaning and by reports.
   */
  public static final Schema CENTRES =
      SchemaBuilder.record("SubCentre")
          .namespace("dev.facesieve")
          .fields()
          .requiredInt("class")
          .requiredInt("sub_center")
          .requiredString("identity")
          .name("vector")
          .type()
          .array()
          .items()
          .floatType()
          .noDefault()
          .endRecord();

  public static final Schema EMBEDDING =
      SchemaBuilder.record("FaceEmbedding")
          .namespace("dev.facesieve")
          .fields()
          .requiredString("id")
          .requiredInt("label")
          .name("vector")
          .type()
          .array()
          .items()
          .floatType()
          .noDefault()
          .endRecord();
}
