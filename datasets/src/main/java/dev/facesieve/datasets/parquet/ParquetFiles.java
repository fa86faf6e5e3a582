package dev.facesieve.datasets.parquet;

import dev.facesieve.datasets.io.HadoopFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Plain-Java Parquet reading and writing of Avro records on the local file system, without Beam.
 *
 * <p>Uses Hadoop's raw local file system so that no {@code .crc} side files are written.
 */
public final class ParquetFiles {
  private ParquetFiles() {}

  /** Row groups of 32 MiB keep a writer's buffer small while staying efficient to scan. */
  public static final int ROW_GROUP_BYTES = 32 << 20;

  /**
   * The writer settings every Parquet file FaceSieve writes carries, here and through the Beam sink
   * {@code transforms/ParquetSink}: lists in the standard 3-level layout ({@code LIST} of {@code
   * element}), which pyarrow, Spark and DuckDB read as lists. Files written before this setting
   * hold 2-level lists; every reader here reads both.
   */
  public static final Map<String, String> WRITE_SETTINGS =
      Map.of(AvroWriteSupport.WRITE_OLD_LIST_STRUCTURE, "false");

  static Configuration conf() {
    Configuration c = new Configuration(false);
    c.set("fs.file.impl", org.apache.hadoop.fs.RawLocalFileSystem.class.getName());
    c.setBoolean("fs.file.impl.disable.cache", true);
    c.setBoolean(AvroReadSupport.READ_INT96_AS_FIXED, true);
    WRITE_SETTINGS.forEach(c::set);
    return c;
  }

  /**
   * The configuration to read a file named by a local path or by a URI ({@code hdfs://…}, read with
   * {@link HadoopFiles#configuration()}).
   */
  private static Configuration conf(String file) {
    if (!HadoopFiles.isRemote(file)) {
      return conf();
    }
    Configuration c = new Configuration(false);
    for (Map.Entry<String, String> e : HadoopFiles.configuration()) {
      c.set(e.getKey(), e.getValue());
    }
    c.setBoolean(AvroReadSupport.READ_INT96_AS_FIXED, true);
    WRITE_SETTINGS.forEach(c::set);
    return c;
  }

  private static org.apache.hadoop.fs.Path hpath(String file) {
    return HadoopFiles.isRemote(file) || file.startsWith("file:")
        ? new org.apache.hadoop.fs.Path(java.net.URI.create(file))
        : hpath(Path.of(file));
  }

  static org.apache.hadoop.fs.Path hpath(Path p) {
    return new org.apache.hadoop.fs.Path(p.toAbsolutePath().toUri());
  }

  /** Opens a Snappy-compressed writer, replacing an existing file. */
  public static ParquetWriter<GenericRecord> writer(Path file, Schema schema) throws IOException {
    Configuration c = conf();
    return AvroParquetWriter.<GenericRecord>builder(HadoopOutputFile.fromPath(hpath(file), c))
        .withSchema(schema)
        .withConf(c)
        .withDataModel(GenericData.get())
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .withRowGroupSize((long) ROW_GROUP_BYTES)
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .build();
  }

  /** Writes all records to one file. */
  public static void write(Path file, Schema schema, Iterable<GenericRecord> records)
      throws IOException {
    try (ParquetWriter<GenericRecord> w = writer(file, schema)) {
      for (GenericRecord r : records) {
        w.write(r);
      }
    }
  }

  /**
   * Streams the records of a file, or of the row groups whose middle lies in {@code [start, end)}
   * when {@code end > 0} (Parquet's split semantics, so that ranges from {@link #rowGroups} never
   * overlap).
   */
  public static void read(Path file, long start, long end, Consumer<GenericRecord> sink)
      throws IOException {
    read(file.toString(), start, end, sink);
  }

  /** {@link #read(Path, long, long, Consumer)} of a file named by a local path or a URI. */
  public static void read(String file, long start, long end, Consumer<GenericRecord> sink)
      throws IOException {
    Configuration c = conf(file);
    ParquetReader.Builder<GenericRecord> b =
        AvroParquetReader.<GenericRecord>builder(HadoopInputFile.fromPath(hpath(file), c))
            .withDataModel(GenericData.get())
            .withConf(c);
    if (end > 0) {
      b.withFileRange(start, end);
    }
    try (ParquetReader<GenericRecord> r = b.build()) {
      GenericRecord rec;
      while ((rec = r.read()) != null) {
        sink.accept(rec);
      }
    }
  }

