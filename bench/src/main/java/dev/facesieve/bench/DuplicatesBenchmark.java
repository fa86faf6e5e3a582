package dev.facesieve.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.facesieve.datasets.clean.JavaSimilaritySearch;
import dev.facesieve.datasets.clean.SimilaritySearch;
import dev.facesieve.datasets.clean.SimilaritySearch.Nearest;
import dev.facesieve.datasets.clean.SimilaritySearch.Pair;
import dev.facesieve.model.TorchSimilaritySearch;
import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Times one {@link SimilaritySearch} on C random unit vectors of D dimensions: {@code pairsWithin}
 * at 60° with {@code planted} near pairs (10° apart), then {@code nearest} for Q queries (each a
 * 10° rotation of a known row), and prints one JSON line.
 *
 * <p>GFLOP/s count useful work at 2 flops per multiply-add: C²·D/2 multiply-adds for the pairs (the
 * upper triangle; PyTorch also computes the lower half of the diagonal blocks, not counted), Q·C·D
 * for {@code nearest}. The PyTorch engine is loaded before the clock starts. {@code planted_ok} and
 * {@code nearest_ok} say whether exactly the planted pairs, and every query's source row, were
 * found.
 *
 * <p>Usage: {@code DuplicatesBenchmark java|pytorch C D planted Q}.
 */
public final class DuplicatesBenchmark {
  private DuplicatesBenchmark() {}

  public static void main(String[] args) {
    System.setProperty("ai.djl.offline", "true");
    String impl = args[0];
    int c = Integer.parseInt(args[1]);
    int d = Integer.parseInt(args[2]);
    int planted = Integer.parseInt(args[3]);
    int q = Integer.parseInt(args[4]);
    SimilaritySearch search =
        switch (impl) {
          case "java" -> new JavaSimilaritySearch();
          case "pytorch" -> new TorchSimilaritySearch();
          default -> throw new IllegalArgumentException("java or pytorch, got " + impl);
        };
    Random r = new Random(1);
    float[][] v = new float[c][];
    for (int i = 0; i < c; i++) {
      v[i] = randomUnit(r, d);
    }
    // row i + c/2 becomes row i rotated by 10°
    Set<List<Integer>> expected = new HashSet<>();
    for (int i = 0; i < planted; i++) {
      v[i + c / 2] = rotate(v[i], v[i + c / 2], 10);
      expected.add(List.of(i, i + c / 2));
    }
    // query i is row source(i) rotated by 10° towards a random direction
    float[][] queries = new float[q][];
    int[] none = new int[q];
    for (int i = 0; i < q; i++) {
      queries[i] = rotate(v[source(i, c)], randomUnit(r, d), 10);
      none[i] = -1;
    }
    search.pairsWithin(new float[][] {v[0], v[1]}, 60); // loads the engine, warms the JIT

    Runtime rt = Runtime.getRuntime();
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    System.gc();
    double load = os.getSystemLoadAverage();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    List<Pair> pairs = search.pairsWithin(v, 60);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpuSeconds = (os.getProcessCpuTime() - cpu0) / 1e9;
    long heapAfter = rt.totalMemory() - rt.freeMemory();
    Set<List<Integer>> found = new HashSet<>();
    for (Pair p : pairs) {
      found.add(List.of(p.a(), p.b()));
    }

    long cpu1 = os.getProcessCpuTime();
    long t1 = System.nanoTime();
    Nearest[] nearest = search.nearest(queries, v, none);
    double nearestSeconds = (System.nanoTime() - t1) / 1e9;
    double nearestCpuSeconds = (os.getProcessCpuTime() - cpu1) / 1e9;
    boolean nearestOk = true;
    for (int i = 0; i < q; i++) {
      nearestOk &= nearest[i].index() == source(i, c);
    }

    double pairFlop = (double) c * c / 2 * d * 2;
    double nearestFlop = (double) q * c * d * 2;
    System.out.printf(
        Locale.ROOT,
        "{\"impl\": \"%s\", \"classes\": %d, \"dim\": %d, \"planted\": %d, \"found\": %d,"
            + " \"planted_ok\": %b, \"seconds\": %.2f, \"gflops\": %.1f, \"cpu_seconds\": %.2f,"
            + " \"queries\": %d, \"nearest_seconds\": %.2f, \"nearest_gflops\": %.1f,"
            + " \"nearest_cpu_seconds\": %.2f, \"nearest_ok\": %b, \"cores\": %d,"
            + " \"load_before\": %.1f, \"heap_mb_after\": %.0f}%n",
        search.name(),
        c,
        d,
        planted,
        pairs.size(),
        found.equals(expected),
        seconds,
        pairFlop / seconds / 1e9,
        cpuSeconds,
        q,
        nearestSeconds,
        nearestFlop / nearestSeconds / 1e9,
        nearestCpuSeconds,
        nearestOk,
        rt.availableProcessors(),
        load,
        heapAfter / 1e6);
  }

  /** The row query {@code i} was made from: spread over all C rows. */
  private static int source(int i, int c) {
    return (int) ((i * 2654435761L) % c);
  }

  private static float[] randomUnit(Random r, int d) {
    float[] v = new float[d];
    double s = 0;
    for (int k = 0; k < d; k++) {
      v[k] = (float) r.nextGaussian();
      s += v[k] * v[k];
    }
    for (int k = 0; k < d; k++) {
      v[k] /= (float) Math.sqrt(s);
    }
    return v;
  }

  /** {@code a} rotated by {@code deg} towards the part of {@code b} orthogonal to it. */
  private static float[] rotate(float[] a, float[] b, double deg) {
    double dot = 0;
    for (int k = 0; k < a.length; k++) {
      dot += (double) a[k] * b[k];
    }
    double[] o = new double[a.length];
    double n = 0;
    for (int k = 0; k < a.length; k++) {
      o[k] = b[k] - dot * a[k];
      n += o[k] * o[k];
    }
    double t = Math.toRadians(deg);
    float[] out = new float[a.length];
    for (int k = 0; k < a.length; k++) {
      out[k] = (float) (Math.cos(t) * a[k] + Math.sin(t) * o[k] / Math.sqrt(n));
    }
    return out;
  }
}
