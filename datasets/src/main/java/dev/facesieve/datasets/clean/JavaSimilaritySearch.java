package dev.facesieve.datasets.clean;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;

/**
 * The {@link SimilaritySearch} in plain Java: blocked products the JIT vectorises, on all cores.
 *
 * <p>A column block of B rows is transposed into a D × B panel that stays in cache (512 × 256
 * floats is 512 KiB, a core's L2); each row then streams the panel as D "axpy" updates {@code
 * acc[0..B) += v[i][k] · panel[k][0..B)}, a loop the JIT vectorises (a plain dot product, a float
 * reduction, it does not). Rows run in parallel. About 8 GFLOP/s on 2 cores (see
 * docs/benchmarks-report.md): use it where PyTorch is unavailable. Float products only pick
 * candidates ({@link ExactCosines}), so results are the same for every block size and thread count.
 */
public final class JavaSimilaritySearch extends BlockedSimilaritySearch {
  private static final long serialVersionUID = 1L;

  /** Column-block width. */
  static final int DEFAULT_BLOCK = 256;

  /** Rows per parallel task in the pair searches and in {@link #nearest}. */
  private static final int ROW_CHUNK = 64;

  private static final int QUERY_CHUNK = 16;

  private final int block;

  public JavaSimilaritySearch() {
    this(DEFAULT_BLOCK);
  }

  JavaSimilaritySearch(int block) {
    checkArgument(block > 0, "block must be > 0, got %s", block);
    this.block = block;
  }

  @Override
  protected List<Pair> scan(float[][] rows, float[][] cols, boolean within, double minCos, int d) {
    float loose = ExactCosines.looseBound(minCos, d);
    ConcurrentLinkedQueue<Pair> found = new ConcurrentLinkedQueue<>();
    float[] panel = new float[d * Math.min(block, cols.length)];
    for (int b0 = 0; b0 < cols.length; b0 += block) {
      int width = Math.min(block, cols.length - b0);
      fillPanel(panel, cols, b0, width, d);
      int start = b0;
      // within one set, only rows i < b0 + width - 1 have a column j > i in this block
      int rowEnd = within ? b0 + width - 1 : rows.length;
      IntStream.range(0, (rowEnd + ROW_CHUNK - 1) / ROW_CHUNK)
          .parallel()
          .forEach(
              chunk -> {
                float[] acc = new float[width];
                int end = Math.min(rowEnd, (chunk + 1) * ROW_CHUNK);
                for (int i = chunk * ROW_CHUNK; i < end; i++) {
                  float[] vi = rows[i];
                  product(vi, panel, acc, width, d);
                  for (int j = within ? Math.max(0, i + 1 - start) : 0; j < width; j++) {
                    if (acc[j] >= loose) {
                      double c = ExactCosines.dot(vi, cols[start + j]);
                      if (c >= minCos) {
                        found.add(new Pair(i, start + j, c));
                      }
                    }
                  }
                }
              });
    }
    return ExactCosines.sorted(found);
  }

  @Override
  public Nearest[] nearest(float[][] queries, float[][] unit, int[] exclude) {
    int d = ExactCosines.dimension("queries", queries, "unit", unit);
    int q = queries.length;
    int n = unit.length;
    ExactCosines.checkExclude(exclude, q, n);
    int[] best = new int[q];
    double[] bestCos = new double[q];
    float[] bestFloat = new float[q];
    Arrays.fill(best, -1);
    Arrays.fill(bestCos, Double.NaN);
    Arrays.fill(bestFloat, Float.NEGATIVE_INFINITY);
    // a row is re-checked when its float product is within twice the slack of the best float
    // product so far: the exact winner (and every row tied with it) always is
    float margin = (float) (2 * ExactCosines.slack(Math.max(d, 1)));
    float[] panel = new float[Math.max(0, d) * Math.min(block, n)];
    for (int b0 = 0; q > 0 && b0 < n; b0 += block) {
      int width = Math.min(block, n - b0);
      fillPanel(panel, unit, b0, width, d);
      int start = b0;
      IntStream.range(0, (q + QUERY_CHUNK - 1) / QUERY_CHUNK)
          .parallel()
          .forEach(
              chunk -> {
                float[] acc = new float[width];
                int end = Math.min(q, (chunk + 1) * QUERY_CHUNK);
                for (int i = chunk * QUERY_CHUNK; i < end; i++) {
                  float[] vi = queries[i];
                  product(vi, panel, acc, width, d);
                  for (int j = 0; j < width; j++) {
                    int row = start + j;
                    if (row != exclude[i] && acc[j] >= bestFloat[i] - margin) {
                      double c = ExactCosines.dot(vi, unit[row]);
                      if (ExactCosines.beats(c, row, bestCos[i], best[i])) {
                        best[i] = row;
                        bestCos[i] = c;
                      }
                      bestFloat[i] = Math.max(bestFloat[i], acc[j]);
                    }
                  }
                }
              });
    }
    Nearest[] out = new Nearest[q];
    for (int i = 0; i < q; i++) {
      out[i] = new Nearest(best[i], bestCos[i]);
    }
    return out;
  }

  @Override
  public String name() {
    return "java";
  }

  /** Transposes rows {@code b0 .. b0+width) into the D × width panel. */
  private static void fillPanel(float[] panel, float[][] rows, int b0, int width, int d) {
    for (int j = 0; j < width; j++) {
      float[] v = rows[b0 + j];
      for (int k = 0; k < d; k++) {
        panel[k * width + j] = v[k];
      }
    }
  }

  /** {@code acc[j] = v · column j of the panel}, as D vectorisable axpy updates. */
  private static void product(float[] v, float[] panel, float[] acc, int width, int d) {
    Arrays.fill(acc, 0f);
    for (int k = 0; k < d; k++) {
      float a = v[k];
      int off = k * width;
      for (int j = 0; j < width; j++) {
        acc[j] += a * panel[off + j];
      }
    }
  }
}
