package dev.facesieve.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MomentumSgdTest {
  private static final double LR = 0.1;
  private static final double MU = 0.9;
  private static final double WD = 0.01;

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  private SubCenterArcFace head(float[] w) {
    SubCenterArcFace h =
        SubCenterArcFace.builder().setClasses(4).setEmbeddingSize(3).optSubCenters(2).build();
    h.initialize(manager, DataType.FLOAT32, new Shape(1, 3));
    h.weight().getArray().set(w);
    return h;
  }

  /** The loss gradient of the full (C·K, D) weight for one sample, by dense autograd. */
  private float[] denseGradient(float[] w, float[] x, long[] subset, long target) {
    SubCenterArcFace h = head(w);
    NDArray weight = h.weight().getArray();
    weight.setRequiresGradient(true);
    ArcFaceLoss loss = new ArcFaceLoss(Margin.arcFace(8, 0.5));
    try (NDManager sub = manager.newSubManager();
        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDList in = new NDList(sub.create(new float[][] {x}), sub.create(subset));
      NDArray cos = h.forward(new ParameterStore(sub, false), in, true).head();
      gc.backward(loss.evaluate(new NDList(sub.create(new long[] {target})), new NDList(cos)));
    }
    try (NDArray g = weight.getGradient()) {
      return g.toFloatArray();
    }
  }

  @Test
  void rowSparseStepsMatchTheDenseRuleOnSampledRowsAndLeaveTheRestAlone() {
    float[] w0 = {
      1, 0, 0, 0, 1, 0, // class 0
      0, 0, 1, 1, 1, 0, // class 1
      -1, 0, 0, 0, -1, 1, // class 2
      1, 1, 1, 0, 1, 1 // class 3
    };
    float[] x = {0.6f, 0.8f, 0.1f};
    long[] subset = {1, 3};
    SubCenterArcFace h = head(w0.clone());
    MomentumSgd sgd = new MomentumSgd(manager, List.of(), List.of(h.weight()), MU, WD);
    ArcFaceLoss loss = new ArcFaceLoss(Margin.arcFace(8, 0.5));
    assertArrayEquals(new long[] {2, 3, 6, 7}, h.rowsOf(subset));

    // Expected by hand from dense gradients: two steps, momentum carried on sampled rows only.
    double[] expect = new double[w0.length];
    double[] v = new double[w0.length];
    for (int i = 0; i < w0.length; i++) {
      expect[i] = w0[i];
    }
    for (int step = 0; step < 2; step++) {
      float[] now = new float[w0.length];
      for (int i = 0; i < now.length; i++) {
        now[i] = (float) expect[i];
      }
      float[] g = denseGradient(now, x, subset, 0);
      for (int i = 0; i < w0.length; i++) {
        int row = i / 3;
        boolean sampled = row == 2 || row == 3 || row == 6 || row == 7;
        if (sampled) {
          v[i] = MU * v[i] + g[i] + WD * expect[i];
          expect[i] -= LR * v[i];
        } else {
          assertEquals(0f, g[i], 0f, "a class outside the sample got a gradient at " + i);
        }
      }

      try (NDManager sub = manager.newSubManager()) {
        PartialFc.Rows rows = PartialFc.gather(h, subset, sub);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDList in = new NDList(sub.create(new float[][] {x}), sub.create(subset), rows.rows());
          NDArray cos = h.forward(new ParameterStore(sub, false), in, true).head();
          gc.backward(loss.evaluate(new NDList(sub.create(new long[] {0})), new NDList(cos)));
        }
        sgd.updateRows(h.weight(), rows.rows(), rows.index(), LR);
      }
    }
    float[] got = h.weight().getArray().toFloatArray();
    float[] velocity = sgd.state().get(0).toFloatArray();
    for (int i = 0; i < w0.length; i++) {
      assertEquals(expect[i], got[i], 1e-5, "weight " + i);
      assertEquals(v[i], velocity[i], 1e-5, "momentum " + i);
    }
    assertEquals(w0[0], got[0], 0f, "unsampled rows keep their exact value");
  }

  @Test
  void trainingStepsLeaveNoArraysInTheLongLivedManager() {
    for (double rate : new double[] {1.0, 0.5}) {
      try (NDManager m = NDManager.newBaseManager()) {
        Block backbone = Backbones.create("small", 16);
        backbone.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        backbone.initialize(m, DataType.FLOAT32, new Shape(2, 3, 112, 112));
        SubCenterArcFace h = SubCenterArcFace.builder().setClasses(10).setEmbeddingSize(16).build();
        h.setInitializer(new NormalInitializer(0.01f), Parameter.Type.WEIGHT);
        h.initialize(m, DataType.FLOAT32, new Shape(2, 16));
        List<Parameter> params = new ArrayList<>();
        for (Pair<String, Parameter> p : backbone.getParameters()) {
          params.add(p.getValue());
        }
        if (rate >= 1) {
          params.add(h.weight());
        }
        MomentumSgd sgd =
            new MomentumSgd(m, params, rate < 1 ? List.of(h.weight()) : List.of(), MU, WD);
        ArcFaceLoss loss = new ArcFaceLoss(Margin.arcFace(64, 0.5));
        ParameterStore ps = new ParameterStore(m, false);
        int[] live = new int[3];
        for (int step = 0; step < live.length; step++) {
          try (NDManager sub = m.newSubManager()) {
            long[] subset = rate < 1 ? new long[] {1, 4, 7, 8, 9} : null;
            PartialFc.Rows rows = subset == null ? null : PartialFc.gather(h, subset, sub);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
              NDArray f =
                  backbone
                      .forward(ps, new NDList(sub.randomNormal(new Shape(4, 3, 112, 112))), true)
                      .head();
              NDList in =
                  rows == null ? new NDList(f) : new NDList(f, sub.create(subset), rows.rows());
              NDArray cos = h.forward(ps, in, true).head();
              gc.backward(
                  loss.evaluate(new NDList(sub.create(new long[] {1, 4, 1, 4})), new NDList(cos)));
            }
            sgd.update(LR);
            if (rows != null) {
              sgd.updateRows(h.weight(), rows.rows(), rows.index(), LR);
            }
          }
          live[step] = ((BaseNDManager) m).getManagedArrays().size();
        }
        // The first step may create gradient buffers; after that the count must not move.
        assertEquals(live[1], live[2], "arrays left behind per step at sample rate " + rate);
      }
    }
  }
}
