package dev.facesieve.datasets.clean;

import java.util.List;

/**
 * The pair searches of a {@link SimilaritySearch} as one blocked scan of rows against columns, so
 * that an implementation (plain Java, a BLAS) supplies only the scan; the argument checks and the
 * empty cases live here once.
 */
public abstract class BlockedSimilaritySearch implements SimilaritySearch {
  private static final long serialVersionUID = 1L;

  @Override
  public final List<Pair> pairsWithin(float[][] unit, double maxAngleDeg) {
    double minCos = ExactCosines.minCosine(maxAngleDeg);
    int d = ExactCosines.dimension("unit", unit);
    if (unit.length < 2) {
      return List.of();
    }
    return scan(unit, unit, true, minCos, d);
  }

  @Override
  public final List<Pair> pairsBetween(float[][] left, float[][] right, double maxAngleDeg) {
    double minCos = ExactCosines.minCosine(maxAngleDeg);
    int d = ExactCosines.dimension("left", left, "right", right);
    if (left.length == 0 || right.length == 0) {
      return List.of();
    }
    return scan(left, right, false, minCos, d);
  }

  /**
   * Every pair (row {@code a} of {@code rows}, row {@code b} of {@code cols}) whose exact cosine is
   * at least {@code minCos}, in {@link ExactCosines#CLOSEST_FIRST} order; {@code within}: one set
   * ({@code rows == cols}), pairs {@code a < b} only. Both are non-empty, of dimension {@code d}.
   */
  protected abstract List<Pair> scan(
      float[][] rows, float[][] cols, boolean within, double minCos, int d);
}
