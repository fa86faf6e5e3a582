package dev.facesieve.bench;

import dev.facesieve.datasets.clean.Calibration;
import dev.facesieve.datasets.clean.ClassDecision;
import dev.facesieve.datasets.clean.ClassScorer;
import dev.facesieve.datasets.clean.CleaningPolicy;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Contamination sweeps with hard clean faces (issue #26): the default policy against {@code
 * drop-py} at 75° as noise grows, and how far the cuts read from the data move.
 *
 * <p>A real collection is embedded once by a frozen ONNX embedder, and once more with one hard
 * variant of every image ({@link HardFaces}: greyscale, blur, 20–30° rotation, occlusion,
 * off-centre crop; still the named person). Every setting holds every clean face, the hard variant
 * of every fifth face as another clean face of its person (so clean faces include web-like hard
 * ones), a seeded quarter of the classes each holding a share p of faces of their nearest other
 * identity (coherent look-alike noise, p = 0, 10, 25, 40, 50%), and optionally 10% random label
 * flips in every class. The K=3 head is trained on each setting ({@code --centres trained}, what
 * {@code facesieve train} does) or seeded by spherical k-means ({@code --centres kmeans}, faster).
 *
 * <p>One JSON line per setting and policy: precision, recall, F1, the share of clean faces dropped
 * (all, and the hard ones alone), the cuts and their even/odd-class gap, and relabelling's moves.
 */
public final class ContaminationSweep {
  private ContaminationSweep() {}

  static final double[] LOOKALIKE = {0, 0.1, 0.25, 0.4, 0.5};
  static final double[] FLIPS = {0, 0.1};

  /** Every fifth face also appears as its hard variant. */
  static final int HARD_EVERY = 5;

