package dev.facesieve.datasets.clean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The sub-class policy, calibration and relabelling on hand-built embeddings in 8 dimensions: a
 * person is an axis, a face is its person's axis tilted by a small angle towards another axis (its
 * pose), so every angle below is known by construction.
 */
class SubclassPolicyTest {
  private static final int D = 8;

  /** Unit vector on axis {@code a} tilted by {@code deg} towards axis {@code b}. */
  private static float[] face(int a, int b, double deg) {
    float[] v = new float[D];
    double r = Math.toRadians(deg);
    v[a] = (float) Math.cos(r);
    v[b] += (float) Math.sin(r);
    return v;
  }

  private static float[][] rows(List<float[]> l) {
    return l.toArray(new float[0][]);
  }

  /** Person on axis {@code a}: {@code n} faces tilted 10° towards axes 5, 6 and 7 in turn. */
  private static List<float[]> person(int a, int n) {
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(face(a, 5 + i % 3, 10));
    }
    return out;
  }

  private static final CleaningPolicy SUBCLASS =
      CleaningPolicy.of(CleaningPolicy.Kind.SUBCLASS, 40)
          .withOtherPersonDeg(45)
          .withPersonSpreadDeg(20);

  @Test
  void twoPeopleInOneClassDropTheMinoritySubclassWhole() {
    List<float[]> faces = person(0, 14); // the class's person, axis 0
    faces.addAll(person(1, 4)); // a look-alike filed 4 times: axis 1, 90° away
    float[][] x = rows(faces);
    // sub-centres: the person, the look-alike, and a second pose of the person
    float[][] centres = {face(0, 5, 0), face(1, 5, 0), face(0, 6, 30)};
    ClassScorer.Scores s = ClassScorer.score(x, centres);
    ClassDecision d = SUBCLASS.decideClass(0, x, s, null);
    for (int i = 0; i < 14; i++) {
      assertNull(d.reason()[i], "face " + i + " of the person is kept");
    }
    for (int i = 14; i < 18; i++) {
      assertEquals(DropReason.OTHER_PERSON, d.reason()[i], "face " + i + " of the look-alike");
    }
    assertTrue(d.otherPerson()[1]);
    assertEquals(90, d.subClasses().angleToDominantDeg()[1], 1);
    // the group is decided on group evidence alone: a face threshold beyond the look-alike's
    // faces (~90° from the person) no longer keeps it, as the coupled rule did
    assertTrue(SUBCLASS.withThresholdDeg(95).decideClass(0, x, s, null).otherPerson()[1]);
  }

  @Test
  void aScatterOfThePersonsHardPicturesIsNotAnotherPerson() {
    // 14 faces of the person, then 4 hard pictures of them far out (tilted 60° each towards a
    // different axis: their mean lies ~40° from the person, yet they lie ~70° from each other)
    List<float[]> faces = person(0, 14);
    List<float[]> hard = new ArrayList<>();
    for (int b : new int[] {1, 2, 3, 4}) {
      hard.add(face(0, b, 60));
    }
    faces.addAll(hard);
    float[][] x = rows(faces);
    // a sub-centre on the hard pictures' mean gathers them
    float[][] centres = {face(0, 5, 0), SubClasses.mean(rows(hard)), face(0, 6, 30)};
    ClassScorer.Scores s = ClassScorer.score(x, centres);
    assertEquals(4, s.countPerSubCentre()[1]);
    double spread = CleaningPolicy.groupSpreadDeg(x, s.nearest(), 1);
    assertTrue(spread > PersonCuts.coherentWithinDeg(20, 4), "the group holds no person together");
    CleaningPolicy p = SUBCLASS.withOtherPersonDeg(30).withThresholdDeg(80);
    assertTrue(SubClasses.of(x, s).angleToDominantDeg()[1] > 30, "beyond the group cut");
    ClassDecision d = p.decideClass(0, x, s, null);
    assertFalse(d.otherPerson()[1]);
    for (int i = 0; i < x.length; i++) {
      assertNull(d.reason()[i], "face " + i + " is the named person and stays");
    }
    // the same four faces of one look-alike (all tilted the same way) are another person
    List<float[]> lookalike = person(0, 14);
    for (int i = 0; i < 4; i++) {
      lookalike.add(face(1, 5 + i % 3, 10));
    }
    float[][] y = rows(lookalike);
    ClassScorer.Scores t = ClassScorer.score(y, new float[][] {face(0, 5, 0), face(1, 5, 0)});
    assertTrue(p.decideClass(0, y, t, null).otherPerson()[1]);
  }

  @Test
  void smallClassesAndUnclearMajoritiesAreJudgedFaceByFace() {
    // 10 faces and 4 of a look-alike: too few faces a class to tell pose groups from people
    List<float[]> small = person(0, 10);
    small.addAll(person(1, 4));
    float[][] x = rows(small);
    float[][] centres = {face(0, 5, 0), face(1, 5, 0), face(0, 6, 30)};
    ClassScorer.Scores s = ClassScorer.score(x, centres);
    ClassDecision d = SUBCLASS.withThresholdDeg(95).decideClass(0, x, s, null);
    assertFalse(d.otherPerson()[1]);
    assertNull(d.reason()[12], "below the face threshold, kept");
    // 10 of the person and 9 of a look-alike: 47% of the class lies beyond the group cut, so
    // which side is the person cannot be read from the class
    List<float[]> even = person(0, 10);
    even.addAll(person(1, 9));
    float[][] y = rows(even);
    ClassScorer.Scores t = ClassScorer.score(y, centres);
    assertFalse(SUBCLASS.withThresholdDeg(95).decideClass(0, y, t, null).otherPerson()[1]);
    // with 12 of the person the look-alike is a clear minority (43%) and is dropped
    List<float[]> clear = person(0, 12);
    clear.addAll(person(1, 9));
    float[][] z = rows(clear);
    ClassScorer.Scores u = ClassScorer.score(z, centres);
    assertTrue(SUBCLASS.withThresholdDeg(95).decideClass(0, z, u, null).otherPerson()[1]);
  }

  @Test
  void onePersonInThreePosesKeepsEverything() {
    // three poses 30° apart around axis 0: each its own sub-class, all one person
    List<float[]> faces = new ArrayList<>();
    for (int i = 0; i < 18; i++) {
      faces.add(face(0, 5 + i % 3, 25));
    }
    float[][] x = rows(faces);
    float[][] centres = {face(0, 5, 25), face(0, 6, 25), face(0, 7, 25)};
    ClassScorer.Scores s = ClassScorer.score(x, centres);
    assertArrayEquals(new int[] {6, 6, 6}, s.countPerSubCentre());
    ClassDecision d = SUBCLASS.decideClass(0, x, s, null);
    for (int i = 0; i < x.length; i++) {
      assertNull(d.reason()[i], "face " + i);
    }
    // strict drops the two non-dominant poses: that is what the sub-class rule fixes
    DropReason[] strict = CleaningPolicy.of(CleaningPolicy.Kind.STRICT, 75).decide(s);
    long dropped = java.util.Arrays.stream(strict).filter(r -> r != null).count();
    assertEquals(12, dropped);
  }

  @Test
  void aCloseSetBlockIsRelabelledToItsClass() {
    // class 0 = person on axis 0 with 4 faces of person 1; class 1 = person on axis 1
    List<float[]> c0 = person(0, 14);
    c0.addAll(person(1, 4));
    float[][] x0 = rows(c0);
    float[][] x1 = rows(person(1, 10));
    float[][] x2 = rows(person(2, 10));
    float[][] centres0 = {face(0, 5, 0), face(1, 5, 0), face(0, 6, 30)};
    float[][] single = {face(1, 5, 0), face(1, 6, 30), face(1, 7, 30)};
    float[][] single2 = {face(2, 5, 0), face(2, 6, 30), face(2, 7, 30)};
    ClassScorer.Scores s0 = ClassScorer.score(x0, centres0);
    Calibration.Stats stats = new Calibration.Stats();
    stats.add(Calibration.ClassStats.of(0, "anna", x0, s0, SubClasses.of(x0, s0), 3));
    ClassScorer.Scores s1 = ClassScorer.score(x1, single);
    stats.add(Calibration.ClassStats.of(1, "bob", x1, s1, SubClasses.of(x1, s1), 3));
    ClassScorer.Scores s2 = ClassScorer.score(x2, single2);
    stats.add(Calibration.ClassStats.of(2, "carl", x2, s2, SubClasses.of(x2, s2), 3));
    Calibration cal = stats.calibrate();
    // three people on orthogonal axes: every nearest other class is about 90° away, and so is the
    // block from its class; the group cut lies halfway between one person's split halves and
    // that (at least 45°), and with a cut at 45° the block is another person
    assertEquals(90, cal.cuts().nearestOtherMedianDeg(), 1);
    assertEquals(
        Math.max(45, (cal.cuts().splitHalfDeg() + cal.cuts().nearestOtherMedianDeg()) / 2),
        cal.otherPersonDeg(),
        0.1);
    assertFalse(cal.collapsed());
    CleaningPolicy p =
        CleaningPolicy.defaults()
            .withOtherPersonDeg(45)
            .withThresholdDeg(60)
            .withRelabel(true)
            .resolve(cal);
    ClassDecision d = p.decideClass(0, x0, s0, stats.centroids());
    for (int i = 0; i < 14; i++) {
      assertNull(d.reason()[i]);
      assertFalse(d.relabelled(i));
    }
    for (int i = 14; i < 18; i++) {
      assertTrue(d.relabelled(i), "face " + i + " moves");
      assertEquals(1, d.target()[i], "to bob");
      // 10° from bob's axis; bob's centroid leans towards the same tilt axes, so a little less
      assertTrue(d.angleToTargetDeg()[i] > 5 && d.angleToTargetDeg()[i] < 10);
    }
    // without relabelling the block is dropped
    ClassDecision dropped =
        CleaningPolicy.defaults()
            .withOtherPersonDeg(45)
            .withThresholdDeg(60)
            .resolve(cal)
            .decideClass(0, x0, s0, stats.centroids());
    assertEquals(DropReason.OTHER_PERSON, dropped.reason()[15]);
  }

  @Test
  void anOpenSetBlockHasNowhereToGo() {
    List<float[]> c0 = person(0, 14);
    c0.addAll(person(3, 4)); // person 3 has no class
    float[][] x0 = rows(c0);
    float[][] x1 = rows(person(1, 10));
    float[][] centres0 = {face(0, 5, 0), face(3, 5, 0), face(0, 6, 30)};
    float[][] single = {face(1, 5, 0), face(1, 6, 30), face(1, 7, 30)};
    ClassScorer.Scores s0 = ClassScorer.score(x0, centres0);
    ClassScorer.Scores s1 = ClassScorer.score(x1, single);
    Calibration.Stats stats = new Calibration.Stats();
    stats.add(Calibration.ClassStats.of(0, "anna", x0, s0, SubClasses.of(x0, s0), 3));
    stats.add(Calibration.ClassStats.of(1, "bob", x1, s1, SubClasses.of(x1, s1), 3));
    CleaningPolicy p =
        CleaningPolicy.defaults()
            .withOtherPersonDeg(45)
            .withThresholdDeg(60)
            .withRelabel(true)
            .resolve(stats.calibrate());
    ClassDecision d = p.decideClass(0, x0, s0, stats.centroids());
    for (int i = 14; i < 18; i++) {
      assertEquals(DropReason.OTHER_PERSON, d.reason()[i]);
      assertFalse(d.relabelled(i));
    }
  }

  @Test
  void calibrationReadsItsCutsFromTheData() {
    // classes on axes 0..4, each of 9 identical faces tilted 30° towards the shared axis 7: every
    // face lies at arccos(sin²30°) = 75.52° from every other class's centroid (its impostor
    // angles), and at 0° from its own
    Calibration.Stats stats = new Calibration.Stats();
    for (int c = 0; c < 5; c++) {
      List<float[]> same = new ArrayList<>();
      for (int i = 0; i < 9; i++) {
        same.add(face(c, 7, 30));
      }
      float[][] x = rows(same);
      ClassScorer.Scores s = ClassScorer.score(x, new float[][] {face(c, 7, 30)});
      stats.add(Calibration.ClassStats.of(c, "p" + c, x, s, SubClasses.of(x, s), 3));
    }
    Calibration cal = stats.calibrate();
    assertEquals(5, cal.evidence().classesSearched());
    double impostor = Math.toDegrees(Math.acos(0.25));
    assertEquals(impostor, cal.outlierDeg(), 0.05);
    // 2 faces a class, each against the 4 other classes: 5 · 2 · 4 impostor angles
    assertEquals(40, cal.cuts().impostorAngles());
    assertEquals(40, Arrays.stream(cal.cuts().impostorDeg()).sum());
    assertEquals(0, cal.cuts().genuineBeyondCut());
    // the nearest other class also lies 75.52° away; halves of one class coincide (0°)
    assertEquals(impostor, cal.evidence().nearestOtherPercentileDeg(), 0.05);
    assertEquals(Math.max(45, (0.1 + impostor) / 2), cal.otherPersonDeg(), 0.1);
    // even (0, 2, 4) and odd (1, 3) classes read the same cuts
    assertArrayEquals(new double[] {75.5, 75.5}, cal.cuts().faceCutEvenOddDeg());
    assertEquals(0, cal.cuts().spreadOfCutsDeg(), 0.11);
  }

  @Test
  void mergedStatsCalibrateAsOne() {
    // a runner combines per-worker accumulators: the result must not depend on the split
    Calibration.Stats all = new Calibration.Stats();
    Calibration.Stats a = new Calibration.Stats();
    Calibration.Stats b = new Calibration.Stats();
    for (int c = 0; c < 5; c++) {
      float[][] x = rows(person(c, 9));
      ClassScorer.Scores s = ClassScorer.score(x, new float[][] {face(c, 5, 0)});
      Calibration.ClassStats st =
          Calibration.ClassStats.of(c, "p" + c, x, s, SubClasses.of(x, s), 3);
      all.add(st);
      (c % 2 == 0 ? a : b).add(st);
    }
    Calibration merged = new Calibration.Stats().merge(b).merge(a).calibrate();
    Calibration one = all.calibrate();
    assertEquals(one.otherPersonDeg(), merged.otherPersonDeg());
    assertEquals(one.outlierDeg(), merged.outlierDeg());
    assertArrayEquals(one.evidence().faceDeg(), merged.evidence().faceDeg());
    Centroids c = new Calibration.Stats().merge(b).merge(a).centroids();
    assertEquals(5, c.size());
    assertEquals("p3", c.identity(c.indexOf(3)));
  }

  @Test
  void collapsedCalibrationTurnsRelabellingOff() {
    // two classes of the same person: nearest-other angle 0° for both, below the floor
    Calibration.Stats stats = new Calibration.Stats();
    for (int c = 0; c < 2; c++) {
      float[][] x = rows(person(0, 9));
      ClassScorer.Scores s = ClassScorer.score(x, new float[][] {face(0, 5, 0)});
      stats.add(Calibration.ClassStats.of(c, "p" + c, x, s, SubClasses.of(x, s), 3));
    }
    Calibration cal = stats.calibrate();
    assertTrue(cal.collapsed());
    assertEquals(Calibration.OTHER_PERSON_FLOOR_DEG, cal.otherPersonDeg());
    assertFalse(CleaningPolicy.defaults().withRelabel(true).resolve(cal).relabel());
  }

  @Test
  void autoMustBeResolvedAndNamesParse() {
    float[][] x = rows(person(0, 3));
    ClassScorer.Scores s = ClassScorer.score(x, new float[][] {face(0, 5, 0)});
    assertThrows(
        IllegalStateException.class, () -> CleaningPolicy.defaults().decideClass(0, x, s, null));
    assertTrue(Double.isNaN(CleaningPolicy.parseDegrees("AUTO")));
    assertEquals(70, CleaningPolicy.parseDegrees("70"));
    assertEquals(CleaningPolicy.Kind.SUBCLASS, CleaningPolicy.kind("SubClass"));
    assertThrows(IllegalArgumentException.class, () -> CleaningPolicy.kind("loose"));
  }

  @Test
  void nearestOtherSkipsTheClassItselfAndBreaksTiesLow() {
    Centroids c =
        new Centroids(
            new int[] {3, 5, 9},
            new String[] {"a", "b", "c"},
            new float[][] {face(0, 5, 0), face(1, 5, 0), face(1, 5, 0)});
    Centroids.Match m = c.nearestOther(face(1, 6, 20), 3);
    assertEquals(5, m.label(), "5 and 9 tie: the lower label");
    assertEquals(20, m.angleDeg(), 1e-3);
    assertEquals(9, c.nearestOther(face(1, 6, 20), 5).label());
  }
}
