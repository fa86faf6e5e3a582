package dev.facesieve.bench;

import dev.facesieve.model.Embedder;
import dev.facesieve.model.ModelInfo;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Face verification on identities a model never saw: embeds every image of an identity-per-folder
 * collection with a trained model and scores every pair by cosine similarity.
 *
 * <p>Genuine pairs are all pairs of one identity, impostor pairs all pairs of two identities. TAR
 * at FAR = 1e-2 takes the threshold that the top 1% of impostor scores reach (so at most 1% of
 * impostors are accepted) and reports the share of genuine pairs strictly above it; ROC AUC is the
 * Mann–Whitney statistic over all pairs, ties counted half. Prints one JSON line.
 */
public final class VerificationBenchmark {
  private VerificationBenchmark() {}

  public static void main(String[] argv) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    Map<String, String> a = QualityHarness.parse(argv, 0);
    Path model = Path.of(a.get("model"));
    Path folder = Path.of(a.get("folder"));
    QualityHarness.Collection col = QualityHarness.Collection.list(folder);
    List<Path> files = col.files();
    float[][] x = new float[files.size()][];
    try (Embedder e = ModelInfo.read(model).openEmbedder()) {
      int batch = 32;
      for (int s = 0; s < x.length; s += batch) {
        int n = Math.min(batch, x.length - s);
        BufferedImage[] imgs = new BufferedImage[n];
        for (int i = 0; i < n; i++) {
          imgs[i] = col.image(s + i);
        }
        float[][] v = e.embed(imgs);
        System.arraycopy(v, 0, x, s, n);
      }
    }
    long pairs = (long) x.length * (x.length - 1) / 2;
    double[] score = new double[(int) pairs];
    boolean[] genuine = new boolean[score.length];
    int q = 0;
    for (int i = 0; i < x.length; i++) {
      for (int j = i + 1; j < x.length; j++) {
        double s = 0;
        for (int d = 0; d < x[i].length; d++) {
          s += x[i][d] * x[j][d];
        }
        score[q] = s;
        genuine[q++] = col.identityOf()[i] == col.identityOf()[j];
      }
    }
    double[] impostor = new double[score.length];
    int ni = 0;
    int ng = 0;
    for (int i = 0; i < score.length; i++) {
      if (genuine[i]) {
        ng++;
      } else {
        impostor[ni++] = score[i];
      }
    }
    impostor = Arrays.copyOf(impostor, ni);
    Arrays.sort(impostor);
    double threshold = impostor[(int) Math.floor(ni * (1 - 1e-2))];
    int accepted = 0;
    for (int i = 0; i < score.length; i++) {
      if (genuine[i] && score[i] > threshold) {
        accepted++;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "{\"model\": \"%s\", \"identities\": %d, \"images\": %d, \"genuine_pairs\": %d,"
            + " \"impostor_pairs\": %d, \"threshold_at_far_1e-2\": %.4f, \"tar_at_far_1e-2\": %.4f,"
            + " \"roc_auc\": %.4f}%n",
        model,
        col.identities().size(),
        x.length,
        ng,
        ni,
        threshold,
        (double) accepted / ng,
        CleaningScores.auc(score, genuine));
  }
}
