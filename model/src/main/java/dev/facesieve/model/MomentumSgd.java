package dev.facesieve.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * SGD with momentum and weight decay whose state can be saved: {@code v ← μv + g + λw; w ← w −
 * η·v}, then the gradient is zeroed. Parameters without gradients (BatchNorm running statistics)
 * are skipped.
 */
public final class MomentumSgd {
  private final List<Parameter> params = new ArrayList<>();
  private final List<NDArray> velocity = new ArrayList<>();
  private final double momentum;
  private final double weightDecay;

  public MomentumSgd(
      NDManager manager, Iterable<Parameter> parameters, double momentum, double weightDecay) {
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    for (Parameter p : parameters) {
      if (!p.requiresGradient()) {
        continue;
      }
      p.getArray().setRequiresGradient(true);
      params.add(p);
      velocity.add(manager.zeros(p.getArray().getShape()));
    }
  }

  /** Applies one update with learning rate {@code lr}. */
  public void update(double lr) {
    for (int i = 0; i < params.size(); i++) {
      NDArray w = params.get(i).getArray();
      NDArray g = w.getGradient();
      NDArray v = velocity.get(i);
      // Results of w.mul(...) belong to the parameter's long-lived manager: close them here or
      // every step leaks two copies of every parameter.
      try (NDArray decay = w.mul(weightDecay)) {
        v.muli(momentum).addi(g).addi(decay);
      }
      try (NDArray step = v.mul(lr)) {
        w.subi(step);
      }
      g.muli(0);
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
    for (Parameter p : params) {
      p.getArray().setRequiresGradient(true);
    }
  }
}
