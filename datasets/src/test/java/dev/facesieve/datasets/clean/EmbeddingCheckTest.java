package dev.facesieve.datasets.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class EmbeddingCheckTest {
  @Test
  void aFiniteNonZeroVectorOfTheModelsDimensionPasses() {
    assertNull(EmbeddingCheck.problem(new float[] {0f, -0.6f, 0.8f}, 3));
    assertNull(EmbeddingCheck.problem(new float[] {Float.MIN_VALUE, 0f, 0f}, 3));
  }

  @Test
  void eachProblemIsNamed() {
    assertEquals("no embedding", EmbeddingCheck.problem(null, 3));
    assertEquals(
        "embedding of 2 values where the model has 3",
        EmbeddingCheck.problem(new float[] {1f, 0f}, 3));
    assertEquals(
        "embedding value 1 is NaN", EmbeddingCheck.problem(new float[] {1f, Float.NaN, 0f}, 3));
    assertEquals(
        "embedding value 2 is -Infinity",
        EmbeddingCheck.problem(new float[] {1f, 0f, Float.NEGATIVE_INFINITY}, 3));
    assertEquals("embedding is all zeros", EmbeddingCheck.problem(new float[] {0f, -0f, 0f}, 3));
  }
}
