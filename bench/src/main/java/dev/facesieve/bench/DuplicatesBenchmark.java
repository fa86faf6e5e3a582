package dev.facesieve.bench;

import dev.facesieve.reports.DuplicateIdentities;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Time and peak heap of the duplicate-identity search over C random unit centres of D dimensions
 * with {@code pairs} planted near-duplicates (10° apart), printed as one JSON line.
 *
 * <p>Usage: {@code DuplicatesBenchmark C D pairs}.
 */
public final class DuplicatesBenchmark {
  private DuplicatesBenchmark() {}

  public static void main(String[] args) {
    int c = Integer.parseInt(args[0]);
    int d = Integer.parseInt(args[1]);
    int planted = Integer.parseInt(args[2]);
    Random r = new Random(1);
    float[][] v = new float[c][d];
    for (float[] row : v) {
      double s = 0;
      for (int k = 0; k < d; k++) {
        row[k] = (float) r.nextGaussian();
        s += row[k] * row[k];
      }
      scale(row, 1 / Math.sqrt(s));
    }
    // class i + c/2 becomes a copy of class i rotated by 10°
    double t = Math.toRadians(10);
    for (int i = 0; i < planted; i++) {
      float[] a = v[i];
      float[] b = v[i + c / 2];
      double dot = 0;
      for (int k = 0; k < d; k++) {
        dot += a[k] * b[k];
      }
      double n = 0;
      for (int k = 0; k < d; k++) {
        b[k] -= (float) (dot * a[k]);
        n += b[k] * b[k];
      }
      for (int k = 0; k < d; k++) {
        b[k] = (float) (Math.cos(t) * a[k] + Math.sin(t) * b[k] / Math.sqrt(n));
      }
    }
    Runtime rt = Runtime.getRuntime();
    System.gc();
    long before = rt.totalMemory() - rt.freeMemory();
    long t0 = System.nanoTime();
    List<DuplicateIdentities.Pair> pairs = DuplicateIdentities.find(v, 60);
    double seconds = (System.nanoTime() - t0) / 1e9;
    long after = rt.totalMemory() - rt.freeMemory();
    double gflop = (double) c * c / 2 * d * 2 / 1e9;
    System.out.printf(
        Locale.ROOT,
        "{\"classes\": %d, \"dim\": %d, \"planted\": %d, \"found\": %d, \"seconds\": %.1f,"
            + " \"gflops\": %.1f, \"threads\": %d, \"heap_mb_after\": %.0f, \"heap_mb_before\":"
            + " %.0f}%n",
        c,
        d,
        planted,
        pairs.size(),
        seconds,
        gflop / seconds,
        Runtime.getRuntime().availableProcessors(),
        after / 1e6,
        before / 1e6);
  }

  private static void scale(float[] v, double f) {
    for (int k = 0; k < v.length; k++) {
      v[k] *= (float) f;
    }
  }
}
