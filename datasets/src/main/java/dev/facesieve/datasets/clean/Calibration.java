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
 *   <li><b>another person</b> ({@link #otherPersonDeg}) and <b>outlier face</b> ({@link
 *       #outlierDeg}): the group cut and the per-face cut of the sub-class policy, read by {@link
 *       PersonCuts} from distributions that label noise cannot move (impostor angles, split halves,
 *       the median nearest other class); {@link #cuts} says how, and how stable they are. Neither
 *       depends on the nearest-other-class percentile any more: every look-alike filed under a name
 *       pulls that percentile, and the cuts with it, down.
 *   <li><b>relabel</b> ({@link #relabelFaceDeg}): a dropped face, or a dropped sub-class's
 *       centroid, is moved to another class only if it lies within the median face angle α of that
 *       class's centroid (as close as a typical face of that person, not a borderline one). Looser,
 *       and an open-set intruder that merely resembles some class would be moved there.
 *   <li><b>duplicate identity</b> ({@link #duplicateIdentityDeg}): two classes are one person when
 *       their person centroids ({@link ClassStats#personCentroid}) lie closer than halfway between
 *       how far apart two halves of one person's faces lie and how far the nearest other person
 *       lies: the midpoint of the {@link #SPLIT_HALF_PERCENTILE}th percentile of split-half angles
 *       (each class's person's faces split in two by position, the angle between the halves'
 *       centroids) and the nearest other person. That is the "another person" percentile taken a
 *       second time, with each class compared with its nearest class outside the classes within the
 *       first cut of it ({@link #duplicateReferenceDeg}): many duplicates would otherwise drag the
 *       percentile, and the cut, down with them. With the shared embedder on LFW, halves of one
 *       person lie 3–43° apart and the nearest other person 59–80°.
 *   <li><b>near-duplicate image</b> ({@link #nearDuplicateDeg}): two faces of a class are copies of
 *       one picture (re-encoded, slightly brightened or cropped) when their embeddings lie closer
 *       than {@link #NEAR_DUPLICATE_FRACTION} of the median face angle α: far below the nearest
 *       distinct photo of the same person, which sits about α away.
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
 * @param cuts how the per-face and group cuts were read and how stable they are ({@link
 *     PersonCuts}); null in a summary written before it
 */
public record Calibration(
    double otherPersonDeg,
    double outlierDeg,
    double relabelFaceDeg,
    double duplicateIdentityDeg,
    double nearDuplicateDeg,
    Evidence evidence,
    PersonCuts.Evidence cuts)
    implements Serializable {

  /** Percentile of split-half angles taken as "the same person" for duplicate identities. */
  public static final double SPLIT_HALF_PERCENTILE = 95;

  /**
   * Near-duplicate images lie closer than this fraction of the median face angle. Measured on
   * planted copies (docs/quality.md): at 0.25 a JPEG q75 re-encode was missed on ORL half the time;
   * at 0.35 it is caught, and the closest distinct photos of one person (LFW's 1st percentile
   * 18.5°, ORL's closest pair 11.3°) stay apart.
   */
  public static final double NEAR_DUPLICATE_FRACTION = 0.35;

  /** Classes need this many dominant faces for a split-half angle. */
  public static final int MIN_SPLIT_FACES = 4;

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
   * @param splitHalfP95Deg the {@link #SPLIT_HALF_PERCENTILE}th percentile of split-half angles
   *     (NaN when no class has {@link #MIN_SPLIT_FACES} dominant faces)
   * @param splitHalfDeg histogram of split-half angles: the same person's two halves
   * @param nearestFaceDeg histogram of each of the person's faces' angle to its nearest other one
   * @param nearestOutsidePercentileDeg the {@link #OTHER_PERSON_PERCENTILE} percentile of each
   *     searched class's angle to its nearest class outside its first-pass duplicates (NaN with
   *     fewer than two classes): the duplicate-identity cut's "nearest other person"
   */
  public record Evidence(
      int classes,
      int classesSearched,
      double nearestOtherPercentileDeg,
      double faceMedianDeg,
      double faceP25Deg,
      long[] sameClassSubclassDeg,
      long[] nearestOtherClassDeg,
      long[] faceDeg,
      double splitHalfP95Deg,
      long[] splitHalfDeg,
      long[] nearestFaceDeg,
      double nearestOutsidePercentileDeg)
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
          && Arrays.equals(faceDeg, e.faceDeg)
          && Double.compare(splitHalfP95Deg, e.splitHalfP95Deg) == 0
          && Arrays.equals(splitHalfDeg, e.splitHalfDeg)
          && Arrays.equals(nearestFaceDeg, e.nearestFaceDeg)
          && Double.compare(nearestOutsidePercentileDeg, e.nearestOutsidePercentileDeg) == 0;
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(classes, classesSearched, nearestOtherPercentileDeg)
          + 31 * Arrays.hashCode(faceDeg);
    }
  }

  /**
   * One class's contribution: its dominant centroid and angles.
   *
   * @param faces the class's faces (the largest class of a duplicate group keeps its label)
   * @param personCentroid the unit mean of the person's faces: every face but those of a
   *     non-dominant sub-class that could be another person (at least the minimum sub-class size,
   *     and its centroid beyond {@link #OTHER_PERSON_FLOOR_DEG} of the dominant one; no calibration
   *     puts the "another person" cut below that floor). Classes are compared on it across classes:
   *     with few faces a class (ORL: 10), the dominant sub-class alone holds two or three and its
   *     mean is too noisy to tell one person's two folders from two people.
   * @param splitHalfDeg the angle between the centroids of the person's faces at even and at odd
   *     positions (NaN with fewer than {@link #MIN_SPLIT_FACES})
   * @param nearestFaceAnglesDeg each of the person's faces' angle to its nearest other one
   * @param personSample a few of the person's faces, for the impostor angles ({@link PersonCuts})
   */
  public record ClassStats(
      int label,
      String identity,
      float[] dominantCentroid,
      double[] subclassAnglesDeg,
      double[] faceAnglesDeg,
      int faces,
      float[] personCentroid,
      double splitHalfDeg,
      double[] nearestFaceAnglesDeg,
      float[][] personSample)
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
      List<float[]> person = new ArrayList<>();
      for (int i = 0; i < x.length; i++) {
        int j = s.nearest()[i];
        boolean maybeAnother =
            j != sc.dominant()
                && sc.size()[j] >= Math.max(1, minSubclassSize)
                && sc.angleToDominantDeg()[j] > OTHER_PERSON_FLOOR_DEG;
        if (!maybeAnother) {
          person.add(x[i]);
        }
      }
      float[][] own = person.toArray(new float[0][]);
      return new ClassStats(
          label,
          identity,
          sc.dominantCentroid(),
          sub,
          face,
          x.length,
          SubClasses.mean(own),
          splitHalfDeg(own),
          nearestOtherRowDeg(own),
          PersonCuts.pick(own));
    }

    /** The angle between the centroids of the rows at even and at odd positions. */
    static double splitHalfDeg(float[][] rows) {
      if (rows.length < MIN_SPLIT_FACES) {
        return Double.NaN;
      }
      List<float[]> even = new ArrayList<>();
      List<float[]> odd = new ArrayList<>();
      for (int i = 0; i < rows.length; i++) {
        (i % 2 == 0 ? even : odd).add(rows[i]);
      }
      return SubClasses.angleDeg(
          ClassScorer.dot(
              SubClasses.mean(even.toArray(new float[0][])),
              SubClasses.mean(odd.toArray(new float[0][]))));
    }

    /** Each row's angle to its nearest other row (none for a single row). */
    static double[] nearestOtherRowDeg(float[][] rows) {
      if (rows.length < 2) {
        return new double[0];
      }
      double[] best = new double[rows.length];
      Arrays.fill(best, -2);
      for (int i = 0; i < rows.length; i++) {
        for (int j = i + 1; j < rows.length; j++) {
          double c = ClassScorer.dot(rows[i], rows[j]);
          best[i] = Math.max(best[i], c);
          best[j] = Math.max(best[j], c);
        }
      }
      double[] out = new double[rows.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = SubClasses.angleDeg(best[i]);
      }
      return out;
    }
  }

  /** A mergeable accumulator of {@link ClassStats}. */
  public static final class Stats implements Serializable {
    private static final long serialVersionUID = 1L;
    private final TreeMap<Integer, float[]> centroids = new TreeMap<>();
    private final TreeMap<Integer, String> identities = new TreeMap<>();
    private final TreeMap<Integer, float[]> persons = new TreeMap<>();
    private final TreeMap<Integer, Integer> faces = new TreeMap<>();
    private final long[] subclass = new long[BINS];
    // genuine (leave-one-out) face angles and split-half angles, by label parity (PersonCuts reads
    // each half alone for the cuts' stability)
    private final long[][] face = new long[2][FINE_BINS];
    private final long[][] split = new long[2][FINE_BINS];
    private final PersonCuts.Sample sample = new PersonCuts.Sample();
    private final long[] nearestFace = new long[BINS];

    public Stats add(ClassStats c) {
      checkArgument(
          centroids.put(c.label(), c.dominantCentroid()) == null, "class %s twice", c.label());
      identities.put(c.label(), c.identity());
      faces.put(c.label(), c.faces());
      persons.put(c.label(), c.personCentroid());
      for (double a : c.subclassAnglesDeg()) {
        subclass[bin(a, BINS)]++;
      }
      int parity = Math.floorMod(c.label(), 2);
      for (double a : c.faceAnglesDeg()) {
        face[parity][bin(a, FINE_BINS)]++;
      }
      if (!Double.isNaN(c.splitHalfDeg())) {
        split[parity][bin(c.splitHalfDeg(), FINE_BINS)]++;
      }
      if (c.personSample() != null) {
        sample.add(c.label(), c.personSample());
      }
      for (double a : c.nearestFaceAnglesDeg()) {
        nearestFace[bin(a, BINS)]++;
      }
      return this;
    }

    public Stats merge(Stats o) {
      for (Map.Entry<Integer, float[]> e : o.centroids.entrySet()) {
        checkArgument(
            centroids.put(e.getKey(), e.getValue()) == null, "class %s twice", e.getKey());
      }
      identities.putAll(o.identities);
      faces.putAll(o.faces);
      persons.putAll(o.persons);
      for (int i = 0; i < BINS; i++) {
        subclass[i] += o.subclass[i];
        nearestFace[i] += o.nearestFace[i];
      }
      for (int p = 0; p < 2; p++) {
        for (int i = 0; i < FINE_BINS; i++) {
          face[p][i] += o.face[p][i];
          split[p][i] += o.split[p][i];
        }
      }
      sample.merge(o.sample);
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

    /** Every class's person centroid ({@link ClassStats#personCentroid}), by label. */
    public Centroids personCentroids() {
      int[] labels = persons.keySet().stream().mapToInt(Integer::intValue).toArray();
      return new Centroids(
          labels,
          identities.values().toArray(new String[0]),
          persons.values().toArray(new float[0][]));
    }

    /** Every class's face count, by label. */
    public java.util.SortedMap<Integer, Integer> faces() {
      return java.util.Collections.unmodifiableSortedMap(faces);
    }

    /** The thresholds and their evidence. */
    public Calibration calibrate() {
      return calibrate(new JavaSimilaritySearch());
    }

    /**
     * The thresholds and their evidence, searching with {@code s}.
     *
     * <p>The duplicate-identity cut takes two passes. Duplicates are the nearest other class of the
     * classes they duplicate, so when many are present (insightface's estimate for MS1MV2: about 7%
     * of classes) the "another person" percentile falls to its floor and the first cut with it. The
     * second pass compares each searched class with its nearest class outside the classes within
     * the first cut of it (its duplicates) and puts the cut halfway to that.
     */
    public Calibration calibrate(SimilaritySearch s) {
      Centroids all = centroids();
      int c = all.size();
      int q = Math.min(c, MAX_QUERIES);
      float[][] queries = new float[q][];
      int[] exclude = new int[q];
      int[] queryRow = new int[q];
      for (int i = 0; i < q; i++) {
        int idx = (int) ((long) i * c / q);
        queryRow[i] = idx;
        queries[i] = all.centroid(idx);
        exclude[i] = all.label(idx);
      }
      Centroids.Match[] nearest = all.nearestOther(queries, exclude);
      double[] nn =
          Arrays.stream(nearest)
              .filter(java.util.Objects::nonNull)
              .mapToDouble(Centroids.Match::angleDeg)
              .sorted()
              .toArray();
      long[] nnHist = new long[BINS];
      for (double a : nn) {
        nnHist[bin(a, BINS)]++;
      }
      double nnP = nn.length == 0 ? Double.NaN : percentile(nn, OTHER_PERSON_PERCENTILE);
      long[] allFaces = sum(face);
      long[] allSplit = sum(split);
      double p50 = percentile(allFaces, 50, 180.0 / FINE_BINS);
      double p25 = percentile(allFaces, 25, 180.0 / FINE_BINS);
      PersonCuts.Evidence cuts =
          PersonCuts.read(
              sample.impostorAnglesByParity(personCentroids()),
              face,
              split,
              byParity(nearest, exclude));
      // the nearest-other percentile: no longer a cut of the class's own decisions (noise moves
      // it), still the start of the duplicate-identity search, whose subject it is
      double nearestOtherCut =
          Double.isNaN(nnP)
              ? CleaningPolicy.FALLBACK_OTHER_PERSON_DEG
              : Math.max(OTHER_PERSON_FLOOR_DEG, nnP);
      double splitP = percentile(allSplit, SPLIT_HALF_PERCENTILE, 180.0 / FINE_BINS);
      double[] duplicate = duplicateIdentityDeg(all, queryRow, nearest, nearestOtherCut, splitP, s);
      return new Calibration(
          round(cuts.groupCutDeg()),
          round(Math.min(180, cuts.faceCutDeg())),
          round(Double.isNaN(p50) ? 0 : p50),
          round(duplicate[0]),
          round(Double.isNaN(p50) ? 0 : NEAR_DUPLICATE_FRACTION * p50),
          new Evidence(
              c,
              nn.length,
              nnP,
              round(p50),
              round(p25),
              subclass.clone(),
              nnHist,
              coarse(allFaces),
              round(splitP),
              coarse(allSplit),
              nearestFace.clone(),
              round(duplicate[1])),
          rounded(cuts));
    }

    /**
     * The duplicate-identity cut (and the nearest-outside percentile it lies halfway to): the
     * midpoint between one person's halves and the nearest other person, taken twice (see {@link
     * #calibrate(SimilaritySearch)}).
     */
    private double[] duplicateIdentityDeg(
        Centroids all,
        int[] queryRow,
        Centroids.Match[] nearest,
        double person,
        double splitP,
        SimilaritySearch search) {
      // without halves, half the "another person" cut
      double first = Double.isNaN(splitP) ? person / 2 : Math.min(person, (splitP + person) / 2);
      double[] outside = nearestOutside(all, queryRow, nearest, first, search);
      double outsideP =
          outside.length == 0 ? Double.NaN : percentile(outside, OTHER_PERSON_PERCENTILE);
      double reference =
          Double.isNaN(outsideP) ? person : Math.max(OTHER_PERSON_FLOOR_DEG, outsideP);
      double duplicate =
          Double.isNaN(splitP) ? reference / 2 : Math.min(reference, (splitP + reference) / 2);
      return new double[] {duplicate, outsideP};
    }

    /** Sorted nearest-other angles of even- and of odd-labelled queries. */
    private static double[][] byParity(Centroids.Match[] nearest, int[] exclude) {
      List<Double> even = new ArrayList<>();
      List<Double> odd = new ArrayList<>();
      for (int i = 0; i < nearest.length; i++) {
        if (nearest[i] != null) {
          (Math.floorMod(exclude[i], 2) == 0 ? even : odd).add(nearest[i].angleDeg());
        }
      }
      return new double[][] {
        even.stream().mapToDouble(Double::doubleValue).sorted().toArray(),
        odd.stream().mapToDouble(Double::doubleValue).sorted().toArray()
      };
    }

    /**
     * Sorted, each searched class's angle to its nearest class (dominant centroids) outside the
     * classes whose person centroids lie within {@code cut} of its own; the first pass's angle for
     * a class without such duplicates.
     */
    private double[] nearestOutside(
        Centroids all, int[] queryRow, Centroids.Match[] nearest, double cut, SimilaritySearch s) {
      Centroids persons = personCentroids();
      int c = all.size();
      float[][] personRows = new float[c][];
      float[][] dominantRows = new float[c][];
      for (int j = 0; j < c; j++) {
        personRows[j] = persons.centroid(j);
        dominantRows[j] = all.centroid(j);
      }
      float[][] personQueries = new float[queryRow.length][];
      for (int i = 0; i < queryRow.length; i++) {
        personQueries[i] = personRows[queryRow[i]];
      }
      java.util.Map<Integer, java.util.Set<Integer>> duplicates = new java.util.HashMap<>();
      if (c > 1) {
        for (SimilaritySearch.Pair p : s.pairsBetween(personQueries, personRows, cut)) {
          if (p.b() != queryRow[p.a()]) {
            duplicates.computeIfAbsent(p.a(), k -> new java.util.HashSet<>()).add(p.b());
          }
        }
      }
      List<Double> out = new ArrayList<>();
      for (int i = 0; i < queryRow.length; i++) {
        java.util.Set<Integer> skip = duplicates.get(i);
        if (skip == null) {
          if (nearest[i] != null) {
            out.add(nearest[i].angleDeg());
          }
          continue;
        }
        double best = -2;
        for (int j = 0; j < c; j++) {
          if (j != queryRow[i] && !skip.contains(j)) {
            best = Math.max(best, ClassScorer.dot(dominantRows[queryRow[i]], dominantRows[j]));
          }
        }
        if (best > -2) {
          out.add(SubClasses.angleDeg(best));
        }
      }
      return out.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }
  }

  /**
   * The spread a group of one person's faces holds together in ({@link
   * PersonCuts.Evidence#spreadDeg}); 90° (every group coherent, the rule before it) for a
   * calibration from before it was recorded.
   */
  public double personSpreadDeg() {
    return cuts == null ? 90 : cuts.spreadDeg();
  }

  /**
   * The "nearest other person" the duplicate-identity cut lies halfway to: the percentile of angles
   * to the nearest class outside each class's duplicates, at least the floor ({@link
   * #otherPersonDeg} for a calibration from before it was recorded).
   */
  public double duplicateReferenceDeg() {
    double p = evidence.nearestOutsidePercentileDeg();
    return Double.isNaN(p) || p == 0 ? otherPersonDeg : Math.max(OTHER_PERSON_FLOOR_DEG, p);
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

  private static long[] sum(long[][] byParity) {
    long[] out = byParity[0].clone();
    for (int i = 0; i < out.length; i++) {
      out[i] += byParity[1][i];
    }
    return out;
  }

  private static PersonCuts.Evidence rounded(PersonCuts.Evidence e) {
    return new PersonCuts.Evidence(
        round(e.faceCutDeg()),
        e.impostorAngles(),
        e.impostorDeg(),
        Math.round(e.genuineBeyondCut() * 1e4) / 1e4,
        round(e.spreadDeg()),
        round(e.splitHalfDeg()),
        round(e.nearestOtherMedianDeg()),
        round(e.groupCutDeg()),
        new double[] {round(e.faceCutEvenOddDeg()[0]), round(e.faceCutEvenOddDeg()[1])},
        new double[] {round(e.groupCutEvenOddDeg()[0]), round(e.groupCutEvenOddDeg()[1])});
  }

  private static long[] coarse(long[] fine) {
    long[] out = new long[BINS];
    for (int i = 0; i < fine.length; i++) {
      out[i * BINS / fine.length] += fine[i];
    }
    return out;
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
