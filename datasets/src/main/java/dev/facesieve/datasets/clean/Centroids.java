package dev.facesieve.datasets.clean;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.Serializable;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Every class's dominant sub-class centroid, for the two questions that look across classes: how
 * far is each class from its nearest other class (calibration), and which other class does a group
 * of faces belong to (relabelling).
 *
 * <p>C unit vectors of D floats (C·D·4 bytes: 200 MB for 100K classes at D = 512). The searches are
 * blocked products: a block of B centroids is transposed into a D × B panel that stays in cache,
 * and each query streams it as D vectorisable "axpy" updates (as {@link JavaSimilaritySearch}
 * does); a query costs C·D multiply-adds.
 */
public final class Centroids implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Panel width: 512 × 256 floats is 512 KiB, inside a core's L2. */
  static final int BLOCK = 256;

  private final int[] labels;
  private final String[] identities;
  private final float[][] unit;

  /** A match: a class and the cosine to its centroid. */
  public record Match(int label, double cosine) {
    public double angleDeg() {
      return SubClasses.angleDeg(cosine);
    }
  }

  /**
   * @param labels class labels in increasing order
   * @param identities their names
   * @param unit their unit centroids, one per label, of equal length
   */
  public Centroids(int[] labels, String[] identities, float[][] unit) {
    checkArgument(
        labels.length == unit.length, "%s labels, %s centroids", labels.length, unit.length);
    checkArgument(labels.length == identities.length, "one identity per label");
    for (int i = 1; i < labels.length; i++) {
      checkArgument(
          labels[i] > labels[i - 1], "labels must increase, got %s", Arrays.toString(labels));
    }
    this.labels = labels;
    this.identities = identities;
    this.unit = unit;
  }

  public int size() {
    return labels.length;
  }

  public int label(int i) {
    return labels[i];
  }

  public String identity(int i) {
    return identities[i];
  }

  public float[] centroid(int i) {
    return unit[i];
  }

  /** The index of {@code label}, or −1. */
  public int indexOf(int label) {
    int i = Arrays.binarySearch(labels, label);
    return i < 0 ? -1 : i;
  }

  /** The nearest class to {@code v} other than {@code exclude}; null when there is none. */
  public Match nearestOther(float[] v, int exclude) {
    Match[] m = nearestOther(new float[][] {v}, new int[] {exclude});
    return m[0];
  }

  /**
   * For each query vector, the nearest class other than its {@code exclude} label (null when there
   * is none). Queries run in parallel; the result does not depend on the thread count (ties go to
   * the lower label).
   */
  public Match[] nearestOther(float[][] queries, int[] exclude) {
    checkArgument(queries.length == exclude.length, "one excluded label per query");
    int q = queries.length;
    int[] best = new int[q];
    float[] bestCos = new float[q];
    Arrays.fill(best, -1);
    Arrays.fill(bestCos, Float.NEGATIVE_INFINITY);
    int n = unit.length;
    if (n == 0 || q == 0) {
      return new Match[q];
    }
    int d = unit[0].length;
    float[] panel = new float[d * BLOCK];
    for (int b0 = 0; b0 < n; b0 += BLOCK) {
      int width = Math.min(BLOCK, n - b0);
      for (int j = 0; j < width; j++) {
        float[] v = unit[b0 + j];
        for (int k = 0; k < d; k++) {
          panel[k * width + j] = v[k];
        }
      }
      int start = b0;
      IntStream.range(0, (q + 15) / 16)
          .parallel()
          .forEach(
              chunk -> {
                float[] acc = new float[width];
                for (int i = chunk * 16; i < Math.min(q, chunk * 16 + 16); i++) {
                  Arrays.fill(acc, 0f);
                  float[] vi = queries[i];
                  for (int k = 0; k < d; k++) {
                    float a = vi[k];
                    int off = k * width;
                    for (int j = 0; j < width; j++) {
                      acc[j] += a * panel[off + j];
                    }
                  }
                  for (int j = 0; j < width; j++) {
                    if (labels[start + j] != exclude[i] && acc[j] > bestCos[i]) {
                      bestCos[i] = acc[j];
                      best[i] = start + j;
                    }
                  }
                }
              });
    }
    Match[] out = new Match[q];
    for (int i = 0; i < q; i++) {
      if (best[i] >= 0) {
        // the float product picked the winner; report the exact cosine
        out[i] = new Match(labels[best[i]], ClassScorer.dot(queries[i], unit[best[i]]));
      }
    }
    return out;
  }
}
