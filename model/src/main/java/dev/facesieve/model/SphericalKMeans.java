package dev.facesieve.model;

import static com.google.common.base.Preconditions.checkArgument;

import dev.facesieve.datasets.clean.ClassScorer;
import java.util.SplittableRandom;

/**
 * Spherical k-means on unit vectors: seeds a class's K sub-centres from its own samples.
 *
 * <p>Why: with frozen embeddings, randomly initialised sub-centres collapse — one wins every
 * sample, the others never receive a gradient (max over K passes gradient to the winner only), and
 * the "dominant sub-centre" degenerates to the class mean. Seeding from k-means++ over the class's
 * samples and refining by cosine assignment gives each sub-centre a mode of the class to own.
 */
public final class SphericalKMeans {
  private SphericalKMeans() {}

  /**
   * Clusters unit vectors {@code x (n × d)} into {@code k} unit centres. Deterministic for a seed.
   * With fewer samples than {@code k}, the remaining centres are copies of samples (they then tie
   * and win nothing).
   */
  public static float[][] fit(float[][] x, int k, int iterations, long seed) {
    checkArgument(k > 0, "k must be > 0, got %s", k);
    checkArgument(x.length > 0, "need at least one sample");
    int n = x.length;
    int d = x[0].length;
    SplittableRandom r = new SplittableRandom(seed);
    float[][] c = new float[k][];
    c[0] = x[r.nextInt(n)].clone();
    double[] dist = new double[n];
    for (int j = 1; j < k; j++) {
      double total = 0;
      for (int i = 0; i < n; i++) {
        double best = Double.POSITIVE_INFINITY;
        for (int t = 0; t < j; t++) {
          best = Math.min(best, 1 - dot(x[i], c[t]));
        }
        dist[i] = Math.max(0, best);
        total += dist[i];
      }
      int pick = r.nextInt(n);
      if (total > 0) {
        double u = r.nextDouble() * total;
        for (int i = 0; i < n; i++) {
          u -= dist[i];
          if (u <= 0) {
            pick = i;
            break;
          }
        }
      }
      c[j] = x[pick].clone();
    }
    int[] assign = new int[n];
    for (int it = 0; it < iterations; it++) {
      boolean changed = false;
      for (int i = 0; i < n; i++) {
        int a = nearest(x[i], c);
        changed |= a != assign[i] || it == 0;
        assign[i] = a;
      }
      float[][] sum = new float[k][d];
      int[] count = new int[k];
      for (int i = 0; i < n; i++) {
        count[assign[i]]++;
        for (int t = 0; t < d; t++) {
          sum[assign[i]][t] += x[i][t];
        }
      }
      for (int j = 0; j < k; j++) {
        if (count[j] > 0) {
          c[j] = Embedder.normalizeRows(new float[][] {sum[j]})[0];
        }
      }
      if (!changed) {
        break;
      }
    }
    return c;
  }

  /** Index of the centre with the largest cosine; ties go to the lower index. */
  public static int nearest(float[] v, float[][] centres) {
    int best = 0;
    double bestDot = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < centres.length; j++) {
      double s = dot(v, centres[j]);
      if (s > bestDot) {
        bestDot = s;
        best = j;
      }
    }
    return best;
  }

  static double dot(float[] a, float[] b) {
    return ClassScorer.dot(a, b);
  }
}
