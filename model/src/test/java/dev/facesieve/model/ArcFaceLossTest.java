package dev.facesieve.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ArcFaceLossTest {
  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  /** Cross-entropy of hand-built logits, in doubles. */
  private static double ce(double[] logits, int y) {
    double max = Double.NEGATIVE_INFINITY;
    for (double l : logits) {
      max = Math.max(max, l);
    }
    double sum = 0;
    for (double l : logits) {
      sum += Math.exp(l - max);
    }
    return -(logits[y] - max - Math.log(sum));
  }

  @Test
  void matchesHandComputedValuesOnTwoByThree() {
    // row 0: target class 0 with cos 0.5 → θ = 60°, θ + m = 60° + 28.65°: cos = 0.0235
    // row 1: target class 2 with cos −0.9 → θ = 154.2° > 180° − 28.65°: cos θ − m·sin m
    double s = 64;
    double m = 0.5;
    float[][] cos = {{0.5f, 0.2f, -0.1f}, {0.3f, 0.1f, -0.9f}};
    int[] y = {0, 2};
    double t0 = Math.cos(Math.acos(0.5) + m);
    double t1 = -0.9 - m * Math.sin(m);
    assertEquals(t0, Margin.arcFace(s, m).target(0.5), 1e-12);
    assertEquals(t1, Margin.arcFace(s, m).target(-0.9), 1e-12);
    double expected =
        (ce(new double[] {s * t0, s * 0.2, s * -0.1}, 0)
                + ce(new double[] {s * 0.3, s * 0.1, s * t1}, 2))
            / 2;
    NDArray c = manager.create(cos);
    NDArray labels = manager.create(new long[] {0, 2});
    NDArray loss =
        new ArcFaceLoss(Margin.arcFace(s, m)).evaluate(new NDList(labels), new NDList(c));
    assertEquals(expected, loss.getFloat(), expected * 1e-5);
    NDArray logits = new ArcFaceLoss(Margin.arcFace(s, m)).logits(c, labels);
    assertEquals(s * t0, logits.getFloat(0, 0), 1e-3);
    assertEquals(s * 0.2, logits.getFloat(0, 1), 1e-4);
    assertEquals(s * t1, logits.getFloat(1, 2), 1e-3);
  }

  @Test
  void combinedMarginCoversCosFace() {
    Margin cosFace = Margin.cosFace(30, 0.35);
    NDArray c = manager.create(new float[][] {{0.7f, 0.6f}});
    NDArray labels = manager.create(new long[] {1});
    double expected = ce(new double[] {30 * 0.7, 30 * (0.6 - 0.35)}, 1);
    float got = new ArcFaceLoss(cosFace).evaluate(new NDList(labels), new NDList(c)).getFloat();
    assertEquals(expected, got, 1e-4);
    // m1 = 2 (SphereFace-like): cos(2θ)
    Margin sphere = new Margin(10, 2, 0, 0);
    assertEquals(Math.cos(2 * Math.acos(0.7)), sphere.target(0.7), 1e-12);
  }

  @Test
  void targetLogitIsMonotonicAcrossThePiBoundary() {
    Margin arc = Margin.arcFace(64, 0.5);
    double prev = Double.POSITIVE_INFINITY;
    for (double theta = 0; theta <= Math.PI; theta += Math.PI / 2000) {
      double t = arc.target(Math.cos(theta));
      assertTrue(t <= prev + 1e-12, "not monotonic at θ=" + theta);
      prev = t;
    }
    // just past the boundary θ = π − m the fallback is used
    double th = Math.cos(Math.PI - 0.5);
    assertEquals(th - 0.01 - 0.5 * Math.sin(0.5), arc.target(th - 0.01), 1e-12);
  }

  /** Loss as a function of the head weight, for a finite-difference gradient check. */
  private float lossOf(NDManager m, float[] x, float[] w, long[] y, int classes, int k, int d) {
    try (NDManager sub = m.newSubManager()) {
      NDArray feats = sub.create(x, new Shape(y.length, d));
      NDArray weight = sub.create(w, new Shape((long) classes * k, d));
      NDArray cos =
          feats
              .normalize(2, 1, 1e-12)
              .matMul(weight.normalize(2, 1, 1e-12).transpose())
              .reshape(y.length, classes, k)
              .max(new int[] {2});
      return new ArcFaceLoss(Margin.arcFace(4, 0.3))
          .evaluate(new NDList(sub.create(y)), new NDList(cos))
          .getFloat();
    }
  }

  @Test
  void gradientMatchesFiniteDifferencesAndReachesOnlyWinningSubCentres() {
    int classes = 2;
    int k = 2;
    int d = 3;
    float[] x = {0.9f, 0.1f, 0.2f, -0.3f, 0.8f, 0.4f};
    long[] y = {0, 1};
    // class 0: sub-centre 0 near sample 0, sub-centre 1 far from everything
    float[] w = {1f, 0.2f, 0.1f, -1f, -1f, -1f, 0.1f, 1f, 0.3f, 0.2f, 0.3f, 1f};
    SubCenterArcFace head =
        SubCenterArcFace.builder().setClasses(classes).setEmbeddingSize(d).optSubCenters(k).build();
    NDArray feats = manager.create(x, new Shape(2, d));
    NDArray weight = manager.create(w, new Shape(classes * k, d));
    weight.setRequiresGradient(true);
    float[] analytic;
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray cos =
          feats
              .normalize(2, 1, 1e-12)
              .matMul(weight.normalize(2, 1, 1e-12).transpose())
              .reshape(2, classes, k)
              .max(new int[] {2});
      NDArray loss =
          new ArcFaceLoss(Margin.arcFace(4, 0.3))
              .evaluate(new NDList(manager.create(y)), new NDList(cos));
      gc.backward(loss);
      analytic = weight.getGradient().toFloatArray();
    }
    double eps = 1e-2;
    for (int i = 0; i < w.length; i++) {
      float[] plus = w.clone();
      float[] minus = w.clone();
      plus[i] += eps;
      minus[i] -= eps;
      double numeric =
          (lossOf(manager, x, plus, y, classes, k, d) - lossOf(manager, x, minus, y, classes, k, d))
              / (2 * eps);
      assertEquals(numeric, analytic[i], 2e-3 + 0.02 * Math.abs(numeric), "w[" + i + "]");
    }
    // rows 3..5: sub-centre 1 of class 0 wins for no sample, so it gets no gradient
    for (int i = 3; i < 6; i++) {
      assertEquals(0f, analytic[i], 0f, "loser sub-centre got a gradient at " + i);
    }
    assertEquals("SubCenterArcFace(C=2, K=2, D=3)", head.toString());
  }

  @Test
  void headGivesMaxOverSubCentresAndPartialFcSubsets() {
    SubCenterArcFace head =
        SubCenterArcFace.builder().setClasses(3).setEmbeddingSize(2).optSubCenters(2).build();
    head.initialize(manager, DataType.FLOAT32, new Shape(1, 2));
    float[] w = {1, 0, 0, 1, -1, 0, 0, -1, 1, 1, -1, 1};
    head.weight().getArray().set(w);
    NDArray x = manager.create(new float[][] {{1, 0}, {0, -2}});
    NDArray cos =
        head.forward(new ai.djl.training.ParameterStore(manager, false), new NDList(x), false)
            .head();
    assertEquals(new Shape(2, 3), cos.getShape());
    float r = (float) Math.sqrt(0.5);
    assertEquals(1f, cos.getFloat(0, 0), 1e-6);
    assertEquals(0f, cos.getFloat(0, 1), 1e-6);
    assertEquals(r, cos.getFloat(0, 2), 1e-6);
    assertEquals(1f, cos.getFloat(1, 1), 1e-6);
    NDArray sub =
        head.forward(
                new ai.djl.training.ParameterStore(manager, false),
                new NDList(x, manager.create(new long[] {2, 1})),
                false)
            .head();
    assertEquals(new Shape(2, 2), sub.getShape());
    assertEquals(r, sub.getFloat(0, 0), 1e-6);
    assertEquals(1f, sub.getFloat(1, 1), 1e-6);
  }
}
