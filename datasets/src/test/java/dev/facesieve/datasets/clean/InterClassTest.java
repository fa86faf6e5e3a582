package dev.facesieve.datasets.clean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Duplicate identities, test-set overlap and duplicate images on hand-built unit vectors in 8
 * dimensions: a person is an axis, tilted by a known angle towards another axis, so every angle
 * below is known by construction.
 */
class InterClassTest {
  private static final int D = 8;
  private static final SimilaritySearch SEARCH = new JavaSimilaritySearch();

  /** Unit vector on axis {@code a} tilted by {@code deg} towards axis {@code b}. */
  private static float[] v(int a, int b, double deg) {
    float[] x = new float[D];
    double r = Math.toRadians(deg);
    x[a] = (float) Math.cos(r);
    x[b] += (float) Math.sin(r);
    return x;
  }

  /**
   * Five classes: 0, 3 and 4 are one person (axis 0; 3 is 10° from 0 and 4 is 10° beyond 3, so 0
   * and 4 are 20° apart), 1 and 2 are other people (axes 1, 2).
   */
  private static Centroids classes() {
    return new Centroids(
        new int[] {0, 1, 2, 3, 4},
        new String[] {"ann", "bob", "cy", "ann_2", "ann_3"},
        new float[][] {v(0, 7, 0), v(1, 7, 0), v(2, 7, 0), v(0, 7, 10), v(0, 7, 20)});
  }

  private static TreeMap<Integer, Integer> faces() {
    TreeMap<Integer, Integer> f = new TreeMap<>();
    f.put(0, 5);
    f.put(1, 6);
    f.put(2, 4);
    f.put(3, 8);
    f.put(4, 2);
    return f;
  }

  @Test
  void pairsWithinTheAngleChainIntoOneGroupKeptByItsLargestClass() {
    // 0–3 and 3–4 are 10° apart, 0–4 20°: at 15° the chain still makes one group
    InterClassFindings f = InterClassFindings.find(classes(), faces(), null, 15, SEARCH);
    assertEquals(1, f.groups().size());
    InterClassFindings.Group g = f.groups().get(0);
    assertArrayEquals(new int[] {0, 3, 4}, g.labels());
    assertEquals(3, g.keeper(), "class 3 has the most faces (8)");
    assertArrayEquals(new int[] {5, 8, 2}, g.faces());
    assertEquals(10, g.angleToKeeperDeg()[0], 1e-3);
    assertEquals(0, g.angleToKeeperDeg()[1], 1e-9);
    assertEquals(10, g.angleToKeeperDeg()[2], 1e-3);
    assertEquals(3, f.keeperOf(4));
    assertEquals(1, f.keeperOf(1), "a class without a group keeps itself");
    assertEquals("ann_3", f.identityOf(4));
    ClassSummary.InterClass row = f.forClass(0, true);
    assertEquals(0, row.duplicateGroup());
    assertEquals(3, row.groupKeeper());
    assertTrue(row.merged());
    assertFalse(f.forClass(3, true).merged(), "the keeper is not merged into itself");
    assertEquals(ClassSummary.InterClass.NONE, f.forClass(1, true));
    // below 10° nothing pairs
    assertTrue(InterClassFindings.find(classes(), faces(), null, 9, SEARCH).groups().isEmpty());
  }

  @Test
  void aClassNearATestIdentityMatchesAndItsGroupInheritsTheMatch() {
    Centroids test =
        new Centroids(
            new int[] {0, 1},
            new String[] {"test_bob", "test_ann"},
            new float[][] {v(1, 6, 5), v(0, 7, 24)});
    InterClassFindings f = InterClassFindings.find(classes(), faces(), test, 12, SEARCH);
    assertEquals("test_bob", f.testMatch(1).testIdentity());
    assertEquals(5, f.testMatch(1).angleDeg(), 1e-3);
    // test_ann is 4° from class 4 only; classes 0 and 3 are the same person (one group at 12°)
    assertEquals(4, f.testMatch(4).angleDeg(), 1e-3);
    assertEquals("test_ann", f.testMatch(0).testIdentity());
    assertEquals(24, f.testMatch(0).angleDeg(), 1e-3, "its own angle, inherited match");
    assertEquals("test_ann", f.testMatch(3).testIdentity());
    assertNull(f.testMatch(2));
    assertFalse(f.forClass(0, true).merged(), "a class that leaves for the test set is not merged");
  }

  /** A decision keeping every face of class {@code label} but face {@code dropped}. */
  private static ClassDecision keptAll(int label, int n, int dropped) {
    DropReason[] reason = new DropReason[n];
    if (dropped >= 0) {
      reason[dropped] = DropReason.OUTLIER_ANGLE;
    }
    int[] target = new int[n];
    Arrays.fill(target, label);
    double[] angle = new double[n];
    double[] nan = new double[n];
    Arrays.fill(nan, Double.NaN);
    return new ClassDecision(label, reason, angle, target, nan, null, new boolean[0]);
  }

