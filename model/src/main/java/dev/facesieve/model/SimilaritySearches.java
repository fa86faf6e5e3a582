package dev.facesieve.model;

import dev.facesieve.datasets.clean.JavaSimilaritySearch;
import dev.facesieve.datasets.clean.SimilaritySearch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the fastest {@link SimilaritySearch} that works here. */
public final class SimilaritySearches {
  private static final Logger LOG = LoggerFactory.getLogger(SimilaritySearches.class);

  private SimilaritySearches() {}

  /**
   * PyTorch's when its engine loads (offline) and multiplies, else the plain Java one (several
   * times slower; see docs/benchmarks-report.md). Decided, and logged, once per JVM.
   */
  public static SimilaritySearch best() {
    return Holder.BEST;
  }

  private static final class Holder {
    static final SimilaritySearch BEST = choose();
  }

  private static SimilaritySearch choose() {
    try {
      TorchSimilaritySearch torch = new TorchSimilaritySearch();
      float[][] probe = {{1, 0}, {0.8f, 0.6f}};
      if (torch.pairsWithin(probe, 45).size() != 1) {
        throw new IllegalStateException("the probe search gave a wrong answer");
      }
      LOG.info("similarity search: PyTorch {}", torch.engine().getVersion());
      return torch;
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("similarity search: plain Java (the PyTorch engine did not load: {})", e.toString());
      return new JavaSimilaritySearch();
    }
  }
}
