package dev.facesieve.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.SourceRef;
import dev.facesieve.datasets.clean.ClassScorer;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.clean.DropReason;
import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.model.EmbeddingTable;
import dev.facesieve.model.ModelDirectory;
import dev.facesieve.model.ModelInfo;
import dev.facesieve.model.ModelJson;
import dev.facesieve.model.TrainConfig;
import dev.facesieve.model.Trainer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.hadoop.ParquetWriter;

/**
 * Scale run: C classes × n synthetic 512-d embeddings through head-only sub-center training with
 * Partial FC and the cleaning decision, in one JVM, reporting wall time and peak memory per phase.
 *
 * <p>Each class has a random unit centre μ_c; a clean sample is {@code normalize(μ_c + τ·g/√D)}
 * with g standard normal (about 39° from μ_c at τ = 0.8). Two of every ten samples are noise: one
 * drawn around the centre of a fixed partner class (close-set, coherent) and one around a centre
 * belonging to no class (open-set). Centres are regenerated from the seed, never stored, and the
 * embeddings go straight to an {@link EmbeddingTable} file, so the generator's memory does not grow
 * with C·n.
 *
 * <p>Training runs {@code --steps} steps (k-means seeding of every class first, as in every
 * head-only run); the per-step time gives the full-epoch estimate. Cleaning streams the table class
 * by class through the same {@link ClassScorer} and {@link CleaningPolicy} as {@code facesieve
 * clean} (drop-py, 75°).
 *
 * <p>With {@code --stage-inputs DIR} it also writes what the real {@code facesieve clean} stage
 * reads, so that {@code bench/scale.sh} can run the Beam stage on the same records: {@code
 * DIR/prepared} (a prepare output: manifest with counts, labels, ground truth and a fingerprint,
 * and faces whose image is one shared 8×8 PNG, since cleaning with cached embeddings never decodes
 * them), {@code DIR/model} (the trained head, by {@link ModelDirectory#write}) and {@code
 * DIR/embeddings} (the embedding cache, with {@code DIR/embeddings.json} beside it marking it as
 * computed by that model on that data).
 */
public final class ScaleBenchmark {
  private ScaleBenchmark() {}

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Stops training after a fixed number of steps (also used by {@link StandInEmbeddings}). */
  static final class Enough extends RuntimeException {
    Enough() {
      super(null, null, false, false);
    }
  }

  public static void main(String[] argv) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    Map<String, String> a = QualityHarness.parse(argv, 0);
    int classes = Integer.parseInt(a.get("classes"));
    int perClass = Integer.parseInt(a.getOrDefault("per-class", "10"));
    int dim = Integer.parseInt(a.getOrDefault("dim", "512"));
    int steps = Integer.parseInt(a.getOrDefault("steps", "50"));
    int batch = Integer.parseInt(a.getOrDefault("batch", "512"));
    double rate = Double.parseDouble(a.getOrDefault("sample-rate", "0.1"));
    Path work = Files.createDirectories(Path.of(a.get("work")));
    long seed = 7;
    int n = classes * perClass;

    long t0 = System.nanoTime();
    int[] labels = new int[n];
    boolean[] noisy = new boolean[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i / perClass;
      noisy[i] = i % perClass >= perClass - 2;
    }
    Path file = work.resolve("embeddings.f32");
    EmbeddingTable table =
        EmbeddingTable.write(file, () -> generator(classes, perClass, dim, seed), labels, dim);
    double genSecs = (System.nanoTime() - t0) / 1e9;
    long genHeap = usedHeapMb();

    Path onnxStandIn = work.resolve("synthetic-embedder.txt");
    Files.writeString(onnxStandIn, "synthetic embeddings, ScaleBenchmark seed " + seed + "\n");
    TrainConfig config =
        TrainConfig.builder()
            .setBackbone("onnx:" + onnxStandIn)
            .setEmbeddingSize(dim)
            .setSubCenters(3)
            .setEpochs(1)
            .setBatchSize(batch)
            .setSampleRate(rate)
            .setCheckpointEvery(1_000_000)
            .setSeed(seed)
            .build();
    long t1 = System.nanoTime();
    long t2;
    long[] seeded = new long[1];
    long[] done = new long[1];
    float[][] centres;
    String stageInputs = a.get("stage-inputs");
    Path model =
        stageInputs == null ? work.resolve("model") : Path.of(stageInputs).resolve("model");
    QualityHarness.deleteTree(model);
    String fingerprint = "scale-benchmark-seed-" + seed + "-classes-" + classes + "-n-" + perClass;
    try (Trainer t = new Trainer(config, null, model, classes, n)) {
      t.useEmbeddings(table);
      try {
        t.train(
            false,
            info -> {
              if (info.step() == 1) {
                seeded[0] = System.nanoTime();
              }
              done[0] = info.step();
              if (info.step() >= steps) {
                throw new Enough();
              }
            });
      } catch (Enough e) {
        // the requested steps are done
      }
      t2 = System.nanoTime();
      if (stageInputs != null) {
        Map<Integer, String> names = new TreeMap<>();
        for (int c = 0; c < classes; c++) {
          names.put(c, identity(c));
        }
        ModelDirectory.write(
            model,
            config,
            t,
            names,
            new ModelJson.Provenance(null, null, null, fingerprint, null),
            List.of());
      }
      float[] w = t.head().weight().getArray().toFloatArray();
      centres = new float[classes * 3][dim];
      for (int i = 0; i < centres.length; i++) {
        System.arraycopy(w, i * dim, centres[i], 0, dim);
        QualityHarness.normalize(centres[i]);
      }
    }
    // the first step includes k-means seeding of every class; time the rest per step
    double stepSecs = done[0] > 1 ? (t2 - seeded[0]) / 1e9 / (done[0] - 1) : Double.NaN;
    double trainSecs = (t2 - t1) / 1e9;
    long spe = n / batch;

