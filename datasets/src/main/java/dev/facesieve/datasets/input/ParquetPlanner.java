package dev.facesieve.datasets.input;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.parquet.ParquetFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;

/**
 * Plans Parquet input (one file, or every {@code .parquet} file under a folder) from the files'
 * footers: whole row groups are gathered into shards of at least the shard size.
 */
final class ParquetPlanner {
  private ParquetPlanner() {}

  static InputPlan plan(
      InputPlanner.Spec spec, Map<String, float[]> landmarks, Map<String, NoiseKind> truth) {
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
    List<InputShard> shards = new ArrayList<>();
    Path base = Files.isDirectory(in) ? in : in.toAbsolutePath().getParent();
    for (Path f : files) {
      List<ParquetFiles.RowGroup> groups;
      try {
        Schema schema = ParquetFiles.schema(f);
        for (String col : new String[] {spec.columns().image(), spec.columns().label()}) {
          if (schema.getField(col) == null) {
            throw new InputException(
                f,
                "no column '"
                    + col
                    + "' (columns: "
                    + schema.getFields().stream().map(Schema.Field::name).toList()
                    + "); see --image-column");
          }
        }
        groups = ParquetFiles.rowGroups(f);
      } catch (IOException | RuntimeException e) {
        if (e instanceof InputException ie) {
          throw ie;
        }
        throw new InputException(f, "not a readable Parquet file: " + e.getMessage(), e);
      }
      String name = base.relativize(f.toAbsolutePath()).toString();
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
        if (budget >= spec.shardSize()) {
          shards.add(
              shard(f, name, start, g.start() + g.length(), firstRow, spec, landmarks, truth));
          start = -1;
          budget = 0;
        }
      }
      if (start >= 0) {
        long end = groups.get(groups.size() - 1).start() + groups.get(groups.size() - 1).length();
        shards.add(shard(f, name, start, end, firstRow, spec, landmarks, truth));
      }
    }
    return new InputPlan(InputFormat.PARQUET, in, shards, files, null, new TreeMap<>(), Map.of());
  }

  private static InputShard shard(
      Path f,
      String name,
      long start,
      long end,
      long firstRow,
      InputPlanner.Spec spec,
      Map<String, float[]> landmarks,
      Map<String, NoiseKind> truth) {
    // Ids of Parquet rows are only known once read, so the shard gets the whole side maps only
    // when they are small; large side files with Parquet input should be columns instead.
    SideInfo side =
        landmarks.isEmpty() && truth.isEmpty() ? SideInfo.NONE : new SideInfo(landmarks, truth);
    return new InputShard.Parquet(
        f.toAbsolutePath().toString(), name, start, end, firstRow, spec.columns(), null, side);
  }
}
