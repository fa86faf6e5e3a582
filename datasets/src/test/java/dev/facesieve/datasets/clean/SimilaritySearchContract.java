package dev.facesieve.datasets.clean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.clean.SimilaritySearch.Nearest;
import dev.facesieve.datasets.clean.SimilaritySearch.Pair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link SimilaritySearch} must do, checked against brute force on exact cosines ({@link
 * ExactCosines}), as Beam's {@code ResourceIdTester} checks every file system: pairs within an
 * angle, pairs between two sets, each query's nearest row, ties to the lower index, empty inputs
 * and argument checks. An implementation's test extends this and names how to make one with a given
 * block size ({@link #search(int)}).
 */
public abstract class SimilaritySearchContract {
  /** The implementation under test, scanning {@code block} rows at a time. */
  protected abstract SimilaritySearch search(int block);

  /** C random unit vectors of D dimensions. */
  public static float[][] random(int c, int d, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] v = new float[c][d];
    for (float[] row : v) {
      double s = 0;
      for (int k = 0; k < d; k++) {
        row[k] = (float) r.nextGaussian();
        s += row[k] * row[k];
      }
      for (int k = 0; k < d; k++) {
        row[k] /= (float) Math.sqrt(s);
      }
    }
    return v;
  }

  /** C rows drawn from a palette of 5 unit vectors: many identical rows and equal cosines. */
  public static float[][] ties(int c, long seed) {
    float h = (float) Math.sqrt(0.5);
    float[][] palette = {
      {1, 0, 0, 0}, {0, 1, 0, 0}, {h, h, 0, 0}, {0.5f, 0.5f, 0.5f, 0.5f}, {-1, 0, 0, 0}
    };
    SplittableRandom r = new SplittableRandom(seed);
    float[][] v = new float[c][];
    for (int i = 0; i < c; i++) {
      v[i] = palette[r.nextInt(palette.length)].clone();
    }
    return v;
  }

  /** Every row excluding itself. */
  public static int[] self(int n) {
    int[] e = new int[n];
    for (int i = 0; i < n; i++) {
      e[i] = i;
    }
    return e;
  }

  public static List<Pair> bruteWithin(float[][] v, double maxAngleDeg) {
    double minCos = Math.cos(Math.toRadians(maxAngleDeg));
    List<Pair> out = new ArrayList<>();
    for (int a = 0; a < v.length; a++) {
      for (int b = a + 1; b < v.length; b++) {
        double c = ExactCosines.dot(v[a], v[b]);
        if (c >= minCos) {
          out.add(new Pair(a, b, c));
        }
      }
    }
    return ExactCosines.sorted(out);
  }

  public static List<Pair> bruteBetween(float[][] l, float[][] r, double maxAngleDeg) {
    double minCos = Math.cos(Math.toRadians(maxAngleDeg));
    List<Pair> out = new ArrayList<>();
    for (int a = 0; a < l.length; a++) {
      for (int b = 0; b < r.length; b++) {
        double c = ExactCosines.dot(l[a], r[b]);
        if (c >= minCos) {
          out.add(new Pair(a, b, c));
        }
      }
    }
    return ExactCosines.sorted(out);
  }

  public static Nearest[] bruteNearest(float[][] q, float[][] v, int[] exclude) {
    Nearest[] out = new Nearest[q.length];
    for (int i = 0; i < q.length; i++) {
      int best = -1;
      double bestCos = Double.NaN;
      for (int j = 0; j < v.length; j++) {
        double c = ExactCosines.dot(q[i], v[j]);
        if (j != exclude[i] && (best < 0 || c > bestCos)) {
          best = j;
          bestCos = c;
        }
      }
      out[i] = new Nearest(best, bestCos);
    }
    return out;
  }

  /** Thresholds at the exact angles of some pairs: the float product may fall just below. */
  static double[] thresholdsAtPairs(float[][] v) {
    List<Pair> all = bruteWithin(v, 180);
    double[] t = new double[6];
    for (int i = 0; i < t.length; i++) {
      t[i] = all.get(i * Math.min(all.size() - 1, 40) / (t.length - 1)).angleDeg();
    }
    return t;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 7, 64, 256, 4096})
  void pairsWithinMatchBruteForce(int block) {
    SimilaritySearch s = search(block);
    float[][] v = random(150, 6, block);
    for (double t : new double[] {0, 10, 30, 60, 90, 120, 180}) {
      assertEquals(bruteWithin(v, t), s.pairsWithin(v, t), "block " + block + ", " + t + "°");
    }
    for (double t : thresholdsAtPairs(v)) {
      List<Pair> expected = bruteWithin(v, t);
      assertTrue(!expected.isEmpty());
      assertEquals(expected, s.pairsWithin(v, t), "block " + block + ", at " + t + "°");
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 7, 64, 256, 4096})
  void pairsBetweenMatchBruteForce(int block) {
    SimilaritySearch s = search(block);
    float[][] l = random(70, 6, 10 + block);
    float[][] r = random(90, 6, 20 + block);
    for (double t : new double[] {0, 20, 45, 90, 180}) {
      assertEquals(bruteBetween(l, r, t), s.pairsBetween(l, r, t), "block " + block + ", " + t);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 7, 64, 256, 4096})
  void nearestMatchesBruteForce(int block) {
    SimilaritySearch s = search(block);
    float[][] v = random(120, 8, 30 + block);
    float[][] q = random(40, 8, 40 + block);
    int[] exclude = new int[q.length];
    for (int i = 0; i < q.length; i++) {
      exclude[i] = i % 3 == 0 ? -1 : (i * 7) % v.length;
    }
    assertArrayEquals(bruteNearest(q, v, exclude), s.nearest(q, v, exclude));
    Nearest[] others = s.nearest(v, v, self(v.length));
    assertArrayEquals(bruteNearest(v, v, self(v.length)), others);
    for (int i = 0; i < v.length; i++) {
      assertTrue(others[i].index() != i);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 5, 256, 4096})
  void tiesGoToLowerIndices(int block) {
    SimilaritySearch s = search(block);
    float[][] v = ties(40, 5);
    for (double t : new double[] {0, 45, 60, 90, 180}) {
      assertEquals(bruteWithin(v, t), s.pairsWithin(v, t), "block " + block + ", " + t);
      assertEquals(bruteBetween(v, ties(17, 6), t), s.pairsBetween(v, ties(17, 6), t));
    }
    // identical rows: the nearest other row is the first copy that is not the query itself
    Nearest[] n = s.nearest(v, v, self(v.length));
    assertArrayEquals(bruteNearest(v, v, self(v.length)), n);
    for (int i = 0; i < v.length; i++) {
      int first = -1;
      for (int j = 0; j < v.length && first < 0; j++) {
        if (j != i && Arrays.equals(v[i], v[j])) {
          first = j;
        }
      }
      if (first >= 0) {
        assertEquals(first, n[i].index(), "row " + i);
        assertEquals(ExactCosines.dot(v[i], v[i]), n[i].cosine());
      }
    }
  }

  @Test
  void emptyAndSingleRowInputs() {
    SimilaritySearch s = search(64);
    float[][] none = new float[0][];
    float[][] one = {{0.6f, 0.8f}};
    assertEquals(List.of(), s.pairsWithin(none, 180));
    assertEquals(List.of(), s.pairsWithin(one, 180));
    assertEquals(List.of(), s.pairsBetween(none, one, 180));
    assertEquals(List.of(), s.pairsBetween(one, none, 180));
    assertEquals(
        List.of(new Pair(0, 0, ExactCosines.dot(one[0], one[0]))), s.pairsBetween(one, one, 1));
    assertArrayEquals(new Nearest[0], s.nearest(none, one, new int[0]));
    assertArrayEquals(
        new Nearest[] {new Nearest(-1, Double.NaN)}, s.nearest(one, none, new int[] {-1}));
    assertArrayEquals(
        new Nearest[] {new Nearest(-1, Double.NaN)}, s.nearest(one, one, new int[] {0}));
    assertEquals(0, s.nearest(one, one, new int[] {-1})[0].index());
  }

  @Test
  void argumentsAreChecked() {
    SimilaritySearch s = search(64);
    float[][] v = {{1, 0}, {0, 1}};
    assertMessage("maxAngleDeg must be in [0, 180] degrees, got -1.0", () -> s.pairsWithin(v, -1));
    assertMessage(
        "maxAngleDeg must be in [0, 180] degrees, got 181.0", () -> s.pairsWithin(v, 181));
    assertMessage(
        "maxAngleDeg must be in [0, 180] degrees, got NaN", () -> s.pairsBetween(v, v, Double.NaN));
    assertMessage(
        "unit[1] has 3 dimensions, unit[0] has 2",
        () -> s.pairsWithin(new float[][] {{1, 0}, {1, 0, 0}}, 10));
    assertMessage("unit[0] has no dimensions", () -> s.pairsWithin(new float[][] {{}, {}}, 10));
    assertMessage(
        "left rows have 2 dimensions, right rows have 3",
        () -> s.pairsBetween(v, new float[][] {{1, 0, 0}}, 10));
    assertMessage(
        "unit[1] is null",
        () -> s.pairsWithin(new float[][] {{1, 0}, null}, 10),
        NullPointerException.class);
    assertMessage(
        "exclude needs one entry per query: 2 queries, 1 entries",
        () -> s.nearest(v, v, new int[] {-1}));
    assertMessage(
        "exclude[1] = 2 is neither -1 nor a row of unit (0..1)",
        () -> s.nearest(v, v, new int[] {-1, 2}));
    assertMessage(
        "exclude[0] = -2 is neither -1 nor a row of unit (0..1)",
        () -> s.nearest(v, v, new int[] {-2, 0}));
  }

  public static void assertMessage(String message, Runnable r) {
    assertMessage(message, r, IllegalArgumentException.class);
  }

  public static void assertMessage(
      String message, Runnable r, Class<? extends RuntimeException> type) {
    assertEquals(message, assertThrows(type, r::run).getMessage());
  }
}
