package dev.facesieve.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.clean.JavaSimilaritySearch;
import dev.facesieve.datasets.clean.SimilaritySearch;
import dev.facesieve.datasets.clean.SimilaritySearch.Nearest;
import dev.facesieve.datasets.clean.SimilaritySearch.Pair;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link TorchSimilaritySearch} returns exactly what {@link JavaSimilaritySearch} returns. */
class TorchSimilaritySearchTest {
  static final SimilaritySearch JAVA = new JavaSimilaritySearch();

  @BeforeAll
  static void offline() {
    System.setProperty("ai.djl.offline", "true");
  }

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

  /** Rows drawn from 5 unit vectors: identical rows, and many pairs at exactly equal cosines. */
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

  static int[] self(int n) {
    int[] e = new int[n];
    for (int i = 0; i < n; i++) {
      e[i] = i;
    }
    return e;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 64, 4096})
  void pairsEqualJava(int block) {
    SimilaritySearch torch = new TorchSimilaritySearch(block);
    float[][] v = random(200, 6, block);
    float[][] w = random(90, 6, block + 1);
    List<Pair> all = JAVA.pairsWithin(v, 180);
    double[] thresholds = {
      0, 5, 20, 45, 90, 135, 180, all.get(0).angleDeg(), all.get(17).angleDeg()
    };
    for (double t : thresholds) {
      assertEquals(JAVA.pairsWithin(v, t), torch.pairsWithin(v, t), "block " + block + ", " + t);
      assertEquals(
          JAVA.pairsBetween(v, w, t), torch.pairsBetween(v, w, t), "block " + block + ", " + t);
    }
    assertTrue(torch.pairsWithin(v, 0).isEmpty());
    assertEquals(List.of(all.get(0)), torch.pairsWithin(v, all.get(0).angleDeg()));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 4096})
  void tiesEqualJava(int block) {
    SimilaritySearch torch = new TorchSimilaritySearch(block);
    float[][] v = ties(60, block);
    float[][] w = ties(25, block + 1);
    for (double t : new double[] {0, 45, 60, 90, 180}) {
      List<Pair> expected = JAVA.pairsWithin(v, t);
      assertEquals(expected, torch.pairsWithin(v, t), "block " + block + ", " + t);
      assertEquals(JAVA.pairsBetween(v, w, t), torch.pairsBetween(v, w, t));
    }
    assertArrayEquals(JAVA.nearest(v, v, self(v.length)), torch.nearest(v, v, self(v.length)));
    assertArrayEquals(
        JAVA.nearest(w, v, new int[w.length]), torch.nearest(w, v, new int[w.length]));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 5, 4096})
  void nearestEqualsJava(int block) {
    SimilaritySearch torch = new TorchSimilaritySearch(block);
    float[][] v = random(130, 8, 7 * block);
    float[][] q = random(45, 8, 7 * block + 1);
    int[] exclude = new int[q.length];
    for (int i = 0; i < q.length; i++) {
      exclude[i] = i % 4 == 0 ? -1 : (i * 11) % v.length;
    }
    assertArrayEquals(JAVA.nearest(q, v, exclude), torch.nearest(q, v, exclude));
    Nearest[] others = torch.nearest(v, v, self(v.length));
    assertArrayEquals(JAVA.nearest(v, v, self(v.length)), others);
    // excluding the only row leaves none
    float[][] one = {v[0]};
    assertArrayEquals(
        new Nearest[] {new Nearest(-1, Double.NaN)}, torch.nearest(one, one, new int[] {0}));
  }

  @Test
  void fullSizeVectorsWithPlantedPairsEqualJava() {
    float[][] v = random(2500, 512, 9);
    // rows 0..19 get a near copy at 1000 + i (their angle is under 10°)
    for (int i = 0; i < 20; i++) {
      for (int k = 0; k < 512; k++) {
        v[1000 + i][k] = 0.99f * v[i][k] + 0.01f * v[1000 + i][k];
      }
    }
    SimilaritySearch torch = new TorchSimilaritySearch(1024);
    List<Pair> pairs = torch.pairsWithin(v, 30);
    assertEquals(JAVA.pairsWithin(v, 30), pairs);
    assertEquals(20, pairs.size());
    for (Pair p : pairs) {
      assertEquals(p.a() + 1000, p.b());
    }
    float[][] q = random(300, 512, 10);
    assertArrayEquals(JAVA.nearest(q, v, new int[300]), torch.nearest(q, v, new int[300]));
  }

  @Test
  void emptyInputsAndArgumentChecks() {
    SimilaritySearch torch = new TorchSimilaritySearch();
    float[][] none = new float[0][];
    float[][] one = {{0.6f, 0.8f}};
    assertEquals(List.of(), torch.pairsWithin(none, 180));
    assertEquals(List.of(), torch.pairsWithin(one, 180));
    assertEquals(List.of(), torch.pairsBetween(one, none, 180));
    assertArrayEquals(
        JAVA.nearest(one, none, new int[] {-1}), torch.nearest(one, none, new int[] {-1}));
    assertEquals(
        "maxAngleDeg must be in [0, 180] degrees, got 200.0",
        assertThrows(IllegalArgumentException.class, () -> torch.pairsWithin(one, 200))
            .getMessage());
    assertEquals(
        "exclude[0] = 1 is neither -1 nor a row of unit (0..0)",
        assertThrows(IllegalArgumentException.class, () -> torch.nearest(one, one, new int[] {1}))
            .getMessage());
  }

  @Test
  void survivesSerialisation() throws Exception {
    TorchSimilaritySearch torch = new TorchSimilaritySearch(16);
    float[][] v = random(50, 6, 3);
    torch.pairsWithin(v, 40); // loads the engine into the transient field
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(torch);
    }
    SimilaritySearch copy;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (SimilaritySearch) in.readObject();
    }
    assertEquals(JAVA.pairsWithin(v, 40), copy.pairsWithin(v, 40));
    assertFalse(copy.pairsWithin(v, 40).isEmpty());
  }

  @Test
  void bestIsPytorchHere() {
    assertEquals("pytorch", SimilaritySearches.best().name());
    assertTrue(SimilaritySearches.best() == SimilaritySearches.best());
  }

  @Test
  void bestWhereRunTravelsAsItsNameAndAnswersAsTheLocalBest() throws Exception {
    float[][] v = {{1, 0, 0}, {0.8f, 0.6f, 0}, {0, 0, 1}};
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(SimilaritySearches.bestWhereRun());
    }
    assertTrue(bytes.size() < 200, "it carries no engine, no weights: " + bytes.size() + " bytes");
    SimilaritySearch copy;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (SimilaritySearch) in.readObject();
    }
    assertTrue(copy == SimilaritySearches.bestWhereRun());
    assertEquals(SimilaritySearches.best().name(), copy.name());
    assertEquals(JAVA.pairsWithin(v, 40), copy.pairsWithin(v, 40));
    assertEquals(1, copy.pairsWithin(v, 40).size());
  }
}
