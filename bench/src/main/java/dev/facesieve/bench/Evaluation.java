package dev.facesieve.bench;

import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.clean.ClassScorer;
import dev.facesieve.datasets.image.Images;
import dev.facesieve.model.Embedder;
import dev.facesieve.model.ModelDirectory;
import dev.facesieve.model.ModelInfo;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Ground-truth checks of a trained model's sub-centres. */
final class Evaluation {
  private Evaluation() {}

  /** {cleanNearDominant, dominantPurity, dropPyPrecision, dropPyRecall}. */
  static double[] evaluate(
      float[][] emb, List<FaceRecord> faces, float[][] centres, int classes, int k) {
    long cleanTotal = 0;
    long cleanNearDominant = 0;
    long nearDominant = 0;
    long nearDominantClean = 0;
    long dropped = 0;
    long droppedNoisy = 0;
    long noisy = 0;
    for (int c = 0; c < classes; c++) {
      List<Integer> idx = new ArrayList<>();
      for (int i = 0; i < faces.size(); i++) {
        if (faces.get(i).label() == c) {
          idx.add(i);
        }
      }
      float[][] x = new float[idx.size()][];
      for (int i = 0; i < x.length; i++) {
        x[i] = emb[idx.get(i)];
      }
      float[][] cc = new float[k][];
      for (int j = 0; j < k; j++) {
        cc[j] = centres[c * k + j];
      }
      ClassScorer.Scores s = ClassScorer.score(x, cc);
      for (int i = 0; i < x.length; i++) {
        boolean clean = faces.get(idx.get(i)).truth() == NoiseKind.CLEAN;
        boolean nd = s.nearest()[i] == s.dominant();
        cleanTotal += clean ? 1 : 0;
        cleanNearDominant += clean && nd ? 1 : 0;
        nearDominant += nd ? 1 : 0;
        nearDominantClean += nd && clean ? 1 : 0;
        boolean drop = s.angleDeg()[i] > 75;
        noisy += clean ? 0 : 1;
        dropped += drop ? 1 : 0;
        droppedNoisy += drop && !clean ? 1 : 0;
      }
    }
    return new double[] {
      (double) cleanNearDominant / cleanTotal,
      (double) nearDominantClean / nearDominant,
      dropped == 0 ? 0 : (double) droppedNoisy / dropped,
      noisy == 0 ? 0 : (double) droppedNoisy / noisy
    };
  }

  static float[][] embedAll(Embedder e, List<FaceRecord> faces) throws Exception {
    float[][] out = new float[faces.size()][];
    for (int i = 0; i < faces.size(); i += 32) {
      int n = Math.min(32, faces.size() - i);
      BufferedImage[] b = new BufferedImage[n];
      for (int j = 0; j < n; j++) {
        b[j] = Images.decode(faces.get(i + j).image(), 1 << 20).image();
      }
      float[][] v = e.embed(b);
      System.arraycopy(v, 0, out, i, n);
    }
    return out;
  }

  /** Prints {@link #evaluate} of a model directory's sub-centres and embedder on the faces. */
  static void print(Path model, List<FaceRecord> faces, int classes, int k) throws Exception {
    float[][] centres = ModelDirectory.readCentres(model);
    double[] e;
    try (Embedder embedder = ModelInfo.read(model).openEmbedder()) {
      e = evaluate(embedAll(embedder, faces), faces, centres, classes, k);
    }
    System.out.printf(
        "clean near dominant %.3f, dominant purity %.3f, drop-py P %.3f R %.3f%n",
        e[0], e[1], e[2], e[3]);
  }
}
