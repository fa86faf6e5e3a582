package dev.facesieve.datasets.input;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.io.HadoopFiles;
import dev.facesieve.datasets.parquet.ParquetFiles;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Plans Parquet input (one file, or every {@code .parquet} file under a folder) from the files'
 * footers: whole row groups are gathered into shards of at least the shard size.
 */
final class ParquetPlanner {
  private ParquetPlanner() {}

  static InputPlan plan(
      InputPlanner.Spec spec, Map<String, float[]> landmarks, Map<String, SideFiles.Truth> truth) {
    Path in = spec.input();
    List<Path> files;
    if (Files.isDirectory(in)) {
      try (Stream<Path> s = Files.walk(in)) {
        files =
            s.filter(p -> p.toString().toLowerCase(Locale.ROOT).endsWith(".parquet"))
                .filter(Files::isRegularFile)
                .sorted()
                .toList();
      } catch (IOException e) {
        throw new InputException(in, "cannot list folder: " + e.getMessage(), e);
      }
      if (files.isEmpty()) {
        throw new InputException(in, "no .parquet files in this folder");
      }
    } else {
      files = List.of(in);
    }
    // absolute, as every file is made absolute before it is named relative to the base
    Path base = (Files.isDirectory(in) ? in : in.toAbsolutePath().getParent()).toAbsolutePath();
    List<String[]> named = new ArrayList<>();
    for (Path f : files) {
      named.add(
          new String[] {
            f.toAbsolutePath().toString(),
            base.normalize().relativize(f.toAbsolutePath().normalize()).toString()
          });
    }
    return build(
        in.toString(), named, files, List.of(), spec.shardSize(), spec.columns(), landmarks, truth);
  }

  /**
   * Plans Parquet input on a Hadoop file system ({@code hdfs://…}): one file, or every {@code
   * .parquet} file under a folder (Hadoop's recursive listing), as {@link #plan} does locally; the
   * shards name each file by its URI.
   */
  static InputPlan planRemote(
      URI in,
      int shardSize,
      ColumnMapping columns,
      Map<String, float[]> landmarks,
      Map<String, SideFiles.Truth> truth) {
    String where = in.toString();
    List<String[]> named = new ArrayList<>();
    List<URI> uris = new ArrayList<>();
    try {
      FileSystem fs = HadoopFiles.fileSystem(in);
      org.apache.hadoop.fs.Path root = fs.makeQualified(new org.apache.hadoop.fs.Path(in));
      FileStatus status;
      try {
        status = fs.getFileStatus(root);
      } catch (FileNotFoundException e) {
        throw new InputException(where, "input not found");
      }
      if (status.isDirectory()) {
        String prefix = root.toUri().getPath().replaceAll("/+$", "") + "/";
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
        java.util.SortedMap<String, URI> found = new TreeMap<>();
        while (it.hasNext()) {
          LocatedFileStatus f = it.next();
          String path = f.getPath().toUri().getPath();
          if (f.isFile() && path.toLowerCase(Locale.ROOT).endsWith(".parquet")) {
            found.put(path.substring(prefix.length()), fs.makeQualified(f.getPath()).toUri());
          }
        }
        if (found.isEmpty()) {
          throw new InputException(where, "no .parquet files in this folder");
        }
        found.forEach(
            (name, uri) -> {
              named.add(new String[] {uri.toString(), name});
              uris.add(uri);
            });
      } else {
        URI uri = root.toUri();
        named.add(new String[] {uri.toString(), root.getName()});
        uris.add(uri);
      }
    } catch (IOException e) {
      throw new InputException(where, "cannot read: " + e.getMessage(), e);
    }
    return build(where, named, List.of(), uris, shardSize, columns, landmarks, truth);
  }

