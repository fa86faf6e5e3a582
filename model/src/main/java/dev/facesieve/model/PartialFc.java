package dev.facesieve.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Partial FC's class sampling (An et al., "Partial FC", 2021): every positive class of the batch
 * plus uniformly drawn negatives, {@code max(⌈r·C⌉, #positives)} classes in all, sorted.
 */
public final class PartialFc {
  private PartialFc() {}

  /**
   * A step's sampled head rows: {@code index} (int64, {@code S·K}) into the head's weight and
   * {@code rows}, a copy of those rows {@code (S·K, D)} that is a gradient leaf of its own.
   */
  public record Rows(NDArray index, NDArray rows) {}

  /**
   * Copies the weight rows of {@code classes} into {@code manager} as a leaf for the step, to be
   * passed as the head's third input and applied by {@link MomentumSgd#updateRows}.
   */
  public static Rows gather(SubCenterArcFace head, long[] classes, NDManager manager) {
    NDArray index = manager.create(head.rowsOf(classes));
    NDArray rows = head.weight().getArray().get(new NDIndex("{}", index));
    rows.attach(manager);
    rows.setRequiresGradient(true);
    return new Rows(index, rows);
  }

  public static long[] sample(int[] labels, int classes, double rate, SplittableRandom r) {
    boolean[] chosen = new boolean[classes];
    int count = 0;
    for (int l : labels) {
      if (!chosen[l]) {
        chosen[l] = true;
        count++;
      }
    }
    int want = Math.min(classes, Math.max(count, (int) Math.ceil(rate * classes)));
    int free = classes - count;
    int need = want - count;
    // draw `need` of the `free` negatives without replacement (selection sampling)
    for (int c = 0; c < classes && need > 0; c++) {
      if (chosen[c]) {
        continue;
      }
      if (r.nextInt(free) < need) {
        chosen[c] = true;
        need--;
        count++;
      }
      free--;
    }
    long[] out = new long[count];
    int j = 0;
    for (int c = 0; c < classes; c++) {
      if (chosen[c]) {
        out[j++] = c;
      }
    }
    return Arrays.copyOf(out, j);
  }
}
