package dev.facesieve.datasets.clean;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * The sub-class policy's two cuts, read from distributions that label noise cannot move: the
 * per-face cut from the angles of faces to <em>other</em> people, the group cut from one person's
 * split halves and the typical distance to the nearest other person.
 *
 * <ul>
 *   <li><b>Face cut</b> ({@link Evidence#faceCutDeg}): a two-component reading. Genuine angles are
 *       faces to their own person's leave-one-out centroid; impostor angles are faces to the person
 *       centroid of another class, picked at random ({@link #IMPOSTORS_PER_FACE} per face, over a
 *       sample of {@link #SAMPLE_CLASSES} classes). The cut is the {@link #IMPOSTOR_PERCENTILE}th
 *       percentile of impostor angles: beyond it a face lies as far from its person as a stranger's
 *       face does, so keeping it would keep a stranger. Label noise hardly moves that percentile: a
 *       random other class is almost never the one a mislabelled face belongs to (chance 1/C), and
 *       a look-alike filed under a name moves one class's centroid, not the bulk of the
 *       distribution. The nearest-other-class percentile the cut used to come from falls with every
 *       look-alike (issue #26: 68.0° to 63.4° on web faces). The genuine side is reported ({@link
 *       Evidence#genuineBeyondCut}, the share of a person's own faces beyond the cut) but not used:
 *       its tail is exactly where mislabelled faces sit.
 *   <li><b>Group cut</b> ({@link Evidence#groupCutDeg}): halfway between the {@link
 *       Calibration#SPLIT_HALF_PERCENTILE}th percentile of split-half angles (two halves of one
 *       person) and the median angle from a class to its nearest other class (at least {@link
 *       Calibration#OTHER_PERSON_FLOOR_DEG}). Both are robust: split halves are read inside the
 *       person, and the median holds while fewer than half of the classes have a look-alike pulling
 *       their centroid.
 *   <li><b>Person spread</b> ({@link Evidence#spreadDeg}): the {@link #SPREAD_PERCENTILE}th
 *       percentile of genuine angles. A group beyond the group cut is another person only if its
 *       faces hold together like one person's photos ({@link #coherentWithinDeg}); a scatter of
 *       hard pictures of the named person (profile, greyscale, occluded) lies far from the dominant
 *       centroid too, but its faces are far from each other as well.
 * </ul>
 *
 * <p>Stability: each cut is read again from the classes of even and of odd label alone ({@link
 * Evidence#faceCutEvenOddDeg}, {@link Evidence#groupCutEvenOddDeg}); the gap between the two halves
 * is how far the cut would move with another draw of classes.
 */
public final class PersonCuts {
  private PersonCuts() {}

  /** Impostor angles are read at this percentile for the face cut. */
  public static final double IMPOSTOR_PERCENTILE = 10;

  /**
   * Groups judged another person must hold less than this share of their class together; more, and
   * the class has no clear majority person (a look-alike filed as often as the named person, or a
   * person split into pose groups next to an intruder group that took the dominant sub-centre):
   * which side is the person cannot be read from the class, so it is judged face by face.
   */
  public static final double MAX_OTHER_PERSON_SHARE = 0.45;

  /** Genuine angles at this percentile set the spread a group of one person holds together in. */
  public static final double SPREAD_PERCENTILE = 75;

  /** Classes whose faces stand in for "a face" in the impostor angles (a bottom-k hash sample). */
  public static final int SAMPLE_CLASSES = 2048;

  /** Faces each sampled class contributes. */
  public static final int FACES_PER_CLASS = 2;

  /** Other classes each sampled face is compared with. */
  public static final int IMPOSTORS_PER_FACE = 16;

  /**
   * Classes with fewer faces are judged face by face: with a handful of faces a class, its
   * sub-classes are pose clusters of three or four faces whose centroids lie as far apart as two
   * people (ORL, 10 faces a class: same-person groups at 50–76°), and no group statistic tells them
   * from a look-alike.
   */
  public static final int MIN_GROUP_CLASS_FACES = 18;

  /**
   * How the two cuts were read.
   *
   * @param faceCutDeg the per-face cut: the impostor percentile
   * @param impostorAngles how many impostor angles it was read from (0: none, the cut is the
   *     fallback {@link CleaningPolicy#DEFAULT_THRESHOLD_DEG})
   * @param impostorDeg histogram (1° bins) of the impostor angles
   * @param genuineBeyondCut share of genuine angles (faces to their person's leave-one-out
   *     centroid) beyond the face cut: about the share of a person's own faces the cut drops (an
   *     upper bound under noise, which sits in that tail)
   * @param spreadDeg the {@link #SPREAD_PERCENTILE}th percentile of genuine angles
   * @param splitHalfDeg the split-half percentile the group cut starts from
   * @param nearestOtherMedianDeg the median angle from a class to its nearest other class
   * @param groupCutDeg the group cut
   * @param faceCutEvenOddDeg the face cut read from even-labelled and from odd-labelled classes
   * @param groupCutEvenOddDeg the group cut read likewise
   */
  public record Evidence(
      double faceCutDeg,
      int impostorAngles,
      long[] impostorDeg,
      double genuineBeyondCut,
      double spreadDeg,
      double splitHalfDeg,
      double nearestOtherMedianDeg,
      double groupCutDeg,
      double[] faceCutEvenOddDeg,
      double[] groupCutEvenOddDeg)
      implements Serializable {

    /** The larger of the two cuts' even/odd gaps, degrees: how stable the calibration is. */
    public double spreadOfCutsDeg() {
      return Math.max(gap(faceCutEvenOddDeg), gap(groupCutEvenOddDeg));
    }

    private static double gap(double[] a) {
      return a == null || a.length < 2 || Double.isNaN(a[0]) || Double.isNaN(a[1])
          ? 0
          : Math.abs(a[0] - a[1]);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Evidence e
          && Double.compare(faceCutDeg, e.faceCutDeg) == 0
          && impostorAngles == e.impostorAngles
          && Arrays.equals(impostorDeg, e.impostorDeg)
          && Double.compare(genuineBeyondCut, e.genuineBeyondCut) == 0
          && Double.compare(spreadDeg, e.spreadDeg) == 0
          && Double.compare(splitHalfDeg, e.splitHalfDeg) == 0
          && Double.compare(nearestOtherMedianDeg, e.nearestOtherMedianDeg) == 0
          && Double.compare(groupCutDeg, e.groupCutDeg) == 0
          && Arrays.equals(faceCutEvenOddDeg, e.faceCutEvenOddDeg)
          && Arrays.equals(groupCutEvenOddDeg, e.groupCutEvenOddDeg);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(faceCutDeg, groupCutDeg, impostorAngles);
    }

    @Override
    public String toString() {
      return String.format(
          java.util.Locale.ROOT,
          "face cut %.1f° (even/odd %s) from %d impostor angles, %.2f%% of genuine beyond;"
              + " group cut %.1f° (even/odd %s) from split halves %.1f° and nearest other %.1f°;"
              + " spread %.1f°",
          faceCutDeg,
          Arrays.toString(faceCutEvenOddDeg),
          impostorAngles,
          100 * genuineBeyondCut,
          groupCutDeg,
          Arrays.toString(groupCutEvenOddDeg),
          splitHalfDeg,
          nearestOtherMedianDeg,
          spreadDeg);
    }
  }

  /**
   * The largest median leave-one-out angle within which a group of {@code m} faces holds together
   * like one person's photos of spread {@code spreadDeg}.
   *
   * <p>A face of a person at angle α from the person's direction, measured against the mean of m−1
   * other such faces (whose direction is off by θ, tan θ = tan α / √(m−1), the offsets being
   * independent), lies at about arccos(cos α · cos θ). With α the spread percentile this is the
   * angle below which most of a person's group would lie; a coherent look-alike group lies there, a
   * scatter of one person's hard pictures lies beyond.
   */
  public static double coherentWithinDeg(double spreadDeg, int m) {
    if (m < 2) {
      return 180;
    }
    double a = Math.toRadians(spreadDeg);
    double theta = Math.atan(Math.tan(a) / Math.sqrt(m - 1));
    return Math.toDegrees(Math.acos(Math.cos(a) * Math.cos(theta)));
  }

  /** {@link #FACES_PER_CLASS} of a person's faces, spread evenly over their order. */
  public static float[][] pick(float[][] person) {
    int f = Math.min(FACES_PER_CLASS, person.length);
    float[][] faces = new float[f][];
    for (int i = 0; i < f; i++) {
      faces[i] = person[(int) ((long) i * person.length / f)];
    }
    return faces;
  }

  /** A deterministic, mergeable sample of a few faces from at most {@link #SAMPLE_CLASSES}. */
  public static final class Sample implements Serializable {
    private static final long serialVersionUID = 1L;
    // bottom-k by a hash of the label: the same classes whatever the order of merges
    private final TreeMap<Long, Entry> kept = new TreeMap<>();

    private record Entry(int label, float[][] faces) implements Serializable {}

    /** Offers a class's sampled faces ({@link #pick}). */
    public Sample add(int label, float[][] faces) {
      if (faces.length > 0) {
        kept.put(key(label), new Entry(label, faces));
        trim();
      }
      return this;
    }

    public Sample merge(Sample o) {
      kept.putAll(o.kept);
      trim();
      return this;
    }

    private void trim() {
      while (kept.size() > SAMPLE_CLASSES) {
        kept.pollLastEntry();
      }
    }

    private static long key(int label) {
      long z = label * 0x9E3779B97F4A7C15L;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      return ((z ^ (z >>> 31)) << 32) | (label & 0xffffffffL);
    }

    /**
     * Impostor angles: each sampled face against {@link #IMPOSTORS_PER_FACE} other classes' person
     * centroids, the classes picked by a hash of the face; angles of even-labelled faces first.
     */
    double[][] impostorAnglesByParity(Centroids persons) {
      List<Double> even = new ArrayList<>();
      List<Double> odd = new ArrayList<>();
      int c = persons.size();
      if (c < 2) {
        return new double[][] {new double[0], new double[0]};
      }
      for (Entry e : kept.values()) {
        int own = persons.indexOf(e.label());
        for (int i = 0; i < e.faces().length; i++) {
          long h = key(e.label() * 31 + i);
          for (int r = 0; r < Math.min(IMPOSTORS_PER_FACE, c - 1); r++) {
            h = h * 6364136223846793005L + 1442695040888963407L;
            int o = (int) Math.floorMod(h >>> 17, (long) (c - 1));
            if (own >= 0 && o >= own) {
              o++;
            }
            double a = SubClasses.angleDeg(ClassScorer.dot(e.faces()[i], persons.centroid(o)));
            (e.label() % 2 == 0 ? even : odd).add(a);
          }
        }
      }
      return new double[][] {sorted(even), sorted(odd)};
    }
  }

  /**
   * Reads the cuts.
   *
   * @param impostor impostor angles of even- and of odd-labelled faces ({@link Sample})
   * @param genuine genuine-angle histograms ({@link Calibration#FINE_BINS} bins) of even- and of
   *     odd-labelled classes
   * @param split split-half histograms, likewise
   * @param nearest sorted nearest-other-class angles of even- and of odd-labelled classes
   */
  static Evidence read(double[][] impostor, long[][] genuine, long[][] split, double[][] nearest) {
    double[] allImpostor = merge(impostor[0], impostor[1]);
    long[] allGenuine = add(genuine[0], genuine[1]);
    long[] allSplit = add(split[0], split[1]);
    double[] allNearest = merge(nearest[0], nearest[1]);
    double face = faceCut(allImpostor);
    double fine = 180.0 / Calibration.FINE_BINS;
    double splitP = Calibration.percentile(allSplit, Calibration.SPLIT_HALF_PERCENTILE, fine);
    double nnMedian = allNearest.length == 0 ? Double.NaN : Calibration.percentile(allNearest, 50);
    long[] hist = new long[Calibration.BINS];
    for (double a : allImpostor) {
      hist[Calibration.bin(a, Calibration.BINS)]++;
    }
    return new Evidence(
        face,
        allImpostor.length,
        hist,
        beyond(allGenuine, face),
        Calibration.percentile(allGenuine, SPREAD_PERCENTILE, fine),
        splitP,
        nnMedian,
        groupCut(allSplit, allNearest),
        new double[] {faceCut(impostor[0]), faceCut(impostor[1])},
        new double[] {groupCut(split[0], nearest[0]), groupCut(split[1], nearest[1])});
  }

  private static double faceCut(double[] sortedImpostor) {
    return sortedImpostor.length == 0
        ? CleaningPolicy.DEFAULT_THRESHOLD_DEG
        : Calibration.percentile(sortedImpostor, IMPOSTOR_PERCENTILE);
  }

  private static double groupCut(long[] split, double[] sortedNearest) {
    if (sortedNearest.length == 0) {
      return CleaningPolicy.FALLBACK_OTHER_PERSON_DEG;
    }
    double nn = Calibration.percentile(sortedNearest, 50);
    double s =
        Calibration.percentile(
            split, Calibration.SPLIT_HALF_PERCENTILE, 180.0 / Calibration.FINE_BINS);
    double cut = Double.isNaN(s) ? nn / 2 : (s + nn) / 2;
    return Math.max(Calibration.OTHER_PERSON_FLOOR_DEG, cut);
  }

  /** The share of a histogram's mass in bins wholly beyond {@code deg}. */
  private static double beyond(long[] hist, double deg) {
    long total = Arrays.stream(hist).sum();
    if (total == 0) {
      return 0;
    }
    long out = 0;
    for (int i = 0; i < hist.length; i++) {
      if (i * 180.0 / hist.length >= deg) {
        out += hist[i];
      }
    }
    return out / (double) total;
  }

  private static double[] sorted(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
  }

  private static double[] merge(double[] a, double[] b) {
    double[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    Arrays.sort(out);
    return out;
  }

  private static long[] add(long[] a, long[] b) {
    long[] out = a.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] += b[i];
    }
    return out;
  }
}