  private static final InterClassPolicy POLICY =
      InterClassPolicy.defaults().withDuplicateIdentityDeg(15).withNearDuplicateDeg(5);

  @Test
  void mergeDropAndReportActOnTheFacesAClassKeeps() {
    InterClassFindings f = InterClassFindings.find(classes(), faces(), null, 15, SEARCH);
    float[][] x = {v(0, 5, 0), v(0, 5, 30), v(0, 6, 30)};
    String[] sha = {"a", "b", "c"};
    ClassDecision own = keptAll(0, 3, 2);

    ClassDecision merged =
        POLICY
            .withDuplicateIdentities(InterClassPolicy.DuplicateIdentities.MERGE)
            .apply(own, x, sha, f);
    assertArrayEquals(new int[] {3, 3, 0}, merged.target());
    assertArrayEquals(new boolean[] {true, true, false}, merged.merged());
    assertFalse(merged.relabelled(0), "a merge is not a relabelling");
    assertEquals(DropReason.OUTLIER_ANGLE, merged.reason()[2], "a dropped face keeps its reason");

    ClassDecision dropped =
        POLICY
            .withDuplicateIdentities(InterClassPolicy.DuplicateIdentities.DROP)
            .apply(own, x, sha, f);
    assertArrayEquals(
        new DropReason[] {
          DropReason.DUPLICATE_IDENTITY, DropReason.DUPLICATE_IDENTITY, DropReason.OUTLIER_ANGLE
        },
        dropped.reason());
    ClassDecision keeper =
        POLICY
            .withDuplicateIdentities(InterClassPolicy.DuplicateIdentities.DROP)
            .apply(keptAll(3, 3, -1), x, sha, f);
    assertArrayEquals(new DropReason[3], keeper.reason(), "the keeper keeps its faces");

    ClassDecision reported = POLICY.apply(own, x, sha, f);
    assertArrayEquals(own.reason(), reported.reason());
    assertArrayEquals(own.target(), reported.target());
  }

  @Test
  void aTestIdentityDropsTheClassAndFacesMovedIntoIt() {
    Centroids test = new Centroids(new int[] {0}, new String[] {"t"}, new float[][] {v(1, 6, 5)});
    InterClassFindings f = InterClassFindings.find(classes(), faces(), test, 9, SEARCH);
    float[][] x = {v(1, 5, 0), v(1, 5, 30)};
    ClassDecision d = POLICY.apply(keptAll(1, 2, 1), x, new String[] {"a", "b"}, f);
    assertArrayEquals(
        new DropReason[] {DropReason.TEST_OVERLAP, DropReason.OUTLIER_ANGLE}, d.reason());
    // class 2 moved one face to class 1 (relabelling): it follows class 1 out
    ClassDecision moving = keptAll(2, 2, -1);
    moving.target()[1] = 1;
    ClassDecision after = POLICY.apply(moving, new float[][] {v(2, 5, 0), v(1, 5, 0)}, null2(), f);
    assertNull(after.reason()[0]);
    assertEquals(DropReason.TEST_OVERLAP, after.reason()[1]);
  }

  private static String[] null2() {
    return new String[2];
  }

  @Test
  void copiesOfAPictureAreKeptOnceTheFirstByPosition() {
    InterClassFindings none = InterClassFindings.NONE;
    // 0 and 2 have the same bytes; 1 and 3 are 2° apart (a re-encoded copy); 4 is another photo
    float[][] x = {v(0, 5, 20), v(0, 6, 20), v(0, 5, 20), v(0, 6, 22), v(0, 7, 20)};
    String[] sha = {"s", "t", "s", "u", "w"};
    ClassDecision d = POLICY.apply(keptAll(0, 5, -1), x, sha, none);
    assertArrayEquals(
        new DropReason[] {null, null, DropReason.DUPLICATE_IMAGE, DropReason.DUPLICATE_IMAGE, null},
        d.reason());
    assertArrayEquals(new int[] {-1, -1, 0, 1, -1}, d.duplicateOf());
    assertArrayEquals(new boolean[] {false, false, true, false, false}, d.exactDuplicate());
    assertEquals(0, d.angleToDuplicateDeg()[2], 0.05, "float rounding of one vector");
    assertEquals(2, d.angleToDuplicateDeg()[3], 0.05);
    // report only: marked, kept
    ClassDecision marked =
        POLICY.withDropDuplicateImages(false).apply(keptAll(0, 5, -1), x, sha, none);
    assertArrayEquals(new DropReason[5], marked.reason());
    assertArrayEquals(new int[] {-1, -1, 0, 1, -1}, marked.duplicateOf());
    // a dropped face is never anyone's copy
    ClassDecision withOutlier = POLICY.apply(keptAll(0, 5, 0), x, sha, none);
    assertEquals(DropReason.OUTLIER_ANGLE, withOutlier.reason()[0]);
    assertNull(withOutlier.reason()[2], "face 2 is the first kept copy now");
  }

