package dev.facesieve.transforms;

import static com.google.common.base.Preconditions.checkState;

import dev.facesieve.datasets.parquet.ParquetFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/**
 * A Beam file sink that writes Avro records as one Snappy-compressed Parquet file with {@link
 * ParquetFiles#WRITE_SETTINGS} (standard 3-level lists).
 *
 * <p>Beam's {@code ParquetIO.sink(...).withConfiguration(...)} carries a serialised Hadoop {@code
 * Configuration}, and {@code FileIO} clones its sink for every file it opens: each clone built a
 * {@code Configuration} with Hadoop's defaults, parsing their XML, which made {@code clean} on the
 * DirectRunner many times slower. This sink carries only the schema (as JSON) and the codec; the
 * writer's {@code Configuration} holds no defaults and is built on first use, once per instance.
 */
public final class ParquetSink implements FileIO.Sink<GenericRecord> {
  private static final long serialVersionUID = 1L;

  private final String schemaJson;
  private final CompressionCodecName codec;
  private transient Configuration conf;
  private transient ParquetWriter<GenericRecord> writer;

  private ParquetSink(String schemaJson, CompressionCodecName codec) {
    this.schemaJson = schemaJson;
    this.codec = codec;
  }

  /** A Snappy sink for records of {@code schema}. */
  public static ParquetSink of(Schema schema) {
    return new ParquetSink(schema.toString(), CompressionCodecName.SNAPPY);
  }

  private Configuration conf() {
    if (conf == null) {
      Configuration c = new Configuration(false);
      ParquetFiles.WRITE_SETTINGS.forEach(c::set);
      conf = c;
    }
    return conf;
  }

  @Override
  public void open(WritableByteChannel channel) throws IOException {
    checkState(writer == null, "sink already open");
    writer =
        AvroParquetWriter.<GenericRecord>builder(new ChannelFile(channel))
            .withSchema(new Schema.Parser().parse(schemaJson))
            .withConf(conf())
            .withDataModel(GenericData.get())
            .withCompressionCodec(codec)
            .withRowGroupSize((long) ParquetFiles.ROW_GROUP_BYTES)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .build();
  }

  @Override
  public void write(GenericRecord record) throws IOException {
    checkState(writer != null, "sink not open");
    writer.write(record);
  }

  /** Writes the footer; Beam closes the channel afterwards. */
  @Override
  public void flush() throws IOException {
    checkState(writer != null, "sink not open");
    try {
      writer.close();
    } finally {
      writer = null;
    }
  }

  /** Parquet's view of the channel Beam opened: one stream, its position counted here. */
  private record ChannelFile(WritableByteChannel channel) implements OutputFile {
    @Override
    public PositionOutputStream create(long blockSizeHint) {
      return new CountingStream(Channels.newOutputStream(channel));
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
      return create(blockSizeHint);
    }

    @Override
    public boolean supportsBlockSize() {
      return false;
    }

    @Override
    public long defaultBlockSize() {
      return 0;
    }
  }

  private static final class CountingStream extends PositionOutputStream {
    private final OutputStream out;
    private long position;

    CountingStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public long getPos() {
      return position;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      position++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      position += len;
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
