package dev.facesieve.transforms;

import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.QuarantineReason;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.clean.CleanCounts;
import dev.facesieve.datasets.clean.EmbeddingCheck;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Builds the cleaned record of each face and routes it to kept or dropped, or, when its embedding
 * failed {@link EmbeddingCheck}, to the quarantine.
 */
final class AttachDecisionsFn extends DoFn<KV<Integer, CoGbkResult>, GenericRecord> {
  private final TupleTag<FaceRecord> faceTag;
  private final TupleTag<KV<Decision, Integer>> decisionTag;
  private final TupleTag<KV<String, String>> invalidTag;

  AttachDecisionsFn(
      TupleTag<FaceRecord> f, TupleTag<KV<Decision, Integer>> d, TupleTag<KV<String, String>> i) {
    this.faceTag = f;
    this.decisionTag = d;
    this.invalidTag = i;
  }

  @ProcessElement
  public void process(@Element KV<Integer, CoGbkResult> kv, MultiOutputReceiver out) {
    Map<String, KV<Decision, Integer>> decisions = new java.util.HashMap<>();
    for (KV<Decision, Integer> d : kv.getValue().getAll(decisionTag)) {
      decisions.put(d.getKey().id(), d);
    }
    Map<String, String> invalid = new java.util.HashMap<>();
    for (KV<String, String> i : kv.getValue().getAll(invalidTag)) {
      invalid.put(i.getKey(), i.getValue());
    }
    int faces = 0;
    CleanCounts counts = CleanCounts.ZERO;
    for (FaceRecord f : kv.getValue().getAll(faceTag)) {
      faces++;
      String problem = invalid.get(f.id());
      if (problem != null) {
        out.get(CleanFaces.QUARANTINED).output(invalidEmbedding(f, problem));
        continue;
      }
      KV<Decision, Integer> d = decisions.get(f.id());
      if (d == null) {
        throw new IllegalStateException("face " + f.id() + " has no decision");
      }
      Decision decision = d.getKey();
      out.get(decision.kept() ? CleanFaces.KEPT : CleanFaces.DROPPED)
          .output(cleaned(f, decision, d.getValue()));
      counts =
          counts.plus(
              decision.relabelled()
                  ? CleanCounts.ofMove(f.truth(), movedToTrueIdentity(f, decision))
                  : CleanCounts.ofFace(decision.reason(), f.truth(), decision.merged()));
    }
    out.get(CleanFaces.COUNTS).output(counts);
    if (faces != decisions.size() + invalid.size()) {
      throw new IllegalStateException(
          String.format(
              java.util.Locale.ROOT,
              "bucket %d: %d decisions and %d invalid embeddings for %d faces",
              kv.getKey(),
              decisions.size(),
              invalid.size(),
              faces));
    }
  }

  /** A face whose embedding cannot be decided on, as a quarantine record. */
  static QuarantineRecord invalidEmbedding(FaceRecord f, String problem) {
    return QuarantineRecord.of(
        f.id(),
        f.source(),
        QuarantineReason.EMBEDDING_INVALID,
        problem,
        f.label(),
        f.identity(),
        null,
        f.truth());
  }

  /**
   * Sends each embedding that passes {@link EmbeddingCheck} on ({@link #VALID}) and the id and
   * problem of each that fails ({@link #INVALID}).
   */
  static final class CheckEmbeddingFn extends DoFn<FaceEmbedding, FaceEmbedding> {
    private final int dimension;

    CheckEmbeddingFn(int dimension) {
      this.dimension = dimension;
    }

    @ProcessElement
    public void process(@Element FaceEmbedding e, MultiOutputReceiver out) {
      String problem = EmbeddingCheck.problem(e.vector(), dimension);
      if (problem == null) {
        out.get(CleanFaces.VALID).output(e);
      } else {
        out.get(CleanFaces.INVALID).output(KV.of(e.id(), problem));
      }
    }
  }

  /**
   * Whether a moved face went to its true identity; null when the truth does not name it. (The true
   * identity arrives with the truth file's {@code true_identity} column.)
   */
  @Nullable
  static Boolean movedToTrueIdentity(FaceRecord f, Decision d) {
    return f.trueIdentity() == null ? null : f.trueIdentity().equals(d.targetIdentity());
  }

  /** A face and its decision as one {@link CleanSchemas#CLEANED} record. */
  public static GenericRecord cleaned(FaceRecord f, Decision d, int newLabel) {
    GenericRecord face = FaceSchemas.toAvro(f);
    Schema s = CleanSchemas.CLEANED;
    GenericRecord r = new GenericData.Record(s);
    for (Schema.Field field : FaceSchemas.FACE.getFields()) {
      r.put(field.name(), face.get(field.name()));
    }
    r.put("label", newLabel);
    r.put("original_label", f.label());
    r.put("angle_deg", d.angleDeg());
    r.put("nearest_sub_center", d.nearest());
    r.put("dominant_sub_center", d.dominant());
    r.put("cosines", FaceSchemas.floatList(d.cosines()));
    r.put("reason", d.reason() == null ? null : d.reason().name());
    if (d.relabelled()) {
      r.put("identity", d.targetIdentity());
      r.put("original_identity", f.identity());
      r.put("angle_to_target_deg", d.angleToTargetDeg());
    } else if (d.merged() && d.kept()) {
      r.put("identity", d.targetIdentity());
      r.put("original_identity", f.identity());
    }
    if (d.duplicateOf() != null) {
      r.put("duplicate_of", d.duplicateOf());
      r.put("angle_to_duplicate_deg", d.angleToDuplicateDeg());
      r.put("duplicate_exact", d.exactDuplicate());
    }
    return r;
  }
}
