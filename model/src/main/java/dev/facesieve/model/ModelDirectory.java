package dev.facesieve.model;

import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.datasets.io.LocalFiles;
import dev.facesieve.datasets.parquet.ParquetFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.annotation.Nullable;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Writes and reads a model directory: everything cleaning needs.
 *
 * <ul>
 *   <li>{@code model.json} ({@link ModelJson}): architecture (backbone name, or the ONNX path and
 *       its SHA-256), K, s, m1/m2/m3, D, preprocessing, class → identity names, the data
 *       fingerprint, per-epoch metrics, seed and options;
 *   <li>{@code centres.parquet}: {@code class, sub_center, identity, vector} with unit-length
 *       vectors in class-major order (row {@code c·K + k});
 *   <li>{@code backbone.params} (trained backbones) and {@code head.params} (DJL parameter files).
 * </ul>
 */
public final class ModelDirectory {
  private ModelDirectory() {}

  public static final String MODEL_JSON = "model.json";

  /** Schema of {@code centres.parquet}. */
  public static final Schema CENTRES = dev.facesieve.datasets.CleanSchemas.CENTRES;

  /** Writes parameters, centres and, last, {@code model.json}. */
  public static void write(
      Path dir,
      TrainConfig config,
      Trainer trainer,
      Map<Integer, String> identities,
      ModelJson.Provenance provenance,
      List<Trainer.EpochMetrics> metrics)
      throws IOException {
    write(dir, config, trainer, identities, provenance, metrics, null);
  }

  /** {@link #write}, recording head-only training's {@code embeddings}. */
  public static void write(
      Path dir,
      TrainConfig config,
      Trainer trainer,
      Map<Integer, String> identities,
      ModelJson.Provenance provenance,
      List<Trainer.EpochMetrics> metrics,
      @Nullable ModelJson.Embeddings embeddings)
      throws IOException {
    Files.createDirectories(dir);
    Files.deleteIfExists(dir.resolve(MODEL_JSON));
    trainer.saveParameters(dir);
    SubCenterArcFace head = trainer.head();
    int k = head.subCenters();
    int d = head.embeddingSize();
    float[] w = head.weight().getArray().toFloatArray();
    List<GenericRecord> rows = new ArrayList<>();
    for (int c = 0; c < head.classes(); c++) {
      for (int j = 0; j < k; j++) {
        float[] v = new float[d];
        System.arraycopy(w, (c * k + j) * d, v, 0, d);
        Embedder.normalizeRows(new float[][] {v});
        GenericRecord r = new GenericData.Record(CENTRES);
        r.put("class", c);
        r.put("sub_center", j);
        r.put("identity", identities.getOrDefault(c, Integer.toString(c)));
        r.put("vector", FaceSchemas.floatList(v));
        rows.add(r);
      }
    }
    ParquetFiles.write(dir.resolve("centres.parquet"), CENTRES, rows);

    String onnx = null;
    String onnxSha256 = null;
    if (config.backbone() instanceof BackboneSpec.FrozenOnnx f) {
      onnx = f.file().toAbsolutePath().toString();
      onnxSha256 = LocalFiles.sha256(f.file());
    }
    Margin m = config.margin();
    ModelJson.Architecture arch =
        new ModelJson.Architecture(
            config.backbone().architectureName(),
            head.classes(),
            d,
            m.m1(),
            m.m2(),
            m.m3(),
            onnx,
            onnxSha256,
            m.scale(),
            k,
            Files.isRegularFile(dir.resolve("backbone.params"))
                ? LocalFiles.sha256(dir.resolve("backbone.params"))
                : null,
            LocalFiles.sha256(dir.resolve("centres.parquet")));
    Map<String, String> names = new TreeMap<>();
    identities.forEach((c, n) -> names.put(Integer.toString(c), n));
    ModelJson json =
        new ModelJson(
            arch,
            provenance.data(),
            provenance.dataFingerprint(),
            List.copyOf(metrics),
            provenance.facesieveVersion(),
            names,
            provenance.images(),
            config.effectivePreprocessing(),
            provenance.stage(),
            ModelJson.Training.of(config),
            embeddings);
    LocalFiles.writeAtomically(dir.resolve(MODEL_JSON), StageJson.write(json));
  }

  /** Reads a finished model directory's {@code model.json}. */
  public static ModelJson readJson(Path dir) throws IOException {
    return StageJson.read(dir.resolve(MODEL_JSON), ModelJson.class);
  }

  /** Reads {@code centres.parquet} into a {@code (C·K) × D} array, class-major. */
  public static float[][] readCentres(Path dir) throws IOException {
    List<GenericRecord> rows = ParquetFiles.readAll(dir.resolve("centres.parquet"));
    float[][] out = new float[rows.size()][];
    for (int row = 0; row < out.length; row++) {
      out[row] = FaceSchemas.floats(rows.get(row).get("vector"));
    }
    return out;
  }
}
