package dev.facesieve.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.model.EmbedderKey;
import dev.facesieve.model.EmbeddingTable;
import dev.facesieve.model.ModelDirectory;
import dev.facesieve.model.ModelInfo;
import dev.facesieve.model.ModelJson;
import dev.facesieve.model.TrainConfig;
import dev.facesieve.model.Trainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.hadoop.ParquetWriter;

/**
 * Writes a model and an embedding store for a real {@code prepare} output, so that {@code facesieve
 * clean} runs on it with cached embeddings without an ONNX pass (which takes about 30 minutes for
 * 500K faces on 2 cores): {@code bench/default-runner.sh}.
 *
 * <p>Each face's embedding is synthetic: {@code normalize(μ + noise)} around a unit centre μ drawn
 * from a hash of the face's true identity ({@code true_identity}, else its label's identity), with
 * noise of the spread of {@code 0.8·g/√512} (g standard normal; about 39° from μ) seeded by the
 * face id. So a noisy face lies near its true person's centre, as a real embedder would put it. The
 * store has one Parquet file per prepared file, of its name and row order, as {@code clean}'s own
 * pass writes it, and its record beside it is keyed exactly as {@code clean} looks it up: the
 * model's {@link EmbedderKey} and the prepared data's fingerprint. The model is a head-only model
 * on a stand-in ONNX path (never opened, since every face is in the store), trained one step after
 * k-means seeding, so its sub-centres are the class clusters.
 *
 * <p>Usage: {@code StandInEmbeddings --prepared DIR --out DIR}; writes {@code DIR/model}, {@code
 * DIR/embeddings} and {@code DIR/embeddings.json}.
 */
public final class StandInEmbeddings {
  private StandInEmbeddings() {}

  private static final int DIM = 512;

  private static final Schema SCAN =
      SchemaBuilder.record("FaceRecord")
          .namespace("dev.facesieve")
          .fields()
          .requiredString("id")
          .requiredInt("label")
          .requiredString("identity")
          .name("true_identity")
          .type()
          .optional()
          .stringType()
          .endRecord();

  public static void main(String[] argv) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    Map<String, String> a = QualityHarness.parse(argv, 0);
    Path prepared = Path.of(a.get("prepared"));
    Path out = Files.createDirectories(Path.of(a.get("out")));
    PrepareManifest manifest = PrepareManifest.read(prepared);
    Path model = out.resolve("model");
    Path store = out.resolve("embeddings");
    QualityHarness.deleteTree(model);
    QualityHarness.deleteTree(store);
    Files.createDirectories(store);
    long t0 = System.nanoTime();

    Path table = out.resolve("embeddings.f32");
    List<String> files = new ArrayList<>();
    long[] n = {0};
    EmbeddingTable t;
    try (EmbeddingTable.Writer tw = EmbeddingTable.writer(table, DIM)) {
      for (Path f : ParquetFiles.list(prepared.resolve("faces"))) {
        files.add(f.getFileName().toString());
        try (ParquetWriter<GenericRecord> w =
            ParquetFiles.writer(store.resolve(f.getFileName()), CleanSchemas.EMBEDDING)) {
          ParquetFiles.readColumns(
              f,
              SCAN,
              r -> {
                String id = r.get("id").toString();
                int label = (Integer) r.get("label");
                Object truth = r.get("true_identity");
                String person = (truth == null ? r.get("identity") : truth).toString();
                float[] v = embedding(person, id);
                GenericRecord e = new GenericData.Record(CleanSchemas.EMBEDDING);
                e.put("id", id);
                e.put("label", label);
                e.put("vector", FaceSchemas.floatList(v));
                try {
                  w.write(e);
                  tw.add(label, v);
                } catch (IOException x) {
                  throw new java.io.UncheckedIOException(x);
                }
                n[0]++;
              });
        }
      }
      t = tw.finish();
    }
    double writeSecs = (System.nanoTime() - t0) / 1e9;

