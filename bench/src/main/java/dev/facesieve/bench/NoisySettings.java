package dev.facesieve.bench;

import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.model.Embedder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Builds the noisy label sets of the quality harness from a clean identity-per-folder collection.
 *
 * <p>A fixed 20% of the identities (seeded) is held out of the label set and only ever appears as
 * open-set noise, so every setting has the same classes. To each kept class of {@code n} images,
 * {@code round(n·p/(1−p))} noisy images are added so that noise is the share {@code p} of the class
 * (the same construction as {@code facesieve inject}). The four kinds:
 *
 * <ul>
 *   <li>{@code close-random}: each noisy image shows a random other kept identity (a label flip);
 *   <li>{@code close-lookalike}: all of a class's noise shows its nearest kept identity, by the
 *       angle between class-mean reference embeddings (a look-alike filed many times under one
 *       name: coherent web noise);
 *   <li>{@code open-random}: each noisy image shows a random held-out identity;
 *   <li>{@code open-lookalike}: all of a class's noise shows its nearest held-out identity.
 * </ul>
 *
 * Source images are drawn without replacement from the partner's images (cycling when the partner
 * has fewer than needed), so a coherent class really holds many photos of one person.
 */
final class NoisySettings {
  static final double HELD_OUT = 0.2;

  /** One image of the noisy set. */
  record Item(int image, int label, NoiseKind truth) {}

  /** The kinds, in report order. */
  static final String[] KINDS = {
    "close-random", "close-lookalike", "open-random", "open-lookalike"
  };

  private final int[] identityOf;
  private final List<String> identities;
  private final int[] keptIdentities;
  private final int[] heldIdentities;
  private final List<List<Integer>> imagesOf;
  private final double[][] meanCos;

