package dev.facesieve.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class ChannelPreluTest {
  /**
   * Two channels with slopes 0.25 (the initial value) and 0.5, on x = [[-2, 0.5], [4, -1]] (batch
   * 1, channels 2, width 2). By hand: y = [[-0.5, 0.5], [4, -0.5]]; with L = Σ y, dL/dx is 1 where
   * x > 0 and the channel's slope elsewhere, and dL/dα_c = Σ of the channel's negative x.
   */
  @Test
  void matchesTheHandComputedValuesAndGradients() {
    try (NDManager m = NDManager.newBaseManager()) {
      ChannelPrelu p = new ChannelPrelu();
      p.initialize(m, DataType.FLOAT32, new Shape(1, 2, 2));
      NDArray alpha = p.getParameters().get("alpha").getArray();
      alpha.set(new float[] {0.25f, 0.5f});
      try (NDManager step = m.newSubManager()) {
        NDArray x = step.create(new float[] {-2f, 0.5f, 4f, -1f}, new Shape(1, 2, 2));
        x.setRequiresGradient(true);
        NDArray y;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          y = p.forward(new ParameterStore(step, false), new NDList(x), true).head();
          gc.backward(y.sum());
        }
        assertArrayEquals(new float[] {-0.5f, 0.5f, 4f, -0.5f}, y.toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {0.25f, 1f, 1f, 0.5f}, x.getGradient().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {-2f, -1f}, alpha.getGradient().toFloatArray(), 1e-6f);
      }
    }
  }
}
