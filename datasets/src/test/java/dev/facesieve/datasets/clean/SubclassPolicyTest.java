package dev.facesieve.datasets.clean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
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
      CleaningPolicy.of(CleaningPolicy.Kind.SUBCLASS, 40).withOtherPersonDeg(45);

  @Test
  void twoPeopleInOneClassDropTheMinoritySubclassWhole() {
    List<float[]> faces = person(0, 10); // the class's person, axis 0
    faces.addAll(person(1, 4)); // a look-alike filed 4 times: axis 1, 90° away
    float[][] x = rows(faces);
    // sub-centres: the person, the look-alike, and a second pose of the person
    float[][] centres = {face(0, 5, 0), face(1, 5, 0), face(0, 6, 30)};
    ClassScorer.Scores s = ClassScorer.score(x, centres);
    ClassDecision d = SUBCLASS.decideClass(0, x, s, null);
    for (int i = 0; i < 10; i++) {
      assertNull(d.reason()[i], "face " + i + " of the person is kept");
    }
    for (int i = 10; i < 14; i++) {
      assertEquals(DropReason.OTHER_PERSON, d.reason()[i], "face " + i + " of the look-alike");
    }
    assertTrue(d.otherPerson()[1]);
    assertEquals(90, d.subClasses().angleToDominantDeg()[1], 1);
    // a group is another person only if its faces also lie (median) beyond the face threshold of
    // the dominant centroid: at 95° the look-alike's faces (~90°) are within the person's spread,
    // and the group stays
    ClassDecision loose = SUBCLASS.withThresholdDeg(95).decideClass(0, x, s, null);
    assertNull(loose.reason()[12]);
    assertFalse(loose.otherPerson()[1]);
  }

  @Test
  void onePersonInThreePosesKeepsEverything() {
    // three poses 30° apart around axis 0: each its own sub-class, all one person
    List<float[]> faces = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      faces.add(face(0, 5 + i % 3, 25));
    }
    float[][] x = rows(faces);
    float[][] centres = {face(0, 5, 25), face(0, 6, 25), face(0, 7, 25)};
    ClassScorer.Scores s = ClassScorer.score(x, centres);
    assertArrayEquals(new int[] {4, 4, 4}, s.countPerSubCentre());
    ClassDecision d = SUBCLASS.decideClass(0, x, s, null);
    for (int i = 0; i < x.length; i++) {
      assertNull(d.reason()[i], "face " + i);
    }
    // strict drops the two non-dominant poses: that is what the sub-class rule fixes
    DropReason[] strict = CleaningPolicy.of(CleaningPolicy.Kind.STRICT, 75).decide(s);
    long dropped = java.util.Arrays.stream(strict).filter(r -> r != null).count();
    assertEquals(8, dropped);
  }

  @Test
  void aCloseSetBlockIsRelabelledToItsClass() {
    // class 0 = person on axis 0 with 4 faces of person 1; class 1 = person on axis 1
    List<float[]> c0 = person(0, 10);
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
    // block from its class; with a cut at 45° the block is another person
    assertEquals(90, cal.otherPersonDeg(), 1);
    assertFalse(cal.collapsed());
    CleaningPolicy p =
        CleaningPolicy.defaults()
            .withOtherPersonDeg(45)
            .withThresholdDeg(60)
            .withRelabel(true)
            .resolve(cal);
    ClassDecision d = p.decideClass(0, x0, s0, stats.centroids());
    for (int i = 0; i < 10; i++) {
      assertNull(d.reason()[i]);
      assertFalse(d.relabelled(i));
    }
    for (int i = 10; i < 14; i++) {
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
    assertEquals(DropReason.OTHER_PERSON, dropped.reason()[11]);
  }

  @Test
  void anOpenSetBlockHasNowhereToGo() {
    List<float[]> c0 = person(0, 10);
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
    for (int i = 10; i < 14; i++) {
      assertEquals(DropReason.OTHER_PERSON, d.reason()[i]);
      assertFalse(d.relabelled(i));
    }
  }

  @Test
  void calibrationReadsItsCutsFromTheData() {
    // classes on axes 0..4; faces tilted 10° (leave-one-out angles ~10°); axes 90° apart
    Calibration.Stats stats = new Calibration.Stats();
    for (int c = 0; c < 5; c++) {
      float[][] x = rows(person(c, 9));
      ClassScorer.Scores s = ClassScorer.score(x, new float[][] {face(c, 5, 0)});
      stats.add(Calibration.ClassStats.of(c, "p" + c, x, s, SubClasses.of(x, s), 3));
    }
    Calibration cal = stats.calibrate();
    assertEquals(5, cal.evidence().classesSearched());
    // the faces lean towards the shared axes 5–7, so the class centroids are a little under 90°
    double nn = cal.evidence().nearestOtherPercentileDeg();
    assertEquals(90, nn, 1);
    assertEquals(nn, cal.otherPersonDeg(), 0.05);
    // a face tilted 10° towards axis 5 against the mean of the other 8 (2 tilted the same way,
    // 3 and 3 towards axes 6 and 7): cos = (8 cos²10° + 2 sin²10°) / |8 cos10° e + sin10° (2, 3,
    // 3)| = 7.819 / 7.920, 9.16°; the histogram reports its 0.1° bin's upper edge
    double a = cal.evidence().faceMedianDeg();
    assertEquals(9.2, a, 1e-9);
    // where a typical face of the nearest other person sits: arccos(cos a · cos nn)
    double expected =
        Math.toDegrees(
            Math.acos(
                Math.cos(Math.toRadians(a)) * Math.cos(Math.toRadians(cal.otherPersonDeg()))));
    assertEquals(expected, cal.outlierDeg(), 0.1);
    assertEquals(a, cal.relabelFaceDeg(), 0.05);
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
