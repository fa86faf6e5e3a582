package dev.facesieve.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;

/** One training step's labels and the input its features are computed from. */
sealed interface Batch permits Batch.Images, Batch.Embeddings {
  int[] labels();

  /**
   * The input tensor of the step; drawing from {@code r} (a pure function of the seed and the step)
   * before the step's Partial-FC sample.
   */
  NDArray input(NDManager m, SplittableRandom r);

  /** Decoded faces; each is mirrored or not by one draw, in batch order. */
  record Images(int[] labels, BufferedImage[] images, Preprocessing preprocessing)
      implements Batch {
    @Override
    public NDArray input(NDManager m, SplittableRandom r) {
      boolean[] flip = new boolean[images.length];
      for (int i = 0; i < flip.length; i++) {
        flip[i] = r.nextBoolean();
      }
      return preprocessing.toTensor(m, images, flip);
    }
  }

  /** Rows of the embedding cache; draws nothing. */
  record Embeddings(int[] labels, float[][] embeddings) implements Batch {
    @Override
    public NDArray input(NDManager m, SplittableRandom r) {
      return m.create(embeddings);
    }
  }
}
