package dev.facesieve.datasets.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The cuts read from the data must not move with label noise (issue #26): a contamination sweep
 * over synthetic people in 64 dimensions.
 *
 * <p>80 classes of 30 faces; each person is a random direction, and each face lies 20–45° from it
 * (some hard ones at 60°). Every even class has a look-alike: the next class's person lies 55° from
 * its own. A quarter of the classes (every fourth, all even) hold a share p of faces of that
 * look-alike, p = 0, 10, 25, 40, 50%, with and without 10% random label flips in every class. The
 * sub-centres are the person, the look-alike, and a second pose of the person.
 */
class CalibrationContaminationTest {
  private static final int D = 64;
  private static final int CLASSES = 80;
  private static final int FACES = 30;

  @Test
  void theCutsMoveByAtMostTwoDegreesUnderContamination() {
    Calibration clean = calibrate(0, 0);
    double oldClean = oldFaceCut(clean);
    double oldWorst = 0;
    for (double flips : new double[] {0, 0.1}) {
      for (double p : new double[] {0, 0.1, 0.25, 0.4, 0.5}) {
        Calibration c = calibrate(p, flips);
        String at = "look-alikes " + p + ", flips " + flips;
        assertEquals(clean.outlierDeg(), c.outlierDeg(), 2, "face cut at " + at);
        assertEquals(clean.otherPersonDeg(), c.otherPersonDeg(), 2, "group cut at " + at);
        oldWorst = Math.max(oldWorst, Math.abs(oldFaceCut(c) - oldClean));
      }
    }
    // the rule the cuts replace (the per-face cut from the nearest-other-class percentile) moves
    // far more on the same data: this sweep would have caught it
    assertTrue(oldWorst > 4, "the old face cut moved only " + oldWorst + "°");
  }

  @Test
  void theStabilityReportSeesTwoHalvesAgree() {
    Calibration c = calibrate(0.25, 0.1);
    assertEquals(80, c.evidence().classes());
    assertTrue(c.cuts().spreadOfCutsDeg() < 2, "even/odd halves: " + c.cuts());
    // faces lie 20–45° from their person, so a person's own faces beyond the face cut are the
    // hard ones and the flips: a few percent
    assertTrue(c.cuts().genuineBeyondCut() < 0.1, "genuine beyond the cut: " + c.cuts());
  }

  /** The per-face cut as it was read before issue #26: arccos(cos α · cos δ), δ the P5 nearest. */
  private static double oldFaceCut(Calibration c) {
    double person = Math.max(45, c.evidence().nearestOtherPercentileDeg());
    return Math.toDegrees(
        Math.acos(
            Math.cos(Math.toRadians(c.evidence().faceMedianDeg()))
                * Math.cos(Math.toRadians(person))));
  }

  private static Calibration calibrate(double lookalike, double flips) {
    SplittableRandom r = new SplittableRandom(26);
    float[][] person = new float[CLASSES][];
    float[][] pose = new float[CLASSES][];
    for (int c = 0; c < CLASSES; c++) {
      person[c] = c % 2 == 1 ? tilt(person[c - 1], randomUnit(r), 55) : randomUnit(r);
      pose[c] = tilt(person[c], randomUnit(r), 30);
    }
    SplittableRandom noise = new SplittableRandom(7);
    Calibration.Stats stats = new Calibration.Stats();
    for (int c = 0; c < CLASSES; c++) {
      List<float[]> faces = new ArrayList<>();
      for (int i = 0; i < FACES; i++) {
        faces.add(face(person[c], i, noise));
      }
      int partner = c + 1;
      if (c % 4 == 0) {
        int n = (int) Math.round(FACES * lookalike / (1 - lookalike));
        for (int i = 0; i < n; i++) {
          faces.add(face(person[partner], i, noise));
        }
      }
      for (int i = 0; i < (int) Math.round(FACES * flips / (1 - flips)); i++) {
        int other = (c + 1 + noise.nextInt(CLASSES - 1)) % CLASSES;
        faces.add(face(person[other], i, noise));
      }
      float[][] x = faces.toArray(new float[0][]);
      float[][] centres = {person[c], c % 2 == 0 ? person[partner] : pose[c], pose[c]};
      ClassScorer.Scores s = ClassScorer.score(x, centres);
      stats.add(Calibration.ClassStats.of(c, "p" + c, x, s, SubClasses.of(x, s), 3));
    }
    return stats.calibrate();
  }

  /** A face of {@code person}: 20–45° off it, every seventh a hard one at 60°. */
  private static float[] face(float[] person, int i, SplittableRandom r) {
    double deg = i % 7 == 6 ? 60 : 20 + 25 * r.nextDouble();
    return tilt(person, randomUnit(r), deg);
  }

  /** {@code v} turned by {@code deg} towards the part of {@code towards} orthogonal to it. */
  private static float[] tilt(float[] v, float[] towards, double deg) {
    double dot = ClassScorer.dot(v, towards);
    double[] u = new double[D];
    double norm = 0;
    for (int j = 0; j < D; j++) {
      u[j] = towards[j] - dot * v[j];
      norm += u[j] * u[j];
    }
    double a = Math.toRadians(deg);
    double[] out = new double[D];
    for (int j = 0; j < D; j++) {
      out[j] = Math.cos(a) * v[j] + Math.sin(a) * u[j] / Math.sqrt(norm);
    }
    return SubClasses.unit(out);
  }

  private static float[] randomUnit(SplittableRandom r) {
    double[] v = new double[D];
    for (int j = 0; j < D; j++) {
      v[j] = r.nextGaussian();
    }
    return SubClasses.unit(v);
  }
}
