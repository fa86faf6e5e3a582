package dev.facesieve.bench;

import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.model.ModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.generic.GenericRecord;

/**
 * Damages a copy of a finished {@code facesieve run} the way issue #29's adversarial run did, for
 * {@code bench/integrity.sh}: {@code shuffle} moves every stored vector to the next row, {@code
 * nan5} makes 5 stored vectors NaN, {@code centres-nan} makes 2 sub-centre rows NaN, {@code
 * centres-k2} keeps 2 of each class's 3 sub-centres.
 *
 * <p>Usage: {@code DamageRun <run folder> <damage>}.
 */
public final class DamageRun {
  private DamageRun() {}

  public static void main(String[] args) throws Exception {
    Path run = Path.of(args[0]);
    switch (args[1]) {
      case "shuffle" -> store(run, DamageRun::shuffle);
      case "nan5" -> store(run, rows -> nan(rows, 5));
      case "centres-nan" -> centres(run, rows -> nan(rows, 2));
      case "centres-k2" ->
          centres(
              run,
              rows ->
                  new ArrayList<>(
                      rows.stream().filter(r -> (Integer) r.get("sub_center") < 2).toList()));
      default -> throw new IllegalArgumentException("unknown damage " + args[1]);
    }
  }

  private interface Damage {
    List<GenericRecord> apply(List<GenericRecord> rows);
  }

  private static void store(Path run, Damage d) throws Exception {
    for (Path f : ParquetFiles.list(run.resolve("embeddings"))) {
      List<GenericRecord> rows = d.apply(ParquetFiles.readAll(f));
      Files.delete(f);
      ParquetFiles.write(f, CleanSchemas.EMBEDDING, rows);
      d = rows2 -> rows2; // damage the first file only
    }
  }

  private static void centres(Path run, Damage d) throws Exception {
    Path f = run.resolve("model/centres.parquet");
    List<GenericRecord> rows = d.apply(ParquetFiles.readAll(f));
    Files.delete(f);
    ParquetFiles.write(f, ModelDirectory.CENTRES, rows);
  }

  private static List<GenericRecord> shuffle(List<GenericRecord> rows) {
    List<Object> vectors = rows.stream().map(r -> r.get("vector")).toList();
    for (int i = 0; i < rows.size(); i++) {
      rows.get(i).put("vector", vectors.get((i + 1) % rows.size()));
    }
    return rows;
  }

  private static List<GenericRecord> nan(List<GenericRecord> rows, int n) {
    for (GenericRecord r : rows.subList(0, Math.min(n, rows.size()))) {
      float[] v = new float[FaceSchemas.floats(r.get("vector")).length];
      Arrays.fill(v, Float.NaN);
      r.put("vector", FaceSchemas.floatList(v));
    }
    return rows;
  }
}
