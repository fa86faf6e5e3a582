package dev.facesieve.datasets.clean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The cleaning rule on hand-built unit vectors in the plane, with hand-computed outcomes. */
class CleaningRuleTest {
  /** The unit vector at {@code deg} degrees. */
  private static float[] at(double deg) {
    double r = Math.toRadians(deg);
    return new float[] {(float) Math.cos(r), (float) Math.sin(r)};
  }

  /** Sub-centres at 0° and 90°; faces at 10°, 20°, 80° and 170°. */
  private static ClassScorer.Scores scores() {
    return ClassScorer.score(
        new float[][] {at(10), at(20), at(80), at(170)}, new float[][] {at(0), at(90)});
  }

  @Test
  void scorerFindsNearestDominantAndAngles() {
    ClassScorer.Scores s = scores();
    // nearest: 10°→0, 20°→0, 80°→1, 170°→1 (80° from 90°, 170° from 0°): a 2–2 tie goes to index 0
    assertArrayEquals(new int[] {0, 0, 1, 1}, s.nearest());
    assertArrayEquals(new int[] {2, 2}, s.countPerSubCentre());
    assertEquals(0, s.dominant());
    assertArrayEquals(new double[] {10, 20, 80, 170}, s.angleDeg(), 1e-4);
  }

  @Test
  void dropPyDropsOnlyBeyondTheThreshold() {
    DropReason[] r = CleaningPolicy.dropPy().decide(scores());
    assertArrayEquals(
        new DropReason[] {null, null, DropReason.OUTLIER_ANGLE, DropReason.OUTLIER_ANGLE}, r);
    DropReason[] at85 = CleaningPolicy.dropPy().withThresholdDeg(85).decide(scores());
    assertArrayEquals(new DropReason[] {null, null, null, DropReason.OUTLIER_ANGLE}, at85);
  }

  @Test
  void strictAlsoDropsFacesNearestANonDominantSubCentre() {
    DropReason[] r = CleaningPolicy.parse("strict", 85, 0).decide(scores());
    assertArrayEquals(
        new DropReason[] {null, null, DropReason.NON_DOMINANT, DropReason.OUTLIER_ANGLE}, r);
  }

  @Test
  void aClassLeftBelowTheMinimumSizeIsDroppedWhole() {
    CleaningPolicy policy = CleaningPolicy.dropPy().withMinClassSize(3);
    DropReason[] r = policy.decide(scores());
    assertArrayEquals(
        new DropReason[] {
          DropReason.SMALL_CLASS,
          DropReason.SMALL_CLASS,
          DropReason.OUTLIER_ANGLE,
          DropReason.OUTLIER_ANGLE
        },
        r);
    float[][] x = {at(10), at(20), at(80), at(170)};
    ClassDecision d = policy.decideClass(7, x, scores(), null);
    assertArrayEquals(r, d.reason(), "decideClass applies the same per-face rule");
    ClassSummary c = ClassSummary.of("seven", scores(), d);
    assertEquals(7, c.label());
    assertEquals(0, c.kept());
    assertEquals(2, c.dropped(DropReason.OUTLIER_ANGLE));
    assertEquals(2, c.dropped(DropReason.SMALL_CLASS));
    assertEquals((10 + 20 + 80 + 170) / 4.0, c.meanAngleDeg(), 1e-4);
    assertEquals(170, c.maxAngleDeg(), 1e-4);
  }

  @Test
  void faceReasonIsThePerFaceRule() {
    CleaningPolicy strict = CleaningPolicy.parse("STRICT", 75, 0);
    assertNull(strict.faceReason(75, true));
    assertEquals(DropReason.OUTLIER_ANGLE, strict.faceReason(75.001, true));
    assertEquals(DropReason.NON_DOMINANT, strict.faceReason(10, false));
    assertNull(CleaningPolicy.dropPy().faceReason(10, false));
    assertThrows(IllegalArgumentException.class, () -> CleaningPolicy.parse("loose", 75, 0));
    assertThrows(
        IllegalArgumentException.class, () -> CleaningPolicy.of(CleaningPolicy.Kind.DROP_PY, 0));
  }

  @Test
  void metricsByHand() {
    DetectionMetrics.Counts c = new DetectionMetrics.Counts(4, 3, 6);
    assertEquals(0.75, c.precision(), 1e-12);
    assertEquals(0.5, c.recall(), 1e-12);
    assertEquals(0.6, c.f1(), 1e-12);
    assertEquals(0, new DetectionMetrics.Counts(0, 0, 5).precision());
    assertEquals(1, new DetectionMetrics.Counts(0, 0, 0).recall());
    assertEquals(0.5, DetectionMetrics.auc(new double[] {3, 1}, new double[] {2, 2}), 1e-12);
    assertEquals(0.75, DetectionMetrics.auc(new double[] {2}, new double[] {2, 1}), 1e-12);
    assertEquals(
        0.75,
        DetectionMetrics.auc(new double[] {2, 2, 1}, new boolean[] {true, false, false}),
        1e-12);
    assertEquals(Double.NaN, DetectionMetrics.auc(new double[] {1}, new double[0]));
  }
}
