package dev.facesieve.model;

import java.awt.image.BufferedImage;

/**
 * Maps face images to L2-normalised embeddings. Implementations hold native resources: create one
 * per worker (in a DoFn's {@code @Setup}) and close it.
 */
public interface Embedder extends AutoCloseable {
  /** Embedding size D. */
  int dimension();

  /** The declared input preprocessing. */
  Preprocessing preprocessing();

  /** Embeds a batch; row {@code i} is the unit-length embedding of {@code images[i]}. */
  float[][] embed(BufferedImage[] images);

  @Override
  void close();

  /** Splits a row-major {@code n × d} buffer into rows. */
  static float[][] splitRows(float[] flat, int n) {
    int d = flat.length / n;
    float[][] out = new float[n][];
    for (int i = 0; i < n; i++) {
      out[i] = java.util.Arrays.copyOfRange(flat, i * d, (i + 1) * d);
    }
    return out;
  }

  /** Normalises each row to unit length in place (zero rows stay zero). */
  static float[][] normalizeRows(float[][] rows) {
    for (float[] r : rows) {
      double n = 0;
      for (float v : r) {
        n += v * v;
      }
      n = Math.sqrt(n);
      if (n > 0) {
        for (int i = 0; i < r.length; i++) {
          r[i] /= (float) n;
        }
      }
    }
    return rows;
  }
}
