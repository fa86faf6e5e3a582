package dev.facesieve.model;

import dev.facesieve.datasets.clean.JavaSimilaritySearch;
import dev.facesieve.datasets.clean.SimilaritySearch;
import java.util.List;
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

  /**
   * A search that travels to Beam workers and runs there as {@link #best()} of the JVM it runs in:
   * PyTorch where its engine loads, else plain Java. Both give the same pairs bit for bit, so where
   * a stage runs does not change a decision; the driver's choice does not bind a worker without
   * PyTorch.
   */
  public static SimilaritySearch bestWhereRun() {
    return BestWhereRun.INSTANCE;
  }

  private static final class BestWhereRun implements SimilaritySearch {
    private static final long serialVersionUID = 1L;
    static final BestWhereRun INSTANCE = new BestWhereRun();

    private BestWhereRun() {}

    private Object readResolve() {
      return INSTANCE;
    }

    @Override
    public List<Pair> pairsWithin(float[][] unit, double maxAngleDeg) {
      return best().pairsWithin(unit, maxAngleDeg);
    }

    @Override
    public List<Pair> pairsBetween(float[][] left, float[][] right, double maxAngleDeg) {
      return best().pairsBetween(left, right, maxAngleDeg);
    }

    @Override
    public Nearest[] nearest(float[][] queries, float[][] unit, int[] exclude) {
      return best().nearest(queries, unit, exclude);
    }

    @Override
    public String name() {
      return best().name();
    }
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
