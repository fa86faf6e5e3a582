package dev.facesieve.datasets;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Avro schemas of the records FaceSieve stores in Parquet, and conversions to and from the Java
 * records.
 *
 * <p>Enums are stored as lower-case strings ({@code close_set}, {@code UNDECODABLE_IMAGE} stays
 * upper-case as a reason code) rather than Avro enums so that readers in other languages (pandas,
 * Spark, DuckDB) see plain strings.
 */
public final class FaceSchemas {
  private FaceSchemas() {}

  /** {@code {file: string, offset: long}}. */
  public static final Schema SOURCE =
      SchemaBuilder.record("SourceRef")
          .namespace("dev.facesieve")
          .fields()
          .requiredString("file")
          .requiredLong("offset")
          .endRecord();

  /** The face record schema of {@code prepared/faces/*.parquet}. */
  public static final Schema FACE =
      SchemaBuilder.record("FaceRecord")
          .namespace("dev.facesieve")
          .doc("One labelled face image; image holds the original encoded bytes.")
          .fields()
          .requiredString("id")
          .requiredInt("label")
          .requiredString("identity")
          .requiredBytes("image")
          .requiredString("format")
          .requiredInt("width")
          .requiredInt("height")
          .requiredString("sha256")
          .name("source")
          .type(SOURCE)
          .noDefault()
          .name("landmarks")
          .type()
          .optional()
          .array()
          .items()
          .floatType()
          .name("truth")
          .type()
          .optional()
          .stringType()
          .name("true_identity")
          .type()
          .optional()
          .stringType()
          .name("true_duplicate_of")
          .type()
          .optional()
          .stringType()
          .endRecord();

  /** The schema of {@code prepared/quarantine/*.parquet}. */
  public static final Schema QUARANTINE =
      SchemaBuilder.record("QuarantineRecord")
          .namespace("dev.facesieve")
          .fields()
          .requiredString("id")
          .name("source")
          .type(SOURCE)
          .noDefault()
          .requiredString("reason")
          .requiredString("message")
          .optionalInt("label")
          .optionalString("identity")
          .optionalBytes("image")
          .requiredLong("image_bytes")
          .optionalString("truth")
          .endRecord();

  static GenericRecord toAvro(SourceRef s) {
    GenericRecord r = new GenericData.Record(SOURCE);
    r.put("file", s.file());
    r.put("offset", s.offset());
    return r;
  }

  static SourceRef sourceFromAvro(Object o) {
    GenericRecord r = (GenericRecord) o;
    return new SourceRef(r.get("file").toString(), (Long) r.get("offset"));
  }

  /** Converts a face record to its Avro form. */
  public static GenericRecord toAvro(FaceRecord f) {
    GenericRecord r = new GenericData.Record(FACE);
    r.put("id", f.id());
    r.put("label", f.label());
    r.put("identity", f.identity());
    r.put("image", ByteBuffer.wrap(f.image()));
    r.put("format", f.format());
    r.put("width", f.width());
    r.put("height", f.height());
    r.put("sha256", f.sha256());
    r.put("source", toAvro(f.source()));
    if (f.landmarks() != null) {
      r.put("landmarks", floatList(f.landmarks()));
    }
    r.put("truth", f.truth() == null ? null : f.truth().wireName());
    r.put("true_identity", f.trueIdentity());
    r.put("true_duplicate_of", f.trueDuplicateOf());
    return r;
  }

  /**
   * Converts an Avro record of schema {@link #FACE} back to a face record. Records of files written
   * before {@code true_identity} or {@code true_duplicate_of} existed (read with their own schema)
   * have no such field: null.
   */
  public static FaceRecord faceFromAvro(GenericRecord r) {
    Object lm = r.get("landmarks");
    float[] landmarks = lm == null ? null : floats(lm);
    Object truth = r.get("truth");
    Object trueIdentity =
        r.getSchema().getField("true_identity") == null ? null : r.get("true_identity");
    Object trueDuplicateOf =
        r.getSchema().getField("true_duplicate_of") == null ? null : r.get("true_duplicate_of");
    return new FaceRecord(
        r.get("id").toString(),
        (Integer) r.get("label"),
        r.get("identity").toString(),
        bytes(r.get("image")),
        r.get("format").toString(),
        (Integer) r.get("width"),
        (Integer) r.get("height"),
        r.get("sha256").toString(),
        sourceFromAvro(r.get("source")),
        landmarks,
        truth == null ? null : NoiseKind.parse(truth.toString()),
        trueIdentity == null ? null : trueIdentity.toString(),
        trueDuplicateOf == null ? null : trueDuplicateOf.toString());
  }

  /** Converts a quarantine record to its Avro form. */
  public static GenericRecord toAvro(QuarantineRecord q) {
    GenericRecord r = new GenericData.Record(QUARANTINE);
    r.put("id", q.id());
    r.put("source", toAvro(q.source()));
    r.put("reason", q.reason().name());
    r.put("message", q.message());
    r.put("label", q.label());
    r.put("identity", q.identity());
    r.put("image", q.image() == null ? null : ByteBuffer.wrap(q.image()));
    r.put("image_bytes", q.imageBytes());
    r.put("truth", q.truth() == null ? null : q.truth().wireName());
    return r;
  }

  /** Converts an Avro record of schema {@link #QUARANTINE} back to a quarantine record. */
  public static QuarantineRecord quarantineFromAvro(GenericRecord r) {
    Object label = r.get("label");
    Object identity = r.get("identity");
    Object image = r.get("image");
    Object truth = r.get("truth");
    return new QuarantineRecord(
        r.get("id").toString(),
        sourceFromAvro(r.get("source")),
        QuarantineReason.valueOf(r.get("reason").toString()),
        r.get("message").toString(),
        label == null ? null : (Integer) label,
        identity == null ? null : identity.toString(),
        image == null ? null : bytes(image),
        (Long) r.get("image_bytes"),
        truth == null ? null : NoiseKind.parse(truth.toString()));
  }

  /** A float array as an Avro {@code array<float>} value. */
  public static List<Float> floatList(float[] v) {
    List<Float> l = new ArrayList<>(v.length);
    for (float x : v) {
      l.add(x);
    }
    return l;
  }

  /** An Avro {@code array<float>} value as a float array. */
  public static float[] floats(Object avroList) {
    List<?> l = (List<?>) avroList;
    float[] v = new float[l.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = ((Number) l.get(i)).floatValue();
    }
    return v;
  }

  /** Copies Avro bytes (a {@link ByteBuffer}, without disturbing its position) to an array. */
  public static byte[] bytes(Object o) {
    if (o instanceof byte[] b) {
      return b;
    }
    ByteBuffer buf = ((ByteBuffer) o).duplicate();
    byte[] out = new byte[buf.remaining()];
    buf.get(out);
    return out;
  }
}
