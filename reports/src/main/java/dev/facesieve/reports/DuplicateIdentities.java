package dev.facesieve.reports;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;

/**
 * Finds pairs of classes whose dominant sub-centres are closer than an angle: likely the same
 * person under two labels, a known MS1M problem.
 *
 * <p>All C² cosines are needed, so this is a blocked matrix product G = V·Vᵀ over the unit centres
 * V (C × D), upper triangle only (C²·D/2 multiply-adds: 2.6·10¹² for C = 100,000, D = 512). A
 * column block of B centres is transposed into a D × B panel that stays in cache; each row then
 * streams the panel as D "axpy" updates {@code acc[0..B) += v[i][k] · panel[k][0..B)}, a loop the
 * JIT vectorises (a plain dot product, a float reduction, it does not). Rows run in parallel. Only
 * pairs above the cosine bound are kept, so memory is O(C·D + pairs), never O(C²).
 */
public final class DuplicateIdentities {
  private DuplicateIdentities() {}

  /** A pair of classes {@code a < b} (indices into the input) and the angle between them. */
  public record Pair(int a, int b, double cosine, double angleDeg) {}

  /** Column-block width: a 512 × 256 float panel is 512 KiB, inside a core's L2. */
  static final int DEFAULT_BLOCK = 256;

  /**
   * Returns every pair whose angle is at most {@code maxAngleDeg}, closest first (ties by index).
   *
   * @param unit C unit-length vectors of equal length D
   */
  public static List<Pair> find(float[][] unit, double maxAngleDeg) {
    return find(unit, maxAngleDeg, DEFAULT_BLOCK);
  }

  static List<Pair> find(float[][] unit, double maxAngleDeg, int block) {
    checkArgument(
        maxAngleDeg >= 0 && maxAngleDeg <= 180,
        "duplicate threshold must be in [0, 180] degrees, got %s",
        maxAngleDeg);
    checkArgument(block > 0, "block must be > 0, got %s", block);
    int n = unit.length;
    if (n < 2) {
      return List.of();
    }
    int d = unit[0].length;
    for (float[] v : unit) {
      checkArgument(v.length == d, "all centres need %s dimensions, got %s", d, v.length);
    }
    // float products are compared against a slightly lower bound; survivors are re-checked exactly
    double minCos = Math.cos(Math.toRadians(maxAngleDeg));
    float looseBound = (float) (minCos - 1e-4);
    ConcurrentLinkedQueue<Pair> found = new ConcurrentLinkedQueue<>();
    float[] panel = new float[d * block];
    for (int b0 = 0; b0 < n; b0 += block) {
      int width = Math.min(block, n - b0);
      for (int j = 0; j < width; j++) {
        float[] v = unit[b0 + j];
        for (int k = 0; k < d; k++) {
          panel[k * width + j] = v[k];
        }
      }
      int start = b0;
      int rows = b0 + width - 1; // rows i < b0 + width - 1 can pair with a column of this block
      IntStream.range(0, (rows + 63) / 64)
          .parallel()
          .forEach(
              chunk -> {
                float[] acc = new float[width];
                int end = Math.min(rows, (chunk + 1) * 64);
                for (int i = chunk * 64; i < end; i++) {
                  java.util.Arrays.fill(acc, 0f);
                  float[] vi = unit[i];
                  for (int k = 0; k < d; k++) {
                    float a = vi[k];
                    int off = k * width;
                    for (int j = 0; j < width; j++) {
                      acc[j] += a * panel[off + j];
                    }
                  }
                  for (int j = Math.max(0, i + 1 - start); j < width; j++) {
                    if (acc[j] >= looseBound) {
                      double c = dot(vi, unit[start + j]);
                      if (c >= minCos) {
                        found.add(new Pair(i, start + j, c, angleDeg(c)));
                      }
                    }
                  }
                }
              });
    }
    List<Pair> out = new ArrayList<>(found);
    out.sort(
        Comparator.comparingDouble(Pair::cosine)
            .reversed()
            .thenComparingInt(Pair::a)
            .thenComparingInt(Pair::b));
    return out;
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int k = 0; k < a.length; k++) {
      s += (double) a[k] * b[k];
    }
    return s;
  }

  static double angleDeg(double cos) {
    return Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, cos))));
  }
}
