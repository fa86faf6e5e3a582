package dev.facesieve.model;

import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.io.HadoopFiles;
import dev.facesieve.datasets.io.LocalFiles;
import dev.facesieve.datasets.parquet.ParquetFiles;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.annotation.Nullable;
import org.apache.avro.generic.GenericRecord;

/**
 * Checks that a model directory's files are what its {@code model.json} says, before anything is
 * decided with them: the sub-centres' hash, shape and values, and the backbone's hash (a trained
 * backbone's only when its file is there: a cleaning on stored embeddings runs without it).
 *
 * <p>{@code centres.parquet} must hold C·K rows in class-major order (row {@code c·K + k} is class
 * {@code c}, sub-centre {@code k}), each of D finite values that are not all zero. A NaN row makes
 * every cosine NaN and the rule keeps the faces; K=2 rows read with K=3 file sub-centres under the
 * wrong classes. The SHA-256s are those training recorded ({@code centres_sha256}, {@code
 * onnx_sha256}, {@code backbone_sha256}); a model written before a hash was recorded is checked for
 * shape and values only.
 */
public final class ModelCheck {
  private ModelCheck() {}

  /**
   * Checks the model directory {@code directory} (a local path or a URI) against {@code m}.
   *
   * @throws InputException naming the file and what is wrong with it
   */
  public static void check(String directory, ModelJson m) throws IOException {
    ModelJson.Architecture a = m.architecture();
    String centres = join(directory, "centres.parquet");
    if (!exists(centres)) {
      throw new InputException(centres, "missing: the model directory is incomplete");
    }
    same(centres, a.centresSha256(), "training wrote it");
    checkCentres(centres, a.classes(), a.subCenters(), a.embeddingSize());
    if (a.onnx() != null) {
      if (!exists(a.onnx())) {
        throw new InputException(a.onnx(), "the model's ONNX backbone is missing");
      }
      same(a.onnx(), a.onnxSha256(), "the model was trained with it");
    }
    // a trained backbone is needed only to embed: a cleaning on stored embeddings runs without it
    String params = join(directory, "backbone.params");
    if (a.backboneSha256() != null && a.onnx() == null && exists(params)) {
      same(params, a.backboneSha256(), "training wrote it");
    }
  }

  /**
   * Streams {@code centres.parquet} and checks its rows: count, order, dimension, values.
   *
   * @throws InputException at the first row that is wrong
   */
  static void checkCentres(String file, int classes, int k, int d) throws IOException {
    long expected = (long) classes * k;
    long[] row = {0};
    ParquetFiles.read(
        file,
        0,
        0,
        r -> {
          long i = row[0]++;
          if (i < expected) {
            String problem = rowProblem(r, (int) (i / k), (int) (i % k), k, d);
            if (problem != null) {
              throw new InputException(file, "row " + i + " " + problem);
            }
          }
        });
    if (row[0] != expected) {
      throw new InputException(
          file,
          String.format(
              Locale.ROOT,
              "holds %d rows, but model.json says %d classes × %d sub-centres = %d",
              row[0],
              classes,
              k,
              expected));
    }
  }

  /**
   * What is wrong with a centre row expected to be class {@code c}, sub-centre {@code k} of {@code
   * subCenters}.
   */
  @Nullable
  private static String rowProblem(GenericRecord r, int c, int k, int subCenters, int d) {
    int cls = (Integer) r.get("class");
    int sub = (Integer) r.get("sub_center");
    if (cls != c || sub != k) {
      return String.format(
          Locale.ROOT,
          "is class %d, sub-centre %d where model.json (K=%d) puts class %d, sub-centre %d",
          cls,
          sub,
          subCenters,
          c,
          k);
    }
    float[] v = FaceSchemas.floats(r.get("vector"));
    if (v.length != d) {
      return String.format(
          Locale.ROOT, "has %d values, but model.json says %d dimensions", v.length, d);
    }
    boolean zero = true;
    for (float x : v) {
      if (!Float.isFinite(x)) {
        return "(class " + c + ", sub-centre " + k + ") has a value that is not finite: " + x;
      }
      zero &= x == 0f;
    }
    return zero ? "(class " + c + ", sub-centre " + k + ") is all zeros" : null;
  }

  private static void same(String file, @Nullable String recorded, String when) throws IOException {
    if (recorded != null && !recorded.equals(sha256(file))) {
      throw new InputException(
          file, "changed since " + when + " (its SHA-256 differs from model.json's)");
    }
  }

  private static String join(String dir, String name) {
    return HadoopFiles.isRemote(dir) ? dir + "/" + name : Path.of(dir).resolve(name).toString();
  }

  private static boolean exists(String file) throws IOException {
    if (HadoopFiles.isRemote(file)) {
      URI u = URI.create(file);
      return HadoopFiles.fileSystem(u).exists(new org.apache.hadoop.fs.Path(u));
    }
    return Files.isRegularFile(Path.of(file));
  }

  private static String sha256(String file) throws IOException {
    return HadoopFiles.isRemote(file)
        ? HadoopFiles.sha256(URI.create(file))
        : LocalFiles.sha256(Path.of(file));
  }
}