  /** Opens a pull-style reader over a whole file; {@code read()} returns null at the end. */
  public static ParquetReader<GenericRecord> open(Path file) throws IOException {
    Configuration c = conf();
    return AvroParquetReader.<GenericRecord>builder(HadoopInputFile.fromPath(hpath(file), c))
        .withDataModel(GenericData.get())
        .withConf(c)
        .build();
  }

  /**
   * {@link #open(Path)} of a file named by a local path or a URI ({@code hdfs://…}, read through
   * {@link HadoopFiles#configuration()}).
   */
  public static ParquetReader<GenericRecord> open(String file) throws IOException {
    Configuration c = conf(file);
    return AvroParquetReader.<GenericRecord>builder(HadoopInputFile.fromPath(hpath(file), c))
        .withDataModel(GenericData.get())
        .withConf(c)
        .build();
  }

  /** The {@code .parquet} files directly inside a folder, sorted by name. */
  public static List<Path> list(Path dir) throws IOException {
    if (!java.nio.file.Files.isDirectory(dir)) {
      return List.of();
    }
    try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
    }
  }

  /**
   * The {@code .parquet} files directly inside a folder named by a local path or a URI ({@code
   * hdfs://…}, listed through Hadoop's file system), sorted by name: local paths or URIs.
   */
  public static List<String> list(String dir) throws IOException {
    if (!HadoopFiles.isRemote(dir)) {
      Path local = dir.startsWith("file:") ? Path.of(java.net.URI.create(dir)) : Path.of(dir);
      return list(local).stream().map(Path::toString).toList();
    }
    java.net.URI uri = java.net.URI.create(dir);
    org.apache.hadoop.fs.FileSystem fs = HadoopFiles.fileSystem(uri);
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
    if (!fs.exists(p) || !fs.getFileStatus(p).isDirectory()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(p)) {
      if (st.isFile() && st.getPath().getName().endsWith(".parquet")) {
        out.add(st.getPath().toString());
      }
    }
    out.sort(java.util.Comparator.comparing(f -> f.substring(f.lastIndexOf('/') + 1)));
    return out;
  }

  /** Streams every record of a file. */
  public static void read(Path file, Consumer<GenericRecord> sink) throws IOException {
    read(file, 0, 0, sink);
  }

  /**
   * Streams only the columns of {@code projection} (a subset of the file's schema): Parquet reads
   * just those column chunks, so scanning labels of a dataset never touches its image bytes.
   */
  public static void readColumns(Path file, Schema projection, Consumer<GenericRecord> sink)
      throws IOException {
    readColumns(file.toString(), projection, sink);
  }

  /**
   * {@link #readColumns(Path, Schema, Consumer)} of a file named by a local path or a URI: only the
   * projected column chunks are read from the remote file.
   */
  public static void readColumns(String file, Schema projection, Consumer<GenericRecord> sink)
      throws IOException {
    Configuration c = conf(file);
    // the projection is turned into a Parquet schema with the file's own list layout, or the
    // file's lists would not match the requested ones
    c.setBoolean(AvroWriteSupport.WRITE_OLD_LIST_STRUCTURE, !threeLevelLists(footer(file, c)));
    AvroReadSupport.setRequestedProjection(c, projection);
    AvroReadSupport.setAvroReadSchema(c, projection);
    try (ParquetReader<GenericRecord> r =
        AvroParquetReader.<GenericRecord>builder(HadoopInputFile.fromPath(hpath(file), c))
            .withDataModel(GenericData.get())
            .withConf(c)
            .build()) {
      GenericRecord rec;
      while ((rec = r.read()) != null) {
        sink.accept(rec);
      }
    }
  }

  /** Reads every record of a file into a list (for small files and tests). */
  public static List<GenericRecord> readAll(Path file) throws IOException {
    List<GenericRecord> out = new ArrayList<>();
    read(file, out::add);
    return out;
  }

  /** A row group: its byte range in the file and how many rows it holds. */
  public record RowGroup(long start, long length, long rows) {}

  /** The row groups of a file, from its footer only. */
  public static List<RowGroup> rowGroups(Path file) throws IOException {
    return rowGroups(file.toString());
  }

  /** The row groups of a file named by a local path or a URI, from its footer only. */
  public static List<RowGroup> rowGroups(String file) throws IOException {
    Configuration c = conf(file);
    try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(hpath(file), c))) {
      List<RowGroup> out = new ArrayList<>();
      for (BlockMetaData b : r.getFooter().getBlocks()) {
        out.add(new RowGroup(b.getStartingPos(), b.getCompressedSize(), b.getRowCount()));
      }
      return out;
    }
  }

  /**
   * The row groups of a file with the uncompressed bytes of one column in each: the top-level
   * column {@code column} and, for a struct, every field beneath it; from the footer only.
   */
  public static List<ColumnInGroup> columnBytes(String file, String column) throws IOException {
    Configuration c = conf(file);
    try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(hpath(file), c))) {
      List<ColumnInGroup> out = new ArrayList<>();
      for (BlockMetaData b : r.getFooter().getBlocks()) {
        long bytes = 0;
        for (org.apache.parquet.hadoop.metadata.ColumnChunkMetaData col : b.getColumns()) {
          if (col.getPath().toArray()[0].equals(column)) {
            bytes += col.getTotalUncompressedSize();
          }
        }
        out.add(
            new ColumnInGroup(
                new RowGroup(b.getStartingPos(), b.getCompressedSize(), b.getRowCount()), bytes));
      }
      return out;
    }
  }

  /** A row group and the uncompressed bytes one column takes in it. */
  public record ColumnInGroup(RowGroup group, long columnBytes) {}

  /** The number of rows of a file, from its footer only. */
  public static long rowCount(Path file) throws IOException {
    return rowCount(file.toString());
  }

  /** {@link #rowCount(Path)} of a file named by a local path or a URI. */
  public static long rowCount(String file) throws IOException {
    return rowGroups(file).stream().mapToLong(RowGroup::rows).sum();
  }

  /**
   * The number of rows of a file on any Hadoop file system ({@code hdfs://…}), from its footer
   * only; {@code c} names the file system.
   */
  public static long rowCount(java.net.URI file, Configuration c) throws IOException {
    try (ParquetFileReader r =
        ParquetFileReader.open(HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file), c))) {
      return r.getFooter().getBlocks().stream().mapToLong(BlockMetaData::getRowCount).sum();
    }
  }

  /** The Parquet schema of a file, from its footer only. */
  public static MessageType parquetSchema(Path file) throws IOException {
    return footer(file, conf());
  }

  private static MessageType footer(Path file, Configuration c) throws IOException {
    return footer(file.toString(), c);
  }

  private static MessageType footer(String file, Configuration c) throws IOException {
    try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(hpath(file), c))) {
      return r.getFooter().getFileMetaData().getSchema();
    }
  }

  /**
   * True when a list in {@code type} has the standard 3-level layout ({@code repeated group list {
   * element }}), false when its lists have the 2-level one or it has none.
   */
  public static boolean threeLevelLists(GroupType type) {
    for (Type f : type.getFields()) {
      if (f.isPrimitive()) {
        continue;
      }
      GroupType g = f.asGroupType();
      if (g.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation
          && g.getFieldCount() == 1) {
        Type repeated = g.getType(0);
        if (!repeated.isPrimitive()
            && repeated.getName().equals("list")
            && repeated.asGroupType().getFieldCount() == 1
            && repeated.asGroupType().getType(0).getName().equals("element")) {
          return true;
        }
      }
      if (threeLevelLists(g)) {
        return true;
      }
    }
    return false;
  }

  /** The Avro schema stored in (or derived from) a file's footer. */
  public static Schema schema(Path file) throws IOException {
    return schema(file.toString());
  }

  /** The Avro schema of a file named by a local path or a URI, from its footer only. */
  public static Schema schema(String file) throws IOException {
    Configuration c = conf(file);
    try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(hpath(file), c))) {
      return new org.apache.parquet.avro.AvroSchemaConverter(c)
          .convert(r.getFooter().getFileMetaData().getSchema());
    }
  }
}
