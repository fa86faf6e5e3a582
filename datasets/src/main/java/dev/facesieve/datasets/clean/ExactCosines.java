package dev.facesieve.datasets.clean;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.facesieve.datasets.clean.SimilaritySearch.Pair;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The exact re-check that every {@link SimilaritySearch} shares: argument checks, the exact double
 * cosine, the loosened float bound, and the order of results.
 *
 * <p>Implementations compute float products (in Java or in a BLAS, blocked in any order) only to
 * pick candidates: a pair is a candidate when its float product is within {@link #slack} of the
 * bound, and it is reported iff its exact cosine ({@link #dot}: float products widened to double,
 * summed in index order) passes. The float error of a D-term dot product of unit vectors is at most
 * about D·2⁻²⁴ whatever the summation order, so the slack (at least 10⁻⁴, and 4·D·2⁻²⁴) keeps every
 * true pair a candidate, and all implementations return the same pairs and cosines, bit for bit.
 */
public final class ExactCosines {
  private ExactCosines() {}

  /** Orders pairs closest first, ties by a, then b. */
  public static final Comparator<Pair> CLOSEST_FIRST =
      Comparator.comparingDouble(Pair::cosine)
          .reversed()
          .thenComparingInt(Pair::a)
          .thenComparingInt(Pair::b);

  /** The exact cosine of two unit vectors: float products in double, summed in index order. */
  public static double dot(float[] a, float[] b) {
    double s = 0;
    for (int k = 0; k < a.length; k++) {
      s += (double) a[k] * b[k];
    }
    return s;
  }

  /** The cosine bound of an angle, after checking it is in [0, 180] degrees. */
  public static double minCosine(double maxAngleDeg) {
    checkArgument(
        maxAngleDeg >= 0 && maxAngleDeg <= 180,
        "maxAngleDeg must be in [0, 180] degrees, got %s",
        maxAngleDeg);
    return Math.cos(Math.toRadians(maxAngleDeg));
  }

  /** How far a float dot product of two D-dimensional unit vectors may be from the exact one. */
  public static double slack(int dim) {
    return Math.max(1e-4, 4.0 * dim * 0x1p-24);
  }

  /** The float bound that float products are compared against: {@code minCos} less the slack. */
  public static float looseBound(double minCos, int dim) {
    return (float) (minCos - slack(dim));
  }

  /**
   * Checks that {@code rows} and every row are non-null and of one length, and returns it (−1 when
   * there are no rows).
   */
  public static int dimension(String what, float[][] rows) {
    checkNotNull(rows, "%s is null", what);
    int d = -1;
    for (int i = 0; i < rows.length; i++) {
      checkNotNull(rows[i], "%s[%s] is null", what, i);
      if (d < 0) {
        d = rows[i].length;
        checkArgument(d > 0, "%s[0] has no dimensions", what);
      }
      checkArgument(
          rows[i].length == d,
          "%s[%s] has %s dimensions, %s[0] has %s",
          what,
          i,
          rows[i].length,
          what,
          d);
    }
    return d;
  }

  /** Checks two sets of rows agree on the dimension (when both have rows) and returns it. */
  public static int dimension(String what, float[][] rows, String otherWhat, float[][] other) {
    int d = dimension(what, rows);
    int e = dimension(otherWhat, other);
    checkArgument(
        d < 0 || e < 0 || d == e,
        "%s rows have %s dimensions, %s rows have %s",
        what,
        d,
        otherWhat,
        e);
    return Math.max(d, e);
  }

  /** Checks {@code exclude} has one entry per query, each a row of {@code unit} or −1. */
  public static void checkExclude(int[] exclude, int queries, int rows) {
    checkNotNull(exclude, "exclude is null (use -1 to exclude no row)");
    checkArgument(
        exclude.length == queries,
        "exclude needs one entry per query: %s queries, %s entries",
        queries,
        exclude.length);
    for (int i = 0; i < exclude.length; i++) {
      checkArgument(
          exclude[i] >= -1 && exclude[i] < rows,
          "exclude[%s] = %s is neither -1 nor a row of unit (0..%s)",
          i,
          exclude[i],
          rows - 1);
    }
  }

  /**
   * Whether row {@code j} at exact cosine {@code c} beats the best so far ({@code best} −1 when
   * none): closer, or as close and a lower row.
   */
  public static boolean beats(double c, int j, double bestCos, int best) {
    return best < 0 || c > bestCos || (c == bestCos && j < best);
  }

  /** The pairs in the contract's order. */
  public static List<Pair> sorted(Collection<Pair> pairs) {
    List<Pair> out = new ArrayList<>(pairs);
    out.sort(CLOSEST_FIRST);
    return out;
  }
}
