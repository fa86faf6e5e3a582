package dev.facesieve.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * PyTorch 2.7.1's oneDNN convolution reorders its weight into a blocked layout padded to 16 input
 * channels (8 under AVX2) and leaves the padding as the allocator handed it over: with 24 input
 * channels, output channels whose block met NaN or Inf there came out NaN for every sample. How
 * often depended on what the process had freed before (about half of the runs of a 20-step loop on
 * a 2-core AMD EPYC; whole batches under two concurrent Flink workers). Filling the allocator with
 * freed NaN buffers first makes it happen every time.
 */
class ConvChannelPaddingTest {
  @Test
  void everyConvolutionTakesWholeChannelBlocks() {
    for (String name : new String[] {"small", "mobilefacenet", "iresnet18"}) {
      try (NDManager m = NDManager.newBaseManager()) {
        Block b = Backbones.create(name, 64);
        b.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        b.initialize(m, DataType.FLOAT32, new Shape(1, 3, 112, 112));
        for (Shape w : convWeights(b)) {
          long perGroup = w.get(1); // (C_out, C_in / groups, kH, kW)
          assertTrue(
              perGroup <= 4 || perGroup % Backbones.CHANNEL_BLOCK == 0,
              name + ": a convolution over " + perGroup + " input channels per group " + w);
        }
      }
    }
  }

  @Test
  void smallForwardStaysFiniteAndRepeatableOverNaNFilledFreedMemory() {
    try (NDManager m = NDManager.newBaseManager()) {
      Block b = Backbones.create("small", 64);
      b.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
      Engine.getInstance().setRandomSeed(5);
      b.initialize(m, DataType.FLOAT32, new Shape(1, 3, 112, 112));
      List<Shape> convs = convWeights(b);
      int n = 4;
      float[] data = new float[n * 3 * 112 * 112];
      Random r = new Random(5);
      for (int i = 0; i < data.length; i++) {
        data[i] = (float) r.nextGaussian();
      }
      float[] first = null;
      for (int step = 0; step < 6; step++) {
        try (NDManager sub = m.newSubManager()) {
          poison(sub, convs);
          NDArray x = sub.create(data, new Shape(n, 3, 112, 112));
          // training mode, as Trainer runs it; inference mode took the same convolution path
          float[] f =
              b.forward(new ParameterStore(sub, false), new NDList(x), step % 2 == 0)
                  .head()
                  .toFloatArray();
          int bad = 0;
          for (float v : f) {
            if (!Float.isFinite(v)) {
              bad++;
            }
          }
          assertEquals(0, bad, "non-finite embedding values at step " + step);
          if (step % 2 == 0) {
            if (first == null) {
              first = f;
            } else {
              assertArrayEquals(first, f, "step " + step + " differs from step 0");
            }
          }
        }
      }
    }
  }

  /**
   * Allocates and frees NaN-filled buffers the size of each convolution's weight as oneDNN pads it,
   * so that the next allocations of that size get NaN-filled memory.
   */
  private static void poison(NDManager manager, List<Shape> convs) {
    List<NDArray> held = new ArrayList<>();
    for (Shape w : convs) {
      long padded = (w.get(1) + 15) / 16 * 16;
      long outPadded = (w.get(0) + 15) / 16 * 16;
      for (int k = 0; k < 8; k++) {
        held.add(
            manager.full(new Shape(outPadded, padded, w.get(2), w.get(3) + (k % 4)), Float.NaN));
      }
    }
    for (NDArray a : held) {
      a.close();
    }
  }

  private static List<Shape> convWeights(Block b) {
    List<Shape> out = new ArrayList<>();
    collect(b, out);
    return out;
  }

  private static void collect(Block b, List<Shape> out) {
    if (b instanceof Conv2d) {
      for (Pair<String, Parameter> p : b.getParameters()) {
        if (p.getValue().getType() == Parameter.Type.WEIGHT) {
          out.add(p.getValue().getArray().getShape());
        }
      }
    }
    for (Pair<String, Block> c : b.getChildren()) {
      collect(c.getValue(), out);
    }
  }
}