    int classes = manifest.labels().isEmpty() ? 0 : manifest.labels().lastKey() + 1;
    Path onnxStandIn = out.resolve("stand-in-embedder.txt");
    Files.writeString(onnxStandIn, "synthetic embeddings (StandInEmbeddings), never opened\n");
    TrainConfig config =
        TrainConfig.builder()
            .setBackbone("onnx:" + onnxStandIn)
            .setEmbeddingSize(DIM)
            .setSubCenters(3)
            .setEpochs(1)
            .setBatchSize(512)
            .setSampleRate(0.1)
            .setCheckpointEvery(1_000_000)
            .setSeed(7)
            .build();
    long t1 = System.nanoTime();
    try (Trainer tr = new Trainer(config, null, model, classes, n[0])) {
      tr.useEmbeddings(t);
      try {
        tr.train(
            false,
            info -> {
              throw new ScaleBenchmark.Enough();
            });
      } catch (ScaleBenchmark.Enough e) {
        // k-means seeding and one step are enough for a head
      }
      ModelDirectory.write(
          model,
          config,
          tr,
          new TreeMap<>(manifest.labels()),
          new ModelJson.Provenance(null, null, null, manifest.fingerprint(), n[0]),
          List.of());
    }
    t.close();
    Files.deleteIfExists(table);
    double modelSecs = (System.nanoTime() - t1) / 1e9;

    // the store's record, keyed as EmbeddingCache looks it up
    Map<String, Object> marker = new LinkedHashMap<>();
    marker.put("data_fingerprint", manifest.fingerprint());
    marker.put("embedder", onnxStandIn.toAbsolutePath().toString());
    marker.put("embedder_sha256", EmbedderKey.of(ModelInfo.read(model)).sha256());
    marker.put("files", files);
    marker.put("kind", "embeddings");
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(out.resolve("embeddings.json").toFile(), marker);
    System.out.printf(
        Locale.ROOT,
        "{\"faces\": %d, \"classes\": %d, \"store_seconds\": %.1f, \"model_seconds\": %.1f}%n",
        n[0],
        classes,
        writeSecs,
        modelSecs);
  }

  /** Unit centres by person, drawn once each. */
  private static final Map<String, float[]> CENTRES = new HashMap<>();

  /**
   * A unit vector near the centre of {@code person}, its noise seeded by {@code id}: uniform noise
   * of the same variance as {@code 0.8·g/√D} (the stage's cost does not depend on its shape).
   */
  static float[] embedding(String person, String id) {
    float[] c = CENTRES.computeIfAbsent(person, StandInEmbeddings::centre);
    SplittableRandom g = new SplittableRandom(hash(id));
    float[] v = new float[DIM];
    double spread = 0.8 / Math.sqrt(DIM) * Math.sqrt(12);
    double norm = 0;
    for (int j = 0; j < DIM; j++) {
      double x = c[j] + spread * (g.nextDouble() - 0.5);
      v[j] = (float) x;
      norm += x * x;
    }
    float s = (float) (1 / Math.sqrt(norm));
    for (int j = 0; j < DIM; j++) {
      v[j] *= s;
    }
    return v;
  }

  private static float[] centre(String person) {
    SplittableRandom r = new SplittableRandom(hash(person));
    float[] c = new float[DIM];
    double norm = 0;
    for (int j = 0; j < DIM; j++) {
      double x = gaussian(r);
      c[j] = (float) x;
      norm += x * x;
    }
    float s = (float) (1 / Math.sqrt(norm));
    for (int j = 0; j < DIM; j++) {
      c[j] *= s;
    }
    return c;
  }

  private static long hash(String s) {
    long h = 1125899906842597L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h = 31 * h + b;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h;
  }

  private static double gaussian(SplittableRandom r) {
    double u = r.nextDouble();
    double w = r.nextDouble();
    return Math.sqrt(-2 * Math.log(Math.max(u, 1e-300))) * Math.cos(2 * Math.PI * w);
  }
}
