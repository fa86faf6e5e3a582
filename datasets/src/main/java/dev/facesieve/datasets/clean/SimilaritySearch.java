package dev.facesieve.datasets.clean;

import java.io.Serializable;
import java.util.List;

/**
 * Cosine searches over unit vectors: every close pair within one set, every close pair between two
 * sets, and each query's nearest row.
 *
 * <p>These are the inter-class questions of cleaning (one person under two labels, a training
 * identity that is also a test identity, a class's nearest other class). At 100K classes of D = 512
 * the all-pairs search is C²·D/2 ≈ 2.6·10¹² multiply-adds, so implementations are blocked matrix
 * products that never hold a C × C matrix: memory is O(C·D + pairs found). Results must not depend
 * on block sizes or thread counts: a pair is reported iff its exact (double) cosine is at least
 * cos(maxAngleDeg), and ties go to the lower index.
 */
public interface SimilaritySearch extends Serializable {

  /** Rows {@code a} and {@code b} (indices into the searched arrays) and their exact cosine. */
  record Pair(int a, int b, double cosine) {
    public double angleDeg() {
      return SubClasses.angleDeg(cosine);
    }
  }

  /** A query's nearest row and their exact cosine; {@code index} −1 when there is none. */
  record Nearest(int index, double cosine) {
    public double angleDeg() {
      return SubClasses.angleDeg(cosine);
    }
  }

  /**
   * Every pair {@code a < b} of rows of {@code unit} whose angle is at most {@code maxAngleDeg},
   * closest first (ties by a, then b).
   */
  List<Pair> pairsWithin(float[][] unit, double maxAngleDeg);

  /**
   * Every pair (row {@code a} of {@code left}, row {@code b} of {@code right}) whose angle is at
   * most {@code maxAngleDeg}, closest first (ties by a, then b).
   */
  List<Pair> pairsBetween(float[][] left, float[][] right, double maxAngleDeg);

  /**
   * For each query, the nearest row of {@code unit} other than row {@code exclude[i]} (−1 excludes
   * none); ties go to the lower row.
   */
  Nearest[] nearest(float[][] queries, float[][] unit, int[] exclude);

  /** A short name for logs and benchmarks ("java", "pytorch"). */
  String name();
}
