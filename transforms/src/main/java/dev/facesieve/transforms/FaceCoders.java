package dev.facesieve.transforms;

import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.input.InputShard;
import dev.facesieve.datasets.input.PrepareStats;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;

/** The explicit coders of FaceSieve's pipeline element types. */
public final class FaceCoders {
  private FaceCoders() {}

  /** {@link FaceRecord}s, as Avro binary of {@link FaceSchemas#FACE}. */
  public static Coder<FaceRecord> faces() {
    return new AvroBackedCoder<>(FaceSchemas.FACE, FaceSchemas::toAvro, FaceSchemas::faceFromAvro);
  }

  /** {@link QuarantineRecord}s, as Avro binary of {@link FaceSchemas#QUARANTINE}. */
  public static Coder<QuarantineRecord> quarantined() {
    return new AvroBackedCoder<>(
        FaceSchemas.QUARANTINE, FaceSchemas::toAvro, FaceSchemas::quarantineFromAvro);
  }

  /** Input shards (small, planned on the driver). */
  public static Coder<InputShard> shards() {
    return SerializableCoder.of(InputShard.class);
  }

  /** Prepare statistics. */
  public static Coder<PrepareStats> prepareStats() {
    return SerializableCoder.of(PrepareStats.class);
  }

  /** Avro records of a schema, as ParquetIO needs them. */
  public static Coder<GenericRecord> avro(org.apache.avro.Schema schema) {
    return AvroCoder.of(schema);
  }
}
