package dev.facesieve.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.clean.JavaSimilaritySearch;
import dev.facesieve.datasets.clean.SimilaritySearch;
import dev.facesieve.datasets.clean.SimilaritySearch.Pair;
import dev.facesieve.datasets.clean.SimilaritySearchContract;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link TorchSimilaritySearch}: the {@link SimilaritySearchContract} (brute force on exact
 * cosines, as for {@link JavaSimilaritySearch}), and what is its own: full-size vectors,
 * serialisation, and which search {@link SimilaritySearches} picks.
 */
class TorchSimilaritySearchTest extends SimilaritySearchContract {
  static final SimilaritySearch JAVA = new JavaSimilaritySearch();

  @BeforeAll
  static void offline() {
    System.setProperty("ai.djl.offline", "true");
  }

  @Override
  protected SimilaritySearch search(int block) {
    return new TorchSimilaritySearch(block);
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
