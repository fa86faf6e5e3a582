package dev.facesieve.datasets.clean;

import java.util.Locale;
import javax.annotation.Nullable;

/**
 * Whether a face's embedding can be decided on: the right dimension, every value finite, not all
 * zeros.
 *
 * <p>A NaN makes every cosine NaN, and the comparisons of the rule then come out false, so such a
 * face was kept at angle 0; a zero vector has no direction and was dropped at 90°. Neither says
 * anything about the face's label, so {@code clean} quarantines both ({@code EMBEDDING_INVALID})
 * instead of keeping or dropping them. The check is the vector's own; a vector that is valid but
 * wrong (rows shuffled in a store) is caught by the store's hashes, not here.
 */
public final class EmbeddingCheck {
  private EmbeddingCheck() {}

  /**
   * What is wrong with {@code v} as an embedding of {@code dimension} values, or null when nothing
   * is.
   */
  @Nullable
  public static String problem(@Nullable float[] v, int dimension) {
    if (v == null) {
      return "no embedding";
    }
    if (v.length != dimension) {
      return String.format(
          Locale.ROOT, "embedding of %d values where the model has %d", v.length, dimension);
    }
    boolean zero = true;
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        return String.format(Locale.ROOT, "embedding value %d is %s", i, v[i]);
      }
      zero &= v[i] == 0f;
    }
    return zero ? "embedding is all zeros" : null;
  }
}
