package dev.facesieve.model;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * SGD with momentum and weight decay whose state can be saved: {@code v ← μv + g + λw; w ← w −
 * η·v}, then the gradient is zeroed. Parameters without gradients (BatchNorm running statistics)
 * are skipped.
 *
 * <p>A parameter registered as row-sparse (the head's weight under Partial FC) is not touched by
 * {@link #update}: the caller gathers the rows a step uses into a leaf of their own, and {@link
 * #updateRows} applies the same rule to those rows and their momentum only, then scatters both
 * back. This is Partial FC's original update (An et al. 2021; insightface's first {@code
 * partial_fc.py}): rows outside the sample keep their weight and momentum, and the step costs
 * {@code O(S·K·D)}, not {@code O(C·K·D)}, which on a CPU is what bounds a 100K-class step.
 */
public final class MomentumSgd {
  private final List<Parameter> params = new ArrayList<>();
  private final List<NDArray> velocity = new ArrayList<>();
  private final List<Boolean> sparse = new ArrayList<>();
  private final double momentum;
  private final double weightDecay;

  public MomentumSgd(
      NDManager manager, Iterable<Parameter> parameters, double momentum, double weightDecay) {
    this(manager, parameters, List.of(), momentum, weightDecay);
  }

  /**
   * An optimiser over dense {@code parameters} followed by row-sparse {@code sparseParameters}
   * (2-d, updated by {@link #updateRows}; no gradient is kept for them).
   */
  public MomentumSgd(
      NDManager manager,
      Iterable<Parameter> parameters,
      Iterable<Parameter> sparseParameters,
      double momentum,
      double weightDecay) {
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    for (Parameter p : parameters) {
      if (!p.requiresGradient()) {
        continue;
      }
      p.getArray().setRequiresGradient(true);
      add(manager, p, false);
    }
    for (Parameter p : sparseParameters) {
      checkArgument(
          p.getArray().getShape().dimension() == 2,
          "a row-sparse parameter must be 2-d, %s is %s",
          p.getName(),
          p.getArray().getShape());
      add(manager, p, true);
    }
  }

  private void add(NDManager manager, Parameter p, boolean isSparse) {
    params.add(p);
    velocity.add(manager.zeros(p.getArray().getShape()));
    sparse.add(isSparse);
  }

  /** Applies one update with learning rate {@code lr} to every dense parameter. */
  public void update(double lr) {
    for (int i = 0; i < params.size(); i++) {
      if (sparse.get(i)) {
        continue;
      }
      NDArray w = params.get(i).getArray();
      NDArray v = velocity.get(i);
      // getGradient() returns a new handle in the parameter's long-lived manager, and so do
      // results of w.mul(...): close them here or every step leaks them.
      try (NDArray g = w.getGradient()) {
        try (NDArray decay = w.mul(weightDecay)) {
          v.muli(momentum).addi(g).addi(decay);
        }
        try (NDArray step = v.mul(lr)) {
          w.subi(step);
        }
        g.muli(0);
      }
    }
  }

  /**
   * Applies one update to rows {@code index} of the row-sparse parameter {@code p}.
   *
   * @param rows the leaf the step used in place of those rows, {@code (R, D)}, holding their values
   *     before the step and, after the backward pass, their gradient
   * @param index int64 row numbers {@code (R)}, without repeats
   */
  public void updateRows(Parameter p, NDArray rows, NDArray index, double lr) {
    int i = params.indexOf(p);
    checkArgument(i >= 0 && sparse.get(i), "%s is not a row-sparse parameter", p.getName());
    NDIndex at = new NDIndex("{}", index);
    NDManager batch = rows.getManager();
    try (NDManager scope = batch.newSubManager()) {
      NDArray g = rows.getGradient();
      g.attach(scope);
      NDArray w = rows.stopGradient();
      w.attach(scope);
      NDArray v = velocity.get(i).get(at);
      v.attach(scope);
      NDArray nv = v.mul(momentum).add(g).add(w.mul(weightDecay));
      NDArray nw = w.sub(nv.mul(lr));
      velocity.get(i).set(at, nv);
      p.getArray().set(at, nw);
    }
  }

  /** The momentum buffers, in parameter order (for checkpoints). */
  public NDList state() {
    return new NDList(velocity.toArray(new NDArray[0]));
  }

  /** Restores buffers saved by {@link #state()} and re-attaches gradients to the parameters. */
  public void restore(NDList saved) {
    for (int i = 0; i < velocity.size(); i++) {
      velocity.get(i).set(saved.get(i).toFloatArray());
    }
    for (int i = 0; i < params.size(); i++) {
      if (!sparse.get(i)) {
        params.get(i).getArray().setRequiresGradient(true);
      }
    }
  }
}
