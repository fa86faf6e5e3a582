package dev.facesieve.datasets.clean;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Every class's dominant sub-class centroid, for the two questions that look across classes: how
 * far is each class from its nearest other class (calibration), and which other class does a group
 * of faces belong to (relabelling).
 *
 * <p>C unit vectors of D floats (C·D·4 bytes: 200 MB for 100K classes at D = 512). A query costs
 * C·D multiply-adds ({@link JavaSimilaritySearch}).
 */
public final class Centroids implements Serializable {
  private static final long serialVersionUID = 1L;

  private static final SimilaritySearch SEARCH = new JavaSimilaritySearch();

  private final int[] labels;
  private final String[] identities;
  private final float[][] unit;

  /** A match: a class and the cosine to its centroid. */
  public record Match(int label, double cosine) {
    public double angleDeg() {
      return SubClasses.angleDeg(cosine);
    }
  }

  /**
   * @param labels class labels in increasing order
   * @param identities their names
   * @param unit their unit centroids, one per label, of equal length
   */
  public Centroids(int[] labels, String[] identities, float[][] unit) {
    checkArgument(
        labels.length == unit.length, "%s labels, %s centroids", labels.length, unit.length);
    checkArgument(labels.length == identities.length, "one identity per label");
    for (int i = 1; i < labels.length; i++) {
      checkArgument(
          labels[i] > labels[i - 1], "labels must increase, got %s", Arrays.toString(labels));
    }
    this.labels = labels;
    this.identities = identities;
    this.unit = unit;
  }

  public int size() {
    return labels.length;
  }

  public int label(int i) {
    return labels[i];
  }

  public String identity(int i) {
    return identities[i];
  }

  public float[] centroid(int i) {
    return unit[i];
  }

  /** The index of {@code label}, or −1. */
  public int indexOf(int label) {
    int i = Arrays.binarySearch(labels, label);
    return i < 0 ? -1 : i;
  }

  /** The nearest class to {@code v} other than {@code exclude}; null when there is none. */
  public Match nearestOther(float[] v, int exclude) {
    Match[] m = nearestOther(new float[][] {v}, new int[] {exclude});
    return m[0];
  }

  /**
   * For each query vector, the nearest class other than its {@code exclude} label (null when there
   * is none); ties go to the lower label. The search is {@link JavaSimilaritySearch#nearest}.
   */
  public Match[] nearestOther(float[][] queries, int[] exclude) {
    checkArgument(queries.length == exclude.length, "one excluded label per query");
    int q = queries.length;
    if (unit.length == 0 || q == 0) {
      return new Match[q];
    }
    int[] excludeRow = new int[q];
    for (int i = 0; i < q; i++) {
      excludeRow[i] = indexOf(exclude[i]);
    }
    SimilaritySearch.Nearest[] found = SEARCH.nearest(queries, unit, excludeRow);
    Match[] out = new Match[q];
    for (int i = 0; i < q; i++) {
      if (found[i].index() >= 0) {
        out[i] = new Match(labels[found[i].index()], found[i].cosine());
      }
    }
    return out;
  }
}
