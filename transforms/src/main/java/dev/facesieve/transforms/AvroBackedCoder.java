package dev.facesieve.transforms;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CustomCoder;

/**
 * A Beam coder for a Java record type that is encoded with its Avro schema (length-prefixed Avro
 * binary), so that the wire form in the pipeline is the same schema as in Parquet.
 */
final class AvroBackedCoder<T> extends CustomCoder<T> {
  private final String schemaJson;
  private final SerializableFn<T, GenericRecord> toAvro;
  private final SerializableFn<GenericRecord, T> fromAvro;

  /** Runners share one coder between threads: publish the codec in one volatile write. */
  private transient volatile Codec codec;

  private record Codec(
      GenericDatumWriter<GenericRecord> writer, GenericDatumReader<GenericRecord> reader) {}

  /** A serializable function. */
  interface SerializableFn<A, B> extends Function<A, B>, java.io.Serializable {}

  AvroBackedCoder(
      Schema schema,
      SerializableFn<T, GenericRecord> toAvro,
      SerializableFn<GenericRecord, T> from) {
    this.schemaJson = schema.toString();
    this.toAvro = toAvro;
    this.fromAvro = from;
  }

  private Codec codec() {
    Codec c = codec;
    if (c == null) {
      Schema schema = new Schema.Parser().parse(schemaJson);
      c = new Codec(new GenericDatumWriter<>(schema), new GenericDatumReader<>(schema));
      codec = c;
    }
    return c;
  }

  @Override
  public void encode(T value, OutputStream out) throws IOException {
    Codec c = codec();
    java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream(256);
    BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(buf, null);
    c.writer().write(toAvro.apply(value), enc);
    enc.flush();
    ByteArrayCoder.of().encode(buf.toByteArray(), out);
  }

  @Override
  public T decode(InputStream in) throws IOException {
    Codec c = codec();
    byte[] bytes = ByteArrayCoder.of().decode(in);
    BinaryDecoder dec = DecoderFactory.get().binaryDecoder(bytes, null);
    return fromAvro.apply(c.reader().read(null, dec));
  }

  @Override
  public void verifyDeterministic() {}

  @Override
  public boolean equals(Object o) {
    return o instanceof AvroBackedCoder<?> c && c.schemaJson.equals(schemaJson);
  }

  @Override
  public int hashCode() {
    return schemaJson.hashCode();
  }
}
