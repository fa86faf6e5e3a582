package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.facesieve.datasets.clean.ClassDecision;
import dev.facesieve.datasets.clean.ClassScorer;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.image.Images;
import dev.facesieve.model.Embedder;
import dev.facesieve.model.OnnxEmbedder;
import dev.facesieve.model.Preprocessing;
import dev.facesieve.model.SphericalKMeans;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code --policy drop-py} decides exactly as insightface's {@code drop.py} on real embeddings (ORL
 * through the shared MobileFaceNet, K=3 sub-centres per class by spherical k-means): the decision
 * core ({@link ClassScorer}, {@link CleaningPolicy#decide}, and {@link CleaningPolicy#decideClass}
 * as the Beam stage calls it) against an independent transcription of drop.py's NumPy steps,
 * written here on plain float arrays.
 */
class DropPyExactTest {

  /**
   * insightface's drop.py, step by step: {@code sims = x @ W_c.T} (float32), {@code nearest =
   * argmax(sims, 1)}, {@code dominant = argmax(bincount(nearest))} (ties to the lowest index), keep
   * iff {@code sims[:, dominant] > cos(threshold)}.
   */
  static boolean[] dropPyKeeps(float[][] x, float[][] w, double thresholdDeg) {
    int n = x.length;
    int k = w.length;
    float[][] sims = new float[n][k];
    int[] counts = new int[k];
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int j = 0; j < k; j++) {
        float s = 0;
        for (int d = 0; d < x[i].length; d++) {
          s += x[i][d] * w[j][d];
        }
        sims[i][j] = s;
        if (s > sims[i][best]) {
          best = j;
        }
      }
      counts[best]++;
    }
    int dominant = 0;
    for (int j = 1; j < k; j++) {
      if (counts[j] > counts[dominant]) {
        dominant = j;
      }
    }
    float cut = (float) Math.cos(Math.toRadians(thresholdDeg));
    boolean[] keep = new boolean[n];
    for (int i = 0; i < n; i++) {
      keep[i] = sims[i][dominant] > cut;
    }
    return keep;
  }

  @Test
  void dropPyIsDecisionForDecisionInsightfacesRule() throws Exception {
    Path orl = SharedData.find("data/orl");
    Path onnx = SharedData.find("models/mobilefacenet-512.onnx");
    assumeTrue(orl != null && onnx != null, "../shared (ORL, the ONNX embedder) is absent");
    System.setProperty("ai.djl.offline", "true");
    List<float[][]> classes = new ArrayList<>();
    try (OnnxEmbedder e = OnnxEmbedder.load(onnx, Preprocessing.ARCFACE_BGR, true);
        Stream<Path> dirs = Files.list(orl)) {
      for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
        List<float[]> rows = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
          for (Path f : files.sorted().toList()) {
            BufferedImage img = Images.decode(Files.readAllBytes(f), 1L << 26).image();
            rows.add(e.embed(new BufferedImage[] {img})[0]);
          }
        }
        float[][] x = rows.toArray(new float[0][]);
        Embedder.normalizeRows(x);
        classes.add(x);
      }
    }
    assertEquals(40, classes.size());
    for (double threshold : new double[] {75, 60, 50}) {
      CleaningPolicy policy = CleaningPolicy.of(CleaningPolicy.Kind.DROP_PY, threshold);
      int dropped = 0;
      int faces = 0;
      for (int c = 0; c < classes.size(); c++) {
        float[][] x = classes.get(c);
        float[][] w = SphericalKMeans.fit(x, 3, 20, c);
        boolean[] keeps = dropPyKeeps(x, w, threshold);
        ClassScorer.Scores s = ClassScorer.score(x, w);
        ClassDecision d = policy.decideClass(c, x, s, null);
        var reasons = policy.decide(s);
        for (int i = 0; i < x.length; i++) {
          String at = "class " + c + ", face " + i + ", " + threshold + "°";
          assertEquals(keeps[i], reasons[i] == null, at);
          assertEquals(keeps[i], d.reason()[i] == null, at);
          dropped += keeps[i] ? 0 : 1;
          faces++;
        }
      }
      // below 75° (where k-means centres, close to their faces, keep every ORL face) the
      // comparison covers both outcomes
      assertTrue(
          threshold == 75 || dropped > 0 && dropped < faces,
          dropped + " of " + faces + " at " + threshold);
    }
  }
}
