package dev.facesieve.datasets.clean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.clean.SimilaritySearch.Nearest;
import dev.facesieve.datasets.clean.SimilaritySearch.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link JavaSimilaritySearch} against brute force, for several block sizes. */
class JavaSimilaritySearchTest {

  /** C random unit vectors of D dimensions. */
  static float[][] random(int c, int d, long seed) {
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

  /** C rows drawn from a palette of 5 unit vectors: many identical rows and cosines. */
  static float[][] ties(int c, long seed) {
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

  static List<Pair> bruteWithin(float[][] v, double maxAngleDeg) {
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

  static List<Pair> bruteBetween(float[][] l, float[][] r, double maxAngleDeg) {
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

  static Nearest[] bruteNearest(float[][] q, float[][] v, int[] exclude) {
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
  @ValueSource(ints = {1, 3, 7, 64, 256})
  void pairsWithinMatchBruteForce(int block) {
    SimilaritySearch s = new JavaSimilaritySearch(block);
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
  @ValueSource(ints = {1, 3, 7, 64, 256})
  void pairsBetweenMatchBruteForce(int block) {
    SimilaritySearch s = new JavaSimilaritySearch(block);
    float[][] l = random(70, 6, 10 + block);
    float[][] r = random(90, 6, 20 + block);
    for (double t : new double[] {0, 20, 45, 90, 180}) {
      assertEquals(bruteBetween(l, r, t), s.pairsBetween(l, r, t), "block " + block + ", " + t);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 7, 64, 256})
  void nearestMatchesBruteForce(int block) {
    SimilaritySearch s = new JavaSimilaritySearch(block);
    float[][] v = random(120, 8, 30 + block);
    float[][] q = random(40, 8, 40 + block);
    int[] exclude = new int[q.length];
    for (int i = 0; i < q.length; i++) {
      exclude[i] = i % 3 == 0 ? -1 : (i * 7) % v.length;
    }
    assertArrayEquals(bruteNearest(q, v, exclude), s.nearest(q, v, exclude));
    // each row's nearest other row
    int[] self = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      self[i] = i;
    }
    Nearest[] others = s.nearest(v, v, self);
    assertArrayEquals(bruteNearest(v, v, self), others);
    for (int i = 0; i < v.length; i++) {
      assertTrue(others[i].index() != i);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 5, 256})
  void tiesGoToLowerIndices(int block) {
    SimilaritySearch s = new JavaSimilaritySearch(block);
    float[][] v = ties(40, 5);
    for (double t : new double[] {0, 45, 60, 90, 180}) {
      List<Pair> expected = bruteWithin(v, t);
      assertEquals(expected, s.pairsWithin(v, t), "block " + block + ", " + t);
      assertEquals(bruteBetween(v, ties(17, 6), t), s.pairsBetween(v, ties(17, 6), t));
    }
    // identical rows: the nearest other row is the first copy that is not the query itself
    int[] self = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      self[i] = i;
    }
    Nearest[] n = s.nearest(v, v, self);
    assertArrayEquals(bruteNearest(v, v, self), n);
    for (int i = 0; i < v.length; i++) {
      int first = -1;
      for (int j = 0; j < v.length && first < 0; j++) {
        if (j != i && java.util.Arrays.equals(v[i], v[j])) {
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
  void resultsDoNotDependOnThreads() throws Exception {
    float[][] v = random(700, 16, 3);
    SimilaritySearch s = new JavaSimilaritySearch(32);
    List<Pair> parallel = s.pairsWithin(v, 75);
    ForkJoinPool one = new ForkJoinPool(1);
    try {
      assertEquals(parallel, one.submit(() -> s.pairsWithin(v, 75)).get());
    } finally {
      one.shutdown();
    }
    assertEquals(bruteWithin(v, 75), parallel);
    assertTrue(parallel.size() > 10);
  }

  @Test
  void emptyAndSingleRowInputs() {
    SimilaritySearch s = new JavaSimilaritySearch();
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
    SimilaritySearch s = new JavaSimilaritySearch();
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
    assertMessage("block must be > 0, got 0", () -> new JavaSimilaritySearch(0));
  }

  static void assertMessage(String message, Runnable r) {
    assertMessage(message, r, IllegalArgumentException.class);
  }

  static void assertMessage(String message, Runnable r, Class<? extends RuntimeException> type) {
    assertEquals(message, assertThrows(type, r::run).getMessage());
  }
}
