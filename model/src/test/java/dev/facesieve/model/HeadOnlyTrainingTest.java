package dev.facesieve.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.clean.ClassScorer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Head-only training on embeddings given by the caller ({@link Trainer#useEmbeddings}). */
class HeadOnlyTrainingTest {
  static final int D = 16;
  static final int CLASSES = 6;
  static final int PER_CLASS = 12;

  @TempDir Path tmp;

  @BeforeAll
  static void offline() {
    System.setProperty("ai.djl.offline", "true");
  }

  @Test
  void tableWritesAndReopens() throws Exception {
    float[][] rows = {{1, 0, 0}, {0, 0.6f, 0.8f}};
    try (EmbeddingTable t =
        EmbeddingTable.write(tmp.resolve("t.f32"), List.of(rows), new int[] {4, 2}, 3)) {
      assertArrayEquals(rows[1], t.row(1));
      assertEquals(2, t.label(1));
    }
    try (EmbeddingTable t = EmbeddingTable.open(tmp.resolve("t.f32"), new int[] {4, 2}, 3)) {
      assertArrayEquals(rows[0], t.row(0));
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> EmbeddingTable.open(tmp.resolve("t.f32"), new int[] {4, 2, 1}, 3));
    assertThrows(
        IllegalArgumentException.class,
        () -> EmbeddingTable.write(tmp.resolve("u.f32"), List.of(rows), new int[] {1}, 3));
  }

  /**
   * Each class is a tight cluster plus 3 samples of one other class's cluster (coherent noise).
   * After training, each class's dominant sub-centre holds exactly its own cluster's samples and no
   * intruder is nearest it, so the strict rule drops every intruder and nothing else.
   */
  @Test
  void trainsSubCentresThatSeparateCoherentNoise() throws Exception {
    SplittableRandom r = new SplittableRandom(3);
    float[][] mu = new float[CLASSES][];
    for (int c = 0; c < CLASSES; c++) {
      mu[c] = unit(gaussian(r, D, 1));
    }
    List<float[]> x = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    List<Boolean> noisy = new ArrayList<>();
    for (int c = 0; c < CLASSES; c++) {
      for (int i = 0; i < PER_CLASS; i++) {
        boolean noise = i >= PER_CLASS - 3;
        float[] centre = mu[noise ? (c + 1) % CLASSES : c];
        float[] g = gaussian(r, D, 0.05);
        float[] v = new float[D];
        for (int j = 0; j < D; j++) {
          v[j] = centre[j] + g[j];
        }
        x.add(unit(v));
        labels.add(c);
        noisy.add(noise);
      }
    }
    int[] lab = labels.stream().mapToInt(Integer::intValue).toArray();
    Path stand = Files.writeString(tmp.resolve("embedder.txt"), "test embeddings");
    TrainConfig config =
        TrainConfig.builder()
            .setBackbone("onnx:" + stand)
            .setEmbeddingSize(D)
            .setSubCenters(3)
            .setEpochs(4)
            .setBatchSize(8)
            .setSeed(5)
            .build();
    float[] w;
    List<Trainer.EpochMetrics> m;
    try (Trainer t = new Trainer(config, null, tmp.resolve("out"), CLASSES, x.size())) {
      EmbeddingTable table = EmbeddingTable.write(tmp.resolve("e.f32"), x, lab, D);
      try (Trainer wrong = new Trainer(config, null, tmp.resolve("o2"), CLASSES, 5)) {
        assertThrows(IllegalArgumentException.class, () -> wrong.useEmbeddings(table));
      }
      m = t.useEmbeddings(table).train(false, info -> {});
      assertEquals(4, m.size());
      assertTrue(m.get(3).accuracy() > 0.7, "training accuracy " + m);
      w = t.head().weight().getArray().toFloatArray();
    }
    for (int c = 0; c < CLASSES; c++) {
      float[][] centres = new float[3][];
      for (int k = 0; k < 3; k++) {
        centres[k] = unit(Arrays.copyOfRange(w, (c * 3 + k) * D, (c * 3 + k + 1) * D));
      }
      float[][] cx = x.subList(c * PER_CLASS, (c + 1) * PER_CLASS).toArray(new float[0][]);
      ClassScorer.Scores s = ClassScorer.score(cx, centres);
      double toOwn = Math.toDegrees(Math.acos(SphericalKMeans.dot(centres[s.dominant()], mu[c])));
      // s=64 at lr 0.1 on 72 samples moves centres by tens of degrees; the split is what matters
      assertTrue(
          toOwn < 60, "class " + c + ": dominant sub-centre " + toOwn + "° from its cluster");
      assertEquals(PER_CLASS - 3, s.countPerSubCentre()[s.dominant()], "class " + c);
      for (int i = 0; i < PER_CLASS; i++) {
        if (noisy.get(c * PER_CLASS + i)) {
          assertNotEquals(s.dominant(), s.nearest()[i], "class " + c + " intruder " + i);
        }
      }
    }
  }

  private static float[] gaussian(SplittableRandom r, int d, double sigma) {
    float[] v = new float[d];
    for (int j = 0; j < d; j++) {
      double u = Math.max(r.nextDouble(), 1e-12);
      v[j] = (float) (sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble()));
    }
    return v;
  }

  private static float[] unit(float[] v) {
    double s = 0;
    for (float f : v) {
      s += f * f;
    }
    float[] out = new float[v.length];
    for (int j = 0; j < v.length; j++) {
      out[j] = (float) (v[j] / Math.sqrt(s));
    }
    return out;
  }
}
