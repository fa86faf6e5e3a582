package dev.facesieve.bench;

import dev.facesieve.model.ClassScorer;
import dev.facesieve.model.EmbeddingTable;
import dev.facesieve.model.TrainConfig;
import dev.facesieve.model.Trainer;
import dev.facesieve.transforms.CleaningPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

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
 * clean} (drop-py, 75°); the Beam stage around it is not part of this run.
 */
public final class ScaleBenchmark {
  private ScaleBenchmark() {}

  /** Stops training after a fixed number of steps. */
  private static final class Enough extends RuntimeException {
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
        TrainConfig.defaults()
            .withBackbone("onnx:" + onnxStandIn)
            .withEmbeddingSize(dim)
            .withSubCenters(3)
            .withEpochs(1)
            .withBatchSize(batch)
            .withSampleRate(rate)
            .withCheckpointEvery(1_000_000)
            .withSeed(seed);
    long t1 = System.nanoTime();
    long[] seeded = new long[1];
    long[] done = new long[1];
    float[][] centres;
    Path model = work.resolve("model");
    QualityHarness.deleteTree(model);
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
      float[] w = t.head().weight().getArray().toFloatArray();
      centres = new float[classes * 3][dim];
      for (int i = 0; i < centres.length; i++) {
        System.arraycopy(w, i * dim, centres[i], 0, dim);
        QualityHarness.normalize(centres[i]);
      }
    }
    long t2 = System.nanoTime();
    // the first step includes k-means seeding of every class; time the rest per step
    double stepSecs = done[0] > 1 ? (t2 - seeded[0]) / 1e9 / (done[0] - 1) : Double.NaN;
    double trainSecs = (t2 - t1) / 1e9;
    long spe = n / batch;

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
        String[] reason = policy.decide(ClassScorer.score(x, cc));
        for (int i = 0; i < perClass; i++) {
          boolean d = reason[i] != null;
          boolean z = noisy[c * perClass + i];
          dropped += d ? 1 : 0;
          noise += z ? 1 : 0;
          tp += d && z ? 1 : 0;
        }
      }
    }
    double cleanSecs = (System.nanoTime() - t2) / 1e9;
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
