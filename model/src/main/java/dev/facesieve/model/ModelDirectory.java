package dev.facesieve.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.parquet.ParquetFiles;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Writes and reads a model directory: everything cleaning needs.
 *
 * <ul>
 *   <li>{@code model.json}: architecture (backbone name, or the ONNX path and its SHA-256), K, s,
 *       m1/m2/m3, D, preprocessing, class → identity names, the data fingerprint, per-epoch
 *       metrics, seed and options;
 *   <li>{@code centres.parquet}: {@code class, sub_center, identity, vector} with unit-length
 *       vectors in class-major order (row {@code c·K + k});
 *   <li>{@code backbone.params} (trained backbones) and {@code head.params} (DJL parameter files).
 * </ul>
 */
public final class ModelDirectory {
  private ModelDirectory() {}

  public static final String MODEL_JSON = "model.json";

  static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  /** Schema of {@code centres.parquet}. */
  public static final Schema CENTRES = dev.facesieve.datasets.CleanSchemas.CENTRES;

  /** Writes parameters, centres and, last, {@code model.json}. */
  public static void write(
      Path dir,
      TrainConfig config,
      Trainer trainer,
      Map<Integer, String> identities,
      Map<String, Object> provenance,
      List<Trainer.EpochMetrics> metrics)
      throws IOException {
    Files.createDirectories(dir);
    Files.deleteIfExists(dir.resolve(MODEL_JSON));
    if (trainer.backbone() != null) {
      try (DataOutputStream o =
          new DataOutputStream(Files.newOutputStream(dir.resolve("backbone.params")))) {
        trainer.backbone().saveParameters(o);
      }
    }
    try (DataOutputStream o =
        new DataOutputStream(Files.newOutputStream(dir.resolve("head.params")))) {
      trainer.head().saveParameters(o);
    }
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

    Map<String, Object> m = new LinkedHashMap<>(provenance);
    Map<String, Object> arch = new LinkedHashMap<>();
    arch.put("backbone", config.headOnly() ? "onnx" : config.backbone());
    if (config.headOnly()) {
      arch.put("onnx", config.onnxFile().toAbsolutePath().toString());
      arch.put("onnx_sha256", sha256(config.onnxFile()));
    }
    arch.put("embedding_size", d);
    arch.put("sub_centers", k);
    arch.put("classes", head.classes());
    arch.put("scale", config.margin().scale());
    arch.put("m1", config.margin().m1());
    arch.put("m2", config.margin().m2());
    arch.put("m3", config.margin().m3());
    m.put("architecture", arch);
    Preprocessing p = config.effectivePreprocessing();
    m.put(
        "preprocessing",
        Map.of("size", p.size(), "channels", p.channels(), "mean", p.mean(), "scale", p.scale()));
    Map<String, Object> opts = new LinkedHashMap<>();
    opts.put("epochs", config.epochs());
    opts.put("batch_size", config.batchSize());
    opts.put("learning_rate", config.learningRate());
    opts.put("momentum", config.momentum());
    opts.put("weight_decay", config.weightDecay());
    opts.put("warmup_epochs", config.warmupEpochs());
    opts.put("sample_rate", config.sampleRate());
    opts.put("seed", config.seed());
    m.put("training", opts);
    List<Map<String, Object>> em = new ArrayList<>();
    for (Trainer.EpochMetrics e : metrics) {
      em.add(
          Map.of(
              "epoch",
              e.epoch(),
              "loss",
              e.loss(),
              "accuracy",
              e.accuracy(),
              "images_per_second",
              e.imagesPerSecond()));
    }
    m.put("epochs", em);
    Map<String, String> names = new java.util.TreeMap<>();
    identities.forEach((c, n) -> names.put(Integer.toString(c), n));
    m.put("identities", names);
    Path tmp = dir.resolve(".model.json.tmp");
    JSON.writeValue(tmp.toFile(), m);
    Files.move(tmp, dir.resolve(MODEL_JSON), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
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

  static String sha256(Path file) throws IOException {
    return com.google.common.hash.Hashing.sha256().hashBytes(Files.readAllBytes(file)).toString();
  }
}