  @Test
  void anglesAreCheckedAndAutoMustBeResolvedFirst() {
    assertThrows(
        IllegalArgumentException.class,
        () -> InterClassPolicy.defaults().withDuplicateIdentityDeg(200));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                InterClassPolicy.defaults()
                    .apply(keptAll(0, 1, -1), new float[][] {v(0, 5, 0)}, new String[1], null));
    assertTrue(e.getMessage().contains("resolve"), e.getMessage());
    assertEquals(
        InterClassPolicy.DuplicateIdentities.MERGE,
        InterClassPolicy.DuplicateIdentities.parse("Merge"));
    assertThrows(
        IllegalArgumentException.class, () -> InterClassPolicy.DuplicateIdentities.parse("join"));
  }

  @Test
  void calibrationPutsTheDuplicateCutBetweenOnePersonsHalvesAndTheNearestOtherPerson() {
    Calibration.Stats stats = new Calibration.Stats();
    // three people on orthogonal axes (nearest other person 90°); halves 10° and 20° apart
    double[] split = {10, 20, Double.NaN};
    for (int c = 0; c < 3; c++) {
      stats.add(
          new Calibration.ClassStats(
              c,
              "p" + c,
              v(c, 7, 0),
              new double[0],
              new double[] {40, 40},
              10,
              v(c, 7, 0),
              split[c],
              new double[] {30, 36},
              null));
    }
    Calibration cal = stats.calibrate();
    // the group cut: halfway between one person's halves and the median nearest other person
    assertEquals((20.1 + 90) / 2, cal.otherPersonDeg(), 0.2);
    // the 95th percentile of {10, 20} is 20 (upper edge of its 0.1° bin)
    assertEquals(20.1, cal.evidence().splitHalfP95Deg(), 1e-9);
    assertEquals((20.1 + 90) / 2, cal.duplicateIdentityDeg(), 0.1);
    assertEquals(Calibration.NEAR_DUPLICATE_FRACTION * 40, cal.nearDuplicateDeg(), 0.1);
    assertEquals(2, Arrays.stream(cal.evidence().splitHalfDeg()).sum());
    assertEquals(6, Arrays.stream(cal.evidence().nearestFaceDeg()).sum());
    assertEquals(10, stats.faces().get(2));
  }

  @Test
  void duplicatesDoNotDragTheDuplicateCutDownWithThem() {
    Calibration.Stats stats = new Calibration.Stats();
    // a and a' are one person 10° apart (each other's nearest class); b and c lie 90° from all
    float[][] centroid = {v(0, 7, 0), v(0, 7, 10), v(1, 7, 0), v(2, 7, 0)};
    for (int c = 0; c < 4; c++) {
      stats.add(
          new Calibration.ClassStats(
              c,
              "p" + c,
              centroid[c],
              new double[0],
              new double[] {40, 40},
              10,
              centroid[c],
              20,
              new double[] {30},
              null));
    }
    Calibration cal = stats.calibrate();
    // the first pass: the nearest other class is the duplicate (10°) for half the classes, so the
    // "another person" percentile falls to the 45° floor (and the run counts as collapsed)
    assertTrue(cal.collapsed());
    assertEquals(Calibration.OTHER_PERSON_FLOOR_DEG, cal.otherPersonDeg(), 1e-9);
    // the second: outside their duplicates, every class's nearest other person lies 90° away
    assertEquals(90, cal.evidence().nearestOutsidePercentileDeg(), 0.1);
    assertEquals(90, cal.duplicateReferenceDeg(), 0.1);
    assertEquals((20.1 + 90) / 2, cal.duplicateIdentityDeg(), 0.1);
  }

  @Test
  void splitHalvesAlternateAndNeedFourFaces() {
    float[][] rows = {v(0, 5, 10), v(0, 6, 10), v(0, 5, 10), v(0, 6, 10)};
    // even rows lean to axis 5, odd rows to axis 6: their centroids are the two faces themselves
    double expected = SubClasses.angleDeg(ClassScorer.dot(v(0, 5, 10), v(0, 6, 10)));
    assertEquals(expected, Calibration.ClassStats.splitHalfDeg(rows), 1e-6);
    assertTrue(Double.isNaN(Calibration.ClassStats.splitHalfDeg(Arrays.copyOf(rows, 3))));
    double[] nn = Calibration.ClassStats.nearestOtherRowDeg(rows);
    assertArrayEquals(new double[] {0, 0, 0, 0}, nn, 0.05);
  }
}
