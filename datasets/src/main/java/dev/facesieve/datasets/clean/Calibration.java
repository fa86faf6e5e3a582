package dev.facesieve.datasets.clean;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Thresholds read from the data: how far apart two people are in this embedding space, and how far
 * one person's faces stray from their centroid.
 *
 * <p>The same angle means different things for different embedders, so the defaults are not
 * constants. Two statistics of the run's own embeddings set them:
 *
 * <ul>
 *   <li><b>another person</b> ({@link #otherPersonDeg}): every class's dominant sub-class centroid
 *       is compared with every other class's; the angle to the nearest other class is how far the
 *       closest look-alike lies. The cut is a low percentile ({@link #OTHER_PERSON_PERCENTILE}) of
 *       those angles, and at least {@link #OTHER_PERSON_FLOOR_DEG}: a group of faces whose centroid
 *       lies farther than that from the class's own is as far as another person. The percentile,
 *       not the minimum, so that a few duplicate identities (one person under two labels) do not
 *       drag the cut down; the floor, for when so many classes are captured by one look-alike that
 *       even the percentile is a duplicate.
 *   <li><b>outlier face</b> ({@link #outlierDeg}): where a typical face of the nearest other person
 *       would sit. A face at angle α from its own person's centroid, whose person lies δ from this
 *       class, is at about arccos(cos α · cos δ) from this class's centroid (in high dimensions the
 *       two offsets are orthogonal); the cut takes α as the median angle of a face to its
 *       sub-class's centroid (leave-one-out: with a few faces a sub-class, each face would pull its
 *       centroid towards itself) and δ as the "another person" cut. A face beyond it is farther
 *       from the person than a look-alike's typical face is.
 *   <li><b>relabel</b> ({@link #relabelFaceDeg}): a dropped face, or a dropped sub-class's
 *       centroid, is moved to another class only if it lies within the median face angle α of that
 *       class's centroid (as close as a typical face of that person, not a borderline one). Looser,
 *       and an open-set intruder that merely resembles some class would be moved there.
 * </ul>
 *
 * <p>{@link Stats} gathers both from per-class summaries ({@link ClassStats}) and merges, so a
 * runner can combine it across workers; {@link Stats#calibrate} searches at most {@link
 * #MAX_QUERIES} classes (evenly spaced by label) against all C for the nearest-other angles, which
 * bounds the cost at 100K classes to {@code MAX_QUERIES · C · D} multiply-adds.
 *
 * @param otherPersonDeg the angle between sub-class centroids above which they are two people
 * @param outlierDeg the angle from a face to its person's centroid above which it is an outlier
 * @param relabelFaceDeg the angle within which a single face must lie of another class's centroid
 *     to be moved there
 * @param evidence what the cuts were read from, for the report
 */
public record Calibration(
    double otherPersonDeg, double outlierDeg, double relabelFaceDeg, Evidence evidence)
    implements Serializable {

  /** Percentile of nearest-other-class angles the "another person" cut starts from. */
  public static final double OTHER_PERSON_PERCENTILE = 5;

  /** The "another person" cut is never below this. */
  public static final double OTHER_PERSON_FLOOR_DEG = 45;

  /** The most classes whose nearest other class is searched. */
  public static final int MAX_QUERIES = 4096;

  /** Histogram bin width of the evidence, degrees. */
  public static final double BIN_DEG = 1;

  /** Histogram bins over [0°, 180°]. */
  static final int BINS = (int) Math.round(180 / BIN_DEG);

  /** Finer bins for percentiles of face angles. */
  static final int FINE_BINS = 1800;

  /**
   * What the thresholds were read from.
   *
   * @param classes classes with faces
   * @param classesSearched classes whose nearest other class was found
   * @param nearestOtherPercentileDeg the {@link #OTHER_PERSON_PERCENTILE} percentile of
   *     nearest-other-class angles (NaN with fewer than two classes)
   * @param faceMedianDeg the median leave-one-out angle of a dominant sub-class's face
   * @param faceP25Deg the 25th percentile of those angles
   * @param sameClassSubclassDeg histogram (1° bins) of the angles from each non-dominant sub-class
   *     centroid (of at least the minimum sub-class size) to its class's dominant one
   * @param nearestOtherClassDeg histogram of each searched class's angle to its nearest other class
   * @param faceDeg histogram of those leave-one-out angles
   */
  public record Evidence(
      int classes,
      int classesSearched,
      double nearestOtherPercentileDeg,
      double faceMedianDeg,
      double faceP25Deg,
      long[] sameClassSubclassDeg,
      long[] nearestOtherClassDeg,
      long[] faceDeg)
      implements Serializable {
    // records compare arrays by identity; evidence read back from summary.json must equal what
    // was written
    @Override
    public boolean equals(Object o) {
      return o instanceof Evidence e
          && classes == e.classes
          && classesSearched == e.classesSearched
          && Double.compare(nearestOtherPercentileDeg, e.nearestOtherPercentileDeg) == 0
          && Double.compare(faceMedianDeg, e.faceMedianDeg) == 0
          && Double.compare(faceP25Deg, e.faceP25Deg) == 0
          && Arrays.equals(sameClassSubclassDeg, e.sameClassSubclassDeg)
          && Arrays.equals(nearestOtherClassDeg, e.nearestOtherClassDeg)
          && Arrays.equals(faceDeg, e.faceDeg);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(classes, classesSearched, nearestOtherPercentileDeg)
          + 31 * Arrays.hashCode(faceDeg);
    }
  }

  /** One class's contribution: its dominant centroid and angles. */
  public record ClassStats(
      int label,
      String identity,
      float[] dominantCentroid,
      double[] subclassAnglesDeg,
      double[] faceAnglesDeg)
      implements Serializable {

    /**
     * From a class's sub-classes: the angles of non-dominant sub-classes of at least {@code
     * minSubclassSize} faces, and the leave-one-out angles of the dominant sub-class's faces.
     */
    public static ClassStats of(
        int label,
        String identity,
        float[][] x,
        ClassScorer.Scores s,
        SubClasses sc,
        int minSubclassSize) {
      double[] sub =
          java.util.stream.IntStream.range(0, sc.size().length)
              .filter(j -> j != sc.dominant() && sc.size()[j] >= Math.max(1, minSubclassSize))
              .mapToDouble(j -> sc.angleToDominantDeg()[j])
              .toArray();
      List<float[]> dominant = new ArrayList<>();
      for (int i = 0; i < x.length; i++) {
        if (s.nearest()[i] == sc.dominant()) {
          dominant.add(x[i]);
        }
      }
      double[] face = SubClasses.leaveOneOutAnglesDeg(dominant.toArray(new float[0][]));
      return new ClassStats(label, identity, sc.dominantCentroid(), sub, face);
    }
  }

  /** A mergeable accumulator of {@link ClassStats}. */
  public static final class Stats implements Serializable {
    private static final long serialVersionUID = 1L;
    private final TreeMap<Integer, float[]> centroids = new TreeMap<>();
    private final TreeMap<Integer, String> identities = new TreeMap<>();
    private final long[] subclass = new long[BINS];
    private final long[] face = new long[FINE_BINS];

    public Stats add(ClassStats c) {
      checkArgument(
          centroids.put(c.label(), c.dominantCentroid()) == null, "class %s twice", c.label());
      identities.put(c.label(), c.identity());
      for (double a : c.subclassAnglesDeg()) {
        subclass[bin(a, BINS)]++;
      }
      for (double a : c.faceAnglesDeg()) {
        face[bin(a, FINE_BINS)]++;
      }
      return this;
    }

    public Stats merge(Stats o) {
      for (Map.Entry<Integer, float[]> e : o.centroids.entrySet()) {
        checkArgument(
            centroids.put(e.getKey(), e.getValue()) == null, "class %s twice", e.getKey());
      }
      identities.putAll(o.identities);
      for (int i = 0; i < BINS; i++) {
        subclass[i] += o.subclass[i];
      }
      for (int i = 0; i < FINE_BINS; i++) {
        face[i] += o.face[i];
      }
      return this;
    }

    /** Every class's dominant centroid, by label. */
    public Centroids centroids() {
      int[] labels = centroids.keySet().stream().mapToInt(Integer::intValue).toArray();
      return new Centroids(
          labels,
          identities.values().toArray(new String[0]),
          centroids.values().toArray(new float[0][]));
    }

    /** The thresholds and their evidence. */
    public Calibration calibrate() {
      Centroids all = centroids();
      int c = all.size();
      int q = Math.min(c, MAX_QUERIES);
      float[][] queries = new float[q][];
      int[] exclude = new int[q];
      for (int i = 0; i < q; i++) {
        int idx = (int) ((long) i * c / q);
        queries[i] = all.centroid(idx);
        exclude[i] = all.label(idx);
      }
      double[] nn =
          Arrays.stream(all.nearestOther(queries, exclude))
              .filter(java.util.Objects::nonNull)
              .mapToDouble(Centroids.Match::angleDeg)
              .sorted()
              .toArray();
      long[] nnHist = new long[BINS];
      for (double a : nn) {
        nnHist[bin(a, BINS)]++;
      }
      double nnP = nn.length == 0 ? Double.NaN : percentile(nn, OTHER_PERSON_PERCENTILE);
      double p50 = percentile(face, 50, 180.0 / FINE_BINS);
      double p25 = percentile(face, 25, 180.0 / FINE_BINS);
      double person =
          Double.isNaN(nnP)
              ? CleaningPolicy.FALLBACK_OTHER_PERSON_DEG
              : Math.max(OTHER_PERSON_FLOOR_DEG, nnP);
      double outlier =
          Double.isNaN(p50) || Double.isNaN(nnP)
              ? CleaningPolicy.DEFAULT_THRESHOLD_DEG
              : Math.toDegrees(
                  Math.acos(Math.cos(Math.toRadians(p50)) * Math.cos(Math.toRadians(person))));
      double relabelFace = Double.isNaN(p50) ? 0 : p50;
      long[] faceCoarse = new long[BINS];
      for (int i = 0; i < FINE_BINS; i++) {
        faceCoarse[i * BINS / FINE_BINS] += face[i];
      }
      return new Calibration(
          round(person),
          round(Math.min(180, outlier)),
          round(relabelFace),
          new Evidence(
              c, nn.length, nnP, round(p50), round(p25), subclass.clone(), nnHist, faceCoarse));
    }
  }

  /**
   * True when the nearest-other-class percentile fell below the floor: so many classes share their
   * dominant person with another class (one look-alike captured them, or many identities are
   * duplicated) that "the class's person" is not to be trusted, and moving faces between such
   * classes would move them to the wrong name. {@link CleaningPolicy#resolve} turns relabelling
   * off.
   */
  public boolean collapsed() {
    return !Double.isNaN(evidence.nearestOtherPercentileDeg())
        && evidence.nearestOtherPercentileDeg() < OTHER_PERSON_FLOOR_DEG;
  }

  private static double round(double deg) {
    return Double.isNaN(deg) ? deg : Math.round(deg * 10) / 10.0;
  }

  static int bin(double deg, int bins) {
    if (Double.isNaN(deg)) {
      return 0;
    }
    return (int) Math.max(0, Math.min(bins - 1, Math.floor(deg / 180 * bins)));
  }

  /** The p-th percentile (nearest rank) of sorted values. */
  static double percentile(double[] sorted, double p) {
    int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  /** The p-th percentile of a histogram, as its bin's upper edge; NaN when it is empty. */
  static double percentile(long[] hist, double p, double binDeg) {
    long total = Arrays.stream(hist).sum();
    if (total == 0) {
      return Double.NaN;
    }
    long rank = (long) Math.ceil(p / 100 * total);
    long seen = 0;
    for (int i = 0; i < hist.length; i++) {
      seen += hist[i];
      if (seen >= Math.max(1, rank)) {
        return (i + 1) * binDeg;
      }
    }
    return 180;
  }
}
