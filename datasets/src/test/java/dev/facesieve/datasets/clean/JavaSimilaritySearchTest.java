package dev.facesieve.datasets.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.clean.SimilaritySearch.Pair;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/** {@link JavaSimilaritySearch}: the {@link SimilaritySearchContract}, and what is its own. */
class JavaSimilaritySearchTest extends SimilaritySearchContract {
  @Override
  protected SimilaritySearch search(int block) {
    return new JavaSimilaritySearch(block);
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
  void blockSizeIsChecked() {
    assertMessage("block must be > 0, got 0", () -> new JavaSimilaritySearch(0));
  }
}
