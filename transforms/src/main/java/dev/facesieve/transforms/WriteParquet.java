package dev.facesieve.transforms;

import static com.google.common.base.Preconditions.checkArgument;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * Writes typed records as Snappy-compressed Parquet files {@code <dir>/part-*.parquet} of a given
 * Avro schema, through {@link ParquetSink} (standard 3-level lists).
 *
 * @param <T> the record type
 */
public final class WriteParquet<T> extends PTransform<PCollection<T>, PDone> {
  private final Schema schema;
  private final SerializableFunction<T, GenericRecord> toAvro;
  private final String directory;
  private final int shards;

  private WriteParquet(
      Schema schema, SerializableFunction<T, GenericRecord> toAvro, String dir, int shards) {
    this.schema = schema;
    this.toAvro = toAvro;
    this.directory = dir;
    this.shards = shards;
  }

  /** Writes records converted by {@code toAvro} into {@code dir}. */
  public static <T> WriteParquet<T> to(
      String dir, Schema schema, SerializableFunction<T, GenericRecord> toAvro) {
    checkArgument(dir != null && !dir.isBlank(), "output directory must be set");
    return new WriteParquet<>(schema, toAvro, dir, 0);
  }

  /** A fixed number of files (0 lets the runner choose). */
  public WriteParquet<T> withShards(int n) {
    checkArgument(n >= 0, "shards must be >= 0, got %s", n);
    return new WriteParquet<>(schema, toAvro, directory, n);
  }

  @Override
  public PDone expand(PCollection<T> input) {
    PCollection<GenericRecord> avro =
        input
            .apply("ToAvro", MapElements.into(TypeDescriptor.of(GenericRecord.class)).via(toAvro))
            .setCoder(FaceCoders.avro(schema));
    FileIO.Write<Void, GenericRecord> write =
        FileIO.<GenericRecord>write()
            .via(ParquetSink.of(schema))
            .to(directory)
            .withPrefix("part")
            .withSuffix(".parquet");
    if (shards > 0) {
      write = write.withNumShards(shards);
    }
    avro.apply("WriteFiles", write);
    return PDone.in(input.getPipeline());
  }
}