  public static void main(String[] argv) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    Map<String, String> a = QualityHarness.parse(argv, 0);
    String name = a.get("name");
    Path onnx = Path.of(a.get("onnx"));
    Path work = Files.createDirectories(Path.of(a.get("work")));
    QualityHarness.Collection col = QualityHarness.Collection.list(Path.of(a.get("folder")));
    float[][] emb = QualityHarness.embedOnce(col, onnx, work.resolve(name + "-onnx.f32"));
    float[][] hard = hardOnce(col, onnx, work.resolve(name + "-hard.f32"));
    int n = emb.length;
    float[][] all = new float[2 * n][];
    System.arraycopy(emb, 0, all, 0, n);
    System.arraycopy(hard, 0, all, n, n);
    long seed = Long.parseLong(a.getOrDefault("seed", "1"));
    NoisySettings settings = new NoisySettings(col.identityOf(), col.identities(), emb, seed);
    boolean trained = !"kmeans".equals(a.getOrDefault("centres", "trained"));
    for (double flips : FLIPS) {
      for (double p : LOOKALIKE) {
        List<NoisySettings.Item> items = new ArrayList<>(settings.buildSweep(p, flips, seed));
        int clean = items.size();
        for (int i = 0; i < clean; i++) {
          NoisySettings.Item it = items.get(i);
          if (!it.truth().isNoise() && it.image() % HARD_EVERY == 0) {
            items.add(new NoisySettings.Item(n + it.image(), it.label(), it.truth()));
          }
        }
        Setting s = Setting.of(items, all, n, settings);
        float[][] centres =
            trained
                ? QualityHarness.trainHead(a, onnx, work, s.x, s.label, settings.classes(), 3, seed)
                : QualityHarness.kmeansCentres(s.x, s.label, settings.classes(), 3, seed);
        String prefix =
            String.format(
                Locale.ROOT,
                "\"dataset\": \"%s\", \"centres\": \"%s\", \"lookalike\": %.2f, \"flips\": %.2f,"
                    + " \"faces\": %d, ",
                name,
                trained ? "trained" : "kmeans",
                p,
                flips,
                s.x.length);
        for (String row : s.rows(centres, settings.classes())) {
          System.out.println("{" + prefix + row + "}");
        }
        System.out.flush();
      }
    }
  }

  /** One noisy set: embeddings, labels and the truth of each face. */
  private record Setting(
      float[][] x, int[] label, boolean[] noisy, boolean[] hard, int[] trueClass) {
    static Setting of(List<NoisySettings.Item> items, float[][] all, int n, NoisySettings ns) {
      int m = items.size();
      Setting s =
          new Setting(new float[m][], new int[m], new boolean[m], new boolean[m], new int[m]);
      for (int i = 0; i < m; i++) {
        NoisySettings.Item it = items.get(i);
        s.x[i] = all[it.image()];
        s.label[i] = it.label();
        s.noisy[i] = it.truth().isNoise();
        s.hard[i] = it.image() >= n;
        s.trueClass[i] = ns.trueClass(it.image() % n);
      }
      return s;
    }

    /**
     * The JSON fields (without braces) of drop-py at 75°, the default, and the default with
     * relabelling.
     */
    List<String> rows(float[][] centres, int classes) {
      DecisionScores.Scored sc = DecisionScores.Scored.of(x, label, centres, 3, classes);
      int[][] members = sc.members();
      float[][][] cx = sc.faces();
      ClassScorer.Scores[] scores = sc.scores();
      Calibration.Stats stats = sc.stats();
      Calibration cal = stats.calibrate();
      List<String> out = new ArrayList<>();
      for (CleaningPolicy p :
          List.of(
              CleaningPolicy.dropPy(),
              CleaningPolicy.defaults(),
              CleaningPolicy.defaults().withRelabel(true))) {
        CleaningPolicy r = p.resolve(cal);
        Tally t = new Tally();
        for (int c = 0; c < classes; c++) {
          ClassDecision d = r.decideClass(c, cx[c], scores[c], stats.centroids());
          for (int i = 0; i < cx[c].length; i++) {
            t.add(members[c][i], d, i, this);
          }
        }
        out.add(t.json(p, r, cal));
      }
      return out;
    }
  }

  /** Counts of one policy on one setting. */
  private static final class Tally {
    long noisy;
    long clean;
    long hard;
    long flagged;
    long truePositives;
    long cleanDropped;
    long hardDropped;
    long moved;
    long movedRight;
    long movedClean;

    void add(int face, ClassDecision d, int i, Setting s) {
      boolean flag = d.reason()[i] != null || d.relabelled(i);
      boolean isNoise = s.noisy[face];
      noisy += isNoise ? 1 : 0;
      clean += isNoise ? 0 : 1;
      flagged += flag ? 1 : 0;
      truePositives += flag && isNoise ? 1 : 0;
      cleanDropped += flag && !isNoise ? 1 : 0;
      if (s.hard[face]) {
        hard++;
        hardDropped += flag ? 1 : 0;
      }
      if (d.relabelled(i)) {
        moved++;
        movedRight += d.target()[i] == s.trueClass[face] ? 1 : 0;
        movedClean += isNoise ? 0 : 1;
      }
    }

    String json(CleaningPolicy p, CleaningPolicy r, Calibration cal) {
      double precision = flagged == 0 ? 1 : truePositives / (double) flagged;
      double recall = noisy == 0 ? 1 : truePositives / (double) noisy;
      double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
      boolean sub = p.kind() == CleaningPolicy.Kind.SUBCLASS;
      return String.format(
          Locale.ROOT,
          "\"policy\": \"%s\", \"face_cut_deg\": %.1f, \"group_cut_deg\": %s,"
              + " \"cut_gap_deg\": %s, \"noisy\": %d, \"flagged\": %d, \"true_positives\": %d,"
              + " \"precision\": %.4f, \"recall\": %.4f, \"f1\": %.4f, \"clean_dropped\": %.4f,"
              + " \"hard_dropped\": %.4f, \"moved\": %d, \"moved_right\": %d, \"moved_clean\": %d,"
              + " \"split_half_deg\": %.1f, \"nearest_other_median_deg\": %.1f,"
              + " \"genuine_beyond_cut\": %.4f",
          p.name() + (p.relabel() ? "+relabel" : "") + (sub ? "" : " 75"),
          r.thresholdDeg(),
          sub ? String.format(Locale.ROOT, "%.1f", r.otherPersonDeg()) : "null",
          sub ? String.format(Locale.ROOT, "%.1f", cal.cuts().spreadOfCutsDeg()) : "null",
          noisy,
          flagged,
          truePositives,
          precision,
          recall,
          f1,
          clean == 0 ? 0 : cleanDropped / (double) clean,
          hard == 0 ? 0 : hardDropped / (double) hard,
          moved,
          movedRight,
          movedClean,
          cal.cuts().splitHalfDeg(),
          cal.cuts().nearestOtherMedianDeg(),
          cal.cuts().genuineBeyondCut());
    }
  }

  /** ONNX embeddings of one hard variant of every image ({@link HardFaces}), cached. */
  static float[][] hardOnce(QualityHarness.Collection col, Path onnx, Path cache) throws Exception {
    return QualityHarness.cachedEmbeddings(
        col,
        onnx,
        cache,
        i -> {
          BufferedImage img = col.image(i);
          if (img.getWidth() != 112 || img.getHeight() != 112) {
            img = dev.facesieve.datasets.image.Images.resize(img, 112, 112);
          }
          return HardFaces.make(img, (i / HARD_EVERY) % HardFaces.KINDS.length, i);
        });
  }
}