    long t3 = System.nanoTime();
    CleaningPolicy policy = CleaningPolicy.dropPy();
    long dropped = 0;
    long tp = 0;
    long noise = 0;
    try (EmbeddingTable t = EmbeddingTable.open(file, labels, dim)) {
      for (int c = 0; c < classes; c++) {
        float[][] x = new float[perClass][];
        for (int i = 0; i < perClass; i++) {
          x[i] = t.row(c * perClass + i);
        }
        float[][] cc = new float[3][];
        System.arraycopy(centres, c * 3, cc, 0, 3);
        DropReason[] reason = policy.decide(ClassScorer.score(x, cc));
        for (int i = 0; i < perClass; i++) {
          boolean d = reason[i] != null;
          boolean z = noisy[c * perClass + i];
          dropped += d ? 1 : 0;
          noise += z ? 1 : 0;
          tp += d && z ? 1 : 0;
        }
      }
    }
    double cleanSecs = (System.nanoTime() - t3) / 1e9;
    if (stageInputs != null) {
      writeStageInputs(
          Path.of(stageInputs), file, labels, noisy, perClass, dim, fingerprint, model);
    }
    System.out.printf(
        Locale.ROOT,
        "{\"classes\": %d, \"images\": %d, \"dim\": %d, \"sub_centers\": 3, \"sample_rate\": %.2f,"
            + " \"batch\": %d, \"generate_seconds\": %.1f, \"generate_heap_mb\": %d,"
            + " \"train_steps\": %d, \"steps_per_epoch\": %d, \"train_seconds\": %.1f,"
            + " \"seconds_per_step\": %.3f, \"epoch_estimate_minutes\": %.1f,"
            + " \"clean_seconds\": %.1f, \"noisy\": %d, \"dropped\": %d, \"precision\": %.4f,"
            + " \"recall\": %.4f, \"head_weight_mb\": %.0f}%n",
        classes,
        n,
        dim,
        rate,
        batch,
        genSecs,
        genHeap,
        done[0],
        spe,
        trainSecs,
        stepSecs,
        stepSecs * spe / 60,
        cleanSecs,
        noise,
        dropped,
        dropped == 0 ? 0 : (double) tp / dropped,
        noise == 0 ? 0 : (double) tp / noise,
        classes * 3.0 * dim * 4 / 1e6);
    Files.deleteIfExists(file);
  }

  private static String identity(int c) {
    return String.format(Locale.ROOT, "id%06d", c);
  }

  /** Record ids sort in table order: {@code s<row>}, zero-padded. */
  private static String recordId(int row) {
    return String.format(Locale.ROOT, "s%08d", row);
  }

  private static void writeStageInputs(
      Path dir,
      Path table,
      int[] labels,
      boolean[] noisy,
      int perClass,
      int dim,
      String fingerprint,
      Path model)
      throws IOException {
    Path prepared = dir.resolve("prepared");
    Path embeddings = dir.resolve("embeddings");
    QualityHarness.deleteTree(prepared);
    QualityHarness.deleteTree(embeddings);
    Files.deleteIfExists(dir.resolve("embeddings.json"));
    Files.createDirectories(prepared.resolve("faces"));
    Files.createDirectories(prepared.resolve("quarantine"));
    Files.createDirectories(embeddings);
    byte[] png = tinyPng();
    String pngSha = dev.facesieve.datasets.io.LocalFiles.sha256(png);
    int n = labels.length;
    int perFile = 100_000;
    long close = 0;
    long open = 0;
    SortedMap<Integer, Long> perLabel = new TreeMap<>();
    try (EmbeddingTable t = EmbeddingTable.open(table, labels, dim)) {
      for (int start = 0, part = 0; start < n; start += perFile, part++) {
        String name = String.format(Locale.ROOT, "part-%05d.parquet", part);
        try (ParquetWriter<GenericRecord> faces =
                ParquetFiles.writer(prepared.resolve("faces").resolve(name), FaceSchemas.FACE);
            ParquetWriter<GenericRecord> emb =
                ParquetFiles.writer(embeddings.resolve(name), CleanSchemas.EMBEDDING)) {
          for (int i = start; i < Math.min(n, start + perFile); i++) {
            // the generator's layout: the second-to-last sample of a class is close-set noise
            NoiseKind truth =
                !noisy[i]
                    ? NoiseKind.CLEAN
                    : i % perClass == perClass - 2 ? NoiseKind.CLOSE_SET : NoiseKind.OPEN_SET;
            close += truth == NoiseKind.CLOSE_SET ? 1 : 0;
            open += truth == NoiseKind.OPEN_SET ? 1 : 0;
            perLabel.merge(labels[i], 1L, Long::sum);
            faces.write(
                FaceSchemas.toAvro(
                    new FaceRecord(
                        recordId(i),
                        labels[i],
                        identity(labels[i]),
                        png,
                        "png",
                        8,
                        8,
                        pngSha,
                        new SourceRef("scale-benchmark", i),
                        null,
                        truth,
                        null,
                        null)));
            GenericRecord e = new GenericData.Record(CleanSchemas.EMBEDDING);
            e.put("id", recordId(i));
            e.put("label", labels[i]);
            e.put("vector", FaceSchemas.floatList(t.row(i)));
            emb.write(e);
          }
        }
      }
    }
    PrepareManifest.Counts counts =
        new PrepareManifest.Counts(
            0L,
            0L,
            n,
            0L,
            new TreeMap<>(),
            n,
            new TreeMap<>(Map.of("clean", n - close - open, "close_set", close, "open_set", open)));
    SortedMap<Integer, String> labelNames = new TreeMap<>();
    for (int c = 0; c < perLabel.size(); c++) {
      labelNames.put(c, identity(c));
    }
    PrepareManifest manifest =
        new PrepareManifest(
            counts,
            null,
            fingerprint,
            perLabel.size(),
            n,
            perLabel,
            null,
            labelNames,
            "written by ScaleBenchmark (synthetic embeddings), not by prepare",
            null,
            null,
            null,
            PrepareManifest.STAGE);
    Files.writeString(prepared.resolve(PrepareManifest.FILE), StageJson.write(manifest));
    // the cache's record lies beside it and names every file FaceSieve may replace there
    Map<String, Object> marker = new LinkedHashMap<>();
    marker.put("data_fingerprint", fingerprint);
    marker.put(
        "files",
        ParquetFiles.list(embeddings).stream().map(f -> f.getFileName().toString()).toList());
    marker.put("kind", "embeddings");
    marker.put("model", model.toAbsolutePath().toString());
    marker.put("model_sha256", ModelInfo.read(model).sha256());
    JSON.writeValue(dir.resolve("embeddings.json").toFile(), marker);
  }

  /** A valid 8×8 grey PNG, shared by every synthetic record. */
  private static byte[] tinyPng() throws IOException {
    BufferedImage im = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(im, "png", out);
    return out.toByteArray();
  }

  private static Iterator<float[]> generator(int classes, int perClass, int dim, long seed) {
    return new Iterator<>() {
      int c;
      int i;
      float[] mu;
      float[] partner;
      float[] outsider;

      @Override
      public boolean hasNext() {
        return c < classes;
      }

      @Override
      public float[] next() {
        if (i == 0) {
          mu = unit(dim, mix(seed, c));
          partner = unit(dim, mix(seed, (int) ((c * 7919L + 1) % classes)));
          outsider = unit(dim, mix(seed + 1, c));
        }
        float[] centre = i == perClass - 2 ? partner : i == perClass - 1 ? outsider : mu;
        SplittableRandom r = new SplittableRandom(mix(seed + 2, c * perClass + i));
        float[] v = new float[dim];
        double tau = 0.8 / Math.sqrt(dim);
        for (int j = 0; j < dim; j++) {
          v[j] = (float) (centre[j] + tau * gaussian(r));
        }
        QualityHarness.normalize(v);
        if (++i == perClass) {
          i = 0;
          c++;
        }
        return v;
      }
    };
  }

  private static float[] unit(int dim, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[dim];
    for (int j = 0; j < dim; j++) {
      v[j] = (float) gaussian(r);
    }
    QualityHarness.normalize(v);
    return v;
  }

  private static double gaussian(SplittableRandom r) {
    double u = r.nextDouble();
    double w = r.nextDouble();
    return Math.sqrt(-2 * Math.log(Math.max(u, 1e-300))) * Math.cos(2 * Math.PI * w);
  }

  private static long mix(long a, long b) {
    long z = a * 0x9E3779B97F4A7C15L + b;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static long usedHeapMb() {
    Runtime rt = Runtime.getRuntime();
    return (rt.totalMemory() - rt.freeMemory()) >> 20;
  }
}