  /**
   * The shards of Parquet files, each given as {@code {file, name}}: the path or URI the shard
   * reads, and the name recorded in {@code source.file}.
   */
  private static InputPlan build(
      String in,
      List<String[]> named,
      List<Path> files,
      List<URI> remoteFiles,
      int shardSize,
      ColumnMapping columns,
      Map<String, float[]> landmarks,
      Map<String, SideFiles.Truth> truth) {
    List<InputShard> shards = new ArrayList<>();
    long rows = 0;
    for (String[] fn : named) {
      String f = fn[0];
      String name = fn[1];
      List<ParquetFiles.RowGroup> groups;
      try {
        checkColumns(f, ParquetFiles.schema(f), columns);
        groups = ParquetFiles.rowGroups(f);
      } catch (IOException | RuntimeException e) {
        if (e instanceof InputException ie) {
          throw ie;
        }
        throw new InputException(f, "not a readable Parquet file: " + e.getMessage(), e);
      }
      long row = 0;
      long budget = 0;
      long start = -1;
      long firstRow = 0;
      for (ParquetFiles.RowGroup g : groups) {
        if (start < 0) {
          start = g.start();
          firstRow = row;
        }
        budget += g.rows();
        row += g.rows();
        rows += g.rows();
        if (budget >= shardSize) {
          shards.add(
              shard(f, name, start, g.start() + g.length(), firstRow, columns, landmarks, truth));
          start = -1;
          budget = 0;
        }
      }
      if (start >= 0) {
        long end = groups.get(groups.size() - 1).start() + groups.get(groups.size() - 1).length();
        shards.add(shard(f, name, start, end, firstRow, columns, landmarks, truth));
      }
    }
    if (rows == 0) {
      throw new InputException(
          in,
          named.size() == 1
              ? "no rows: the Parquet file is empty"
              : "no rows in any of its " + named.size() + " .parquet files");
    }
    return new InputPlan(
        InputFormat.PARQUET, in, shards, files, null, new TreeMap<>(), Map.of(), remoteFiles);
  }

  /**
   * Refuses a file whose image or label column is missing or of a type no row could be read with:
   * one bad column would otherwise quarantine every row, or fail the run halfway.
   */
  private static void checkColumns(String f, Schema schema, ColumnMapping columns) {
    Schema image = column(f, schema, columns.image(), "--image-column");
    Schema label = column(f, schema, columns.label(), "--label-column");
    Schema imageBytes =
        image.getType() == Schema.Type.RECORD && image.getField("bytes") != null
            ? nonNull(image.getField("bytes").schema())
            : image;
    if (imageBytes.getType() != Schema.Type.BYTES && imageBytes.getType() != Schema.Type.FIXED) {
      throw new InputException(
          f,
          "column '"
              + columns.image()
              + "' is "
              + describe(image)
              + ", not encoded image bytes (binary, or a struct with a binary 'bytes' field);"
              + " name the image column with --image-column");
    }
    switch (label.getType()) {
      case INT, LONG, FLOAT, DOUBLE -> {}
      default ->
          throw new InputException(
              f,
              "column '"
                  + columns.label()
                  + "' is "
                  + describe(label)
                  + ", not integer class labels; name the label column with --label-column");
    }
  }

  private static Schema column(String f, Schema schema, String name, String option) {
    Schema.Field field = schema.getField(name);
    if (field == null) {
      throw new InputException(
          f,
          "no column '"
              + name
              + "' (columns: "
              + schema.getFields().stream().map(Schema.Field::name).toList()
              + "); see "
              + option);
    }
    return nonNull(field.schema());
  }

  /** The type of an optional column (a union with null), or the type itself. */
  private static Schema nonNull(Schema s) {
    if (s.getType() != Schema.Type.UNION) {
      return s;
    }
    List<Schema> types =
        s.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).toList();
    return types.size() == 1 ? types.get(0) : s;
  }

  private static String describe(Schema s) {
    return switch (s.getType()) {
      case RECORD -> "a struct";
      case ARRAY -> "a list";
      case MAP -> "a map";
      case UNION -> "a union";
      default -> s.getType().getName();
    };
  }

  private static InputShard shard(
      String f,
      String name,
      long start,
      long end,
      long firstRow,
      ColumnMapping columns,
      Map<String, float[]> landmarks,
      Map<String, SideFiles.Truth> truth) {
    // Ids of Parquet rows are only known once read, so the shard gets the whole side maps only
    // when they are small; large side files with Parquet input should be columns instead.
    SideInfo side =
        landmarks.isEmpty() && truth.isEmpty() ? SideInfo.NONE : new SideInfo(landmarks, truth);
    return new InputShard.Parquet(f, name, start, end, firstRow, columns, null, side);
  }
}