  /**
   * @param identityOf identity index of every image
   * @param identities identity names
   * @param reference unit-length reference embeddings of every image (used only to find
   *     look-alikes)
   */
  NoisySettings(int[] identityOf, List<String> identities, float[][] reference, long seed) {
    this.identityOf = identityOf;
    this.identities = identities;
    int n = identities.size();
    imagesOf = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      imagesOf.add(new ArrayList<>());
    }
    for (int i = 0; i < identityOf.length; i++) {
      imagesOf.get(identityOf[i]).add(i);
    }
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    shuffle(order, new SplittableRandom(seed));
    int held = Math.max(1, (int) Math.round(HELD_OUT * n));
    heldIdentities = java.util.Arrays.copyOfRange(order, 0, held);
    keptIdentities = java.util.Arrays.copyOfRange(order, held, n);
    java.util.Arrays.sort(heldIdentities);
    java.util.Arrays.sort(keptIdentities);
    int d = reference[0].length;
    float[][] mean = new float[n][d];
    for (int i = 0; i < reference.length; i++) {
      for (int j = 0; j < d; j++) {
        mean[identityOf[i]][j] += reference[i][j];
      }
    }
    Embedder.normalizeRows(mean);
    meanCos = new double[n][n];
    for (int a = 0; a < n; a++) {
      for (int b = 0; b < n; b++) {
        double s = 0;
        for (int j = 0; j < d; j++) {
          s += mean[a][j] * mean[b][j];
        }
        meanCos[a][b] = s;
      }
    }
  }

  int classes() {
    return keptIdentities.length;
  }

  /** Name of class {@code label}. */
  String className(int label) {
    return identities.get(keptIdentities[label]);
  }

  /** The class that shows the person of {@code image}, or −1 when that person is held out. */
  int trueClass(int image) {
    int i = java.util.Arrays.binarySearch(keptIdentities, identityOf[image]);
    return i < 0 ? -1 : i;
  }

  String identityName(int image) {
    return identities.get(identityOf[image]);
  }

  /** The noisy set of one kind at share {@code p}. */
  List<Item> build(String kind, double p, long seed) {
    boolean open = kind.startsWith("open");
    boolean lookalike = kind.endsWith("lookalike");
    if (!open && !kind.startsWith("close") || !lookalike && !kind.endsWith("random")) {
      throw new IllegalArgumentException("unknown noise kind " + kind);
    }
    SplittableRandom r = new SplittableRandom(seed * 31 + kind.hashCode());
    int[] pool = open ? heldIdentities : keptIdentities;
    List<Item> items = new ArrayList<>();
    for (int label = 0; label < keptIdentities.length; label++) {
      int id = keptIdentities[label];
      for (int img : imagesOf.get(id)) {
        items.add(new Item(img, label, NoiseKind.CLEAN));
      }
      int n = imagesOf.get(id).size();
      int noisy = (int) Math.round(n * p / (1 - p));
      int partner = -1;
      if (lookalike) {
        for (int q : pool) {
          if (q != id && (partner < 0 || meanCos[id][q] > meanCos[id][partner])) {
            partner = q;
          }
        }
      }
      List<Integer> drawn = new ArrayList<>();
      for (int k = 0; k < noisy; k++) {
        int src = partner;
        if (!lookalike) {
          do {
            src = pool[r.nextInt(pool.length)];
          } while (src == id);
        }
        List<Integer> imgs = imagesOf.get(src);
        int img;
        if (lookalike) {
          if (drawn.isEmpty()) {
            for (int x : imgs) {
              drawn.add(x);
            }
            java.util.Collections.shuffle(drawn, new java.util.Random(r.nextLong()));
          }
          img = drawn.remove(drawn.size() - 1);
        } else {
          img = imgs.get(r.nextInt(imgs.size()));
        }
        items.add(new Item(img, label, open ? NoiseKind.OPEN_SET : NoiseKind.CLOSE_SET));
      }
    }
    return items;
  }

  /**
   * A contamination sweep: a seeded quarter of the classes each hold a share {@code lookalike} of
   * faces of their nearest kept identity (coherent close-set noise), and every class a share {@code
   * flips} of random other kept identities (label flips).
   */
  List<Item> buildSweep(double lookalike, double flips, long seed) {
    SplittableRandom r = new SplittableRandom(seed * 131 + 7);
    int c = keptIdentities.length;
    int[] order = new int[c];
    for (int i = 0; i < c; i++) {
      order[i] = i;
    }
    shuffle(order, new SplittableRandom(seed * 17 + 3));
    boolean[] coherent = new boolean[c];
    for (int i = 0; i < Math.max(1, c / 4); i++) {
      coherent[order[i]] = true;
    }
    List<Item> items = new ArrayList<>();
    for (int label = 0; label < c; label++) {
      int id = keptIdentities[label];
      for (int img : imagesOf.get(id)) {
        items.add(new Item(img, label, NoiseKind.CLEAN));
      }
      int n = imagesOf.get(id).size();
      if (coherent[label] && lookalike > 0) {
        int partner = -1;
        for (int q : keptIdentities) {
          if (q != id && (partner < 0 || meanCos[id][q] > meanCos[id][partner])) {
            partner = q;
          }
        }
        List<Integer> drawn = new ArrayList<>();
        for (int k = 0; k < (int) Math.round(n * lookalike / (1 - lookalike)); k++) {
          if (drawn.isEmpty()) {
            drawn.addAll(imagesOf.get(partner));
            java.util.Collections.shuffle(drawn, new java.util.Random(r.nextLong()));
          }
          items.add(new Item(drawn.remove(drawn.size() - 1), label, NoiseKind.CLOSE_SET));
        }
      }
      for (int k = 0; k < (int) Math.round(n * flips / (1 - flips)); k++) {
        int src;
        do {
          src = keptIdentities[r.nextInt(c)];
        } while (src == id);
        List<Integer> imgs = imagesOf.get(src);
        items.add(new Item(imgs.get(r.nextInt(imgs.size())), label, NoiseKind.CLOSE_SET));
      }
    }
    return items;
  }

  static String settingName(String kind, double p) {
    return String.format(Locale.ROOT, "%s-%02d", kind, Math.round(p * 100));
  }

  private static void shuffle(int[] a, SplittableRandom r) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
