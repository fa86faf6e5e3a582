package dev.facesieve.model;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.facesieve.datasets.clean.BlockedSimilaritySearch;
import dev.facesieve.datasets.clean.ExactCosines;
import dev.facesieve.datasets.clean.SimilaritySearch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@link SimilaritySearch} on PyTorch's CPU BLAS (through DJL): blocked {@code matmul}s, with
 * thresholding and argmax on the native side.
 *
 * <p>Rows are cut into blocks of up to 4096; each row block is multiplied by each column block
 * (4096 × 4096 floats, 64 MB, never C × C), compared with the loosened bound (or, for {@link
 * #nearest}, with each row's block maximum less twice the slack) and only the indices of the
 * candidates come back to Java, where they are re-checked exactly ({@link ExactCosines}): the
 * results equal {@code JavaSimilaritySearch}'s bit for bit. Each block's arrays live in a
 * sub-manager closed after the block. The engine is looked up on first use and never serialised, so
 * an instance can travel to Beam workers; the engine must load there ({@link
 * SimilaritySearches#bestWhereRun()} picks the Java search where it does not). Sets {@code
 * ai.djl.offline=true} before loading it.
 */
public final class TorchSimilaritySearch extends BlockedSimilaritySearch {
  private static final long serialVersionUID = 1L;

  /** Rows per block: a 4096 × 4096 product is 64 MB and ~17 GFLOP at D = 512. */
  static final int DEFAULT_BLOCK = 4096;

  private final int block;
  private transient volatile Engine engine;

  public TorchSimilaritySearch() {
    this(DEFAULT_BLOCK);
  }

  TorchSimilaritySearch(int block) {
    checkArgument(block > 0, "block must be > 0, got %s", block);
    this.block = block;
  }

  /** The PyTorch engine, loaded offline on first use; throws when it cannot load. */
  Engine engine() {
    Engine e = engine;
    if (e == null) {
      System.setProperty("ai.djl.offline", "true");
      e = Engine.getEngine("PyTorch");
      engine = e;
    }
    return e;
  }

  @Override
  protected List<Pair> scan(float[][] rows, float[][] cols, boolean within, double minCos, int d) {
    float loose = ExactCosines.looseBound(minCos, d);
    List<Pair> found = new ArrayList<>();
    try (NDManager call = engine().newBaseManager(Device.cpu())) {
      NDArray r = matrix(call, rows, d);
      NDArray c = within ? r : matrix(call, cols, d);
      for (int a0 = 0; a0 < rows.length; a0 += block) {
        int a1 = Math.min(rows.length, a0 + block);
        for (int b0 = within ? a0 : 0; b0 < cols.length; b0 += block) {
          int b1 = Math.min(cols.length, b0 + block);
          long[] hits;
          try (NDManager m = call.newSubManager()) {
            NDArray left = r.get(m, new NDIndex("{}:{}", a0, a1));
            NDArray right = c.get(m, new NDIndex("{}:{}", b0, b1));
            hits = left.matMul(right.transpose()).gte(loose).nonzero().toLongArray();
          }
          for (int h = 0; h < hits.length; h += 2) {
            int i = a0 + (int) hits[h];
            int j = b0 + (int) hits[h + 1];
            if (within && j <= i) {
              continue;
            }
            double cos = ExactCosines.dot(rows[i], cols[j]);
            if (cos >= minCos) {
              found.add(new Pair(i, j, cos));
            }
          }
        }
      }
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
    Arrays.fill(best, -1);
    Arrays.fill(bestCos, Double.NaN);
    if (q > 0 && n > 0) {
      float margin = (float) (2 * ExactCosines.slack(d));
      try (NDManager call = engine().newBaseManager(Device.cpu())) {
        NDArray qs = matrix(call, queries, d);
        NDArray us = matrix(call, unit, d);
        for (int a0 = 0; a0 < q; a0 += block) {
          int a1 = Math.min(q, a0 + block);
          for (int b0 = 0; b0 < n; b0 += block) {
            int b1 = Math.min(n, b0 + block);
            long[] hits;
            try (NDManager m = call.newSubManager()) {
              NDArray scores =
                  qs.get(m, new NDIndex("{}:{}", a0, a1))
                      .matMul(us.get(m, new NDIndex("{}:{}", b0, b1)).transpose());
              int[] excluded = Arrays.copyOfRange(exclude, a0, a1);
              if (anyIn(excluded, b0, b1)) {
                NDArray mask =
                    m.arange(b0, b1).reshape(1, b1 - b0).eq(m.create(excluded).reshape(a1 - a0, 1));
                scores.set(mask, Float.NEGATIVE_INFINITY);
              }
              // every row within twice the slack of its block's best float product
              NDArray floor = scores.max(new int[] {1}, true).sub(margin);
              hits = scores.gte(floor).nonzero().toLongArray();
            }
            for (int h = 0; h < hits.length; h += 2) {
              int i = a0 + (int) hits[h];
              int j = b0 + (int) hits[h + 1];
              if (j == exclude[i]) {
                continue; // a row whose block holds only its excluded row
              }
              double cos = ExactCosines.dot(queries[i], unit[j]);
              if (ExactCosines.beats(cos, j, bestCos[i], best[i])) {
                best[i] = j;
                bestCos[i] = cos;
              }
            }
          }
        }
      }
    }
    Nearest[] out = new Nearest[q];
    for (int i = 0; i < q; i++) {
      out[i] = new Nearest(best[i], bestCos[i]);
    }
    return out;
  }

  @Override
  public String name() {
    return "pytorch";
  }

  private static boolean anyIn(int[] rows, int from, int to) {
    for (int r : rows) {
      if (r >= from && r < to) {
        return true;
      }
    }
    return false;
  }

  /** The rows as one C × D float array of {@code manager}. */
  private static NDArray matrix(NDManager manager, float[][] rows, int d) {
    long floats = (long) rows.length * d;
    checkArgument(
        floats <= Integer.MAX_VALUE / 4,
        "%s × %s floats do not fit one buffer; search in parts",
        rows.length,
        d);
    FloatBuffer buf =
        ByteBuffer.allocateDirect((int) floats * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    for (float[] row : rows) {
      buf.put(row);
    }
    buf.rewind();
    return manager.create(buf, new Shape(rows.length, d));
  }
}
