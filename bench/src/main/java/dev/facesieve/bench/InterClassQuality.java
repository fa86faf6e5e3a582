package dev.facesieve.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.facesieve.datasets.clean.Calibration;
import dev.facesieve.datasets.clean.Centroids;
import dev.facesieve.datasets.clean.ClassDecision;
import dev.facesieve.datasets.clean.ClassScorer;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.clean.DetectionMetrics;
import dev.facesieve.datasets.clean.InterClassFindings;
import dev.facesieve.datasets.clean.InterClassPolicy;
import dev.facesieve.datasets.clean.InterClassTruth;
import dev.facesieve.datasets.clean.SimilaritySearch;
import dev.facesieve.datasets.clean.SubClasses;
import dev.facesieve.datasets.image.Images;
import dev.facesieve.datasets.io.LocalFiles;
import dev.facesieve.model.OnnxEmbedder;
import dev.facesieve.model.Preprocessing;
import dev.facesieve.model.SimilaritySearches;
import dev.facesieve.model.SphericalKMeans;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Quality of the inter-class cleaning (issue 17) on real faces with planted duplicates: one person
 * split into two classes, copies of pictures within their class, and a test set of held-out
 * pictures of known (and of absent) people; prints one JSON line per measurement.
 *
 * <p>It runs the cleaning's own code without Beam, as {@code ScoreAgainstSubCenters} does per
 * class: sub-centres (K=3) by spherical k-means per class, {@link ClassScorer}, {@link
 * Calibration.ClassStats} combined into the run's {@link Calibration}, {@link
 * InterClassFindings#find} on the person centroids at the calibrated duplicate-identity angle with
 * {@link SimilaritySearches#best}, then per class {@link CleaningPolicy#decideClass} (the default
 * policy) and {@link InterClassPolicy#apply} at the calibrated near-duplicate angle. A real run's
 * sub-centres come from the trained head; k-means seeds them the same way, and with a frozen
 * embedder the head only moves them a little. Planted copies are encoded to bytes, decoded and
 * embedded as the pipeline would (the same ONNX embedder); exact copies keep the original's bytes
 * and so its sha256.
 */
public final class InterClassQuality {
  private InterClassQuality() {}

  /** Sub-centres per class. */
  static final int K = 3;

  /** The planted copies, in the order of the rows. */
  static final List<String> TRANSFORMS =
      List.of(
          "exact",
          "brightness+6",
          "jpeg-q95",
          "jpeg-q75",
          "jpeg-q50",
          "resize-0.75",
          "crop-1px",
          "crop-3px",
          "mirror");

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A face of a class: an image of the collection, or a planted copy of one.
   *
   * @param image the collection's image index (of the original, for a copy)
   * @param transform null for the image itself, else how the copy was made
   */
  record Face(int image, float[] x, String sha256, String transform) {
    boolean copy() {
      return transform != null;
    }
  }

  /** A class: its name, the person it shows, its faces. */
  record Cls(String name, int person, List<Face> faces) {
    float[][] x() {
      return faces.stream().map(Face::x).toArray(float[][]::new);
    }

    String[] sha256() {
      return faces.stream().map(Face::sha256).toArray(String[]::new);
    }
  }

  /** One run of the cleaning over some classes. */
  record Run(
      List<Cls> classes,
      Calibration calibration,
      InterClassPolicy interClass,
      InterClassFindings findings,
      ClassScorer.Scores[] scores,
      Centroids persons) {}

  public static void main(String[] argv) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    Map<String, String> a = QualityHarness.parse(argv, 0);
    String name = a.get("name");
    Path folder = Path.of(a.get("folder"));
    Path onnx = Path.of(a.get("onnx"));
    Path work = Files.createDirectories(Path.of(a.get("work")));
    int splits = Integer.parseInt(a.get("splits"));
    int overlap = Integer.parseInt(a.get("overlap"));
    int absent = Integer.parseInt(a.get("absent"));
    int copies = Integer.parseInt(a.get("copies"));
    long[] seeds =
        Arrays.stream(a.getOrDefault("seeds", "1,2,3").split(","))
            .mapToLong(Long::parseLong)
            .toArray();
    QualityHarness.Collection col = QualityHarness.Collection.list(folder);
    float[][] emb = QualityHarness.embedOnce(col, onnx, work.resolve(name + "-onnx.f32"));
    String[] sha = new String[emb.length];
    for (int i = 0; i < sha.length; i++) {
      sha[i] = LocalFiles.sha256(col.files().get(i));
    }
    SimilaritySearch search = SimilaritySearches.best();
    Map<String, Object> base = new LinkedHashMap<>();
    base.put("dataset", name);
    base.put("classes", col.identities().size());
    base.put("images", emb.length);
    base.put("search", search.getClass().getSimpleName());
    print(base, spread(collection(col, emb, sha), seeds[0]));
    try (OnnxEmbedder embedder = OnnxEmbedder.load(onnx, Preprocessing.ARCFACE_BGR, true)) {
      for (long seed : seeds) {
        for (String mode : new String[] {"none", "halves", "80/20"}) {
          print(base, split(col, emb, sha, mode, mode.equals("none") ? 0 : splits, seed, search));
        }
        print(base, testOverlap(col, emb, sha, overlap, absent, seed, search));
        for (Map<String, Object> r : duplicates(col, emb, sha, embedder, copies, seed, search)) {
          print(base, r);
        }
      }
    }
  }

  private static void print(Map<String, Object> base, Map<String, Object> row) throws Exception {
    Map<String, Object> all = new LinkedHashMap<>(base);
    all.putAll(row);
    System.out.println(JSON.writeValueAsString(all));
    System.out.flush();
  }

  // ---------------------------------------------------------------- the cleaning, without Beam

  static Run run(List<Cls> classes, Centroids test, long seed, SimilaritySearch search) {
    Calibration.Stats stats = new Calibration.Stats();
    ClassScorer.Scores[] scores = new ClassScorer.Scores[classes.size()];
    for (int c = 0; c < classes.size(); c++) {
      float[][] x = classes.get(c).x();
      float[][] centres = SphericalKMeans.fit(x, K, 20, seed * 100_003 + c);
      scores[c] = ClassScorer.score(x, centres);
      stats.add(
          Calibration.ClassStats.of(
              c,
              classes.get(c).name(),
              x,
              scores[c],
              SubClasses.of(x, scores[c]),
              CleaningPolicy.DEFAULT_MIN_SUBCLASS_SIZE));
    }
    Calibration cal = stats.calibrate();
    InterClassPolicy ic = InterClassPolicy.defaults().resolve(cal);
    Centroids persons = stats.personCentroids();
    InterClassFindings f =
        InterClassFindings.find(persons, stats.faces(), test, ic.duplicateIdentityDeg(), search);
    return new Run(classes, cal, ic, f, scores, persons);
  }

  /** Every class's decision: the default policy, then the inter-class one. */
  static ClassDecision[][] decide(Run r) {
    CleaningPolicy p = CleaningPolicy.defaults().resolve(r.calibration());
    ClassDecision[][] out = new ClassDecision[r.classes().size()][];
    for (int c = 0; c < out.length; c++) {
      Cls k = r.classes().get(c);
      ClassDecision own = p.decideClass(c, k.x(), r.scores()[c], null);
      out[c] =
          new ClassDecision[] {own, r.interClass().apply(own, k.x(), k.sha256(), r.findings())};
    }
    return out;
  }

  static List<Cls> collection(QualityHarness.Collection col, float[][] emb, String[] sha) {
    List<Cls> out = new ArrayList<>();
    for (int p = 0; p < col.identities().size(); p++) {
      out.add(new Cls(col.identities().get(p), p, new ArrayList<>()));
    }
    for (int i = 0; i < emb.length; i++) {
      out.get(col.identityOf()[i]).faces().add(new Face(i, emb[i], sha[i], null));
    }
    return out;
  }

  private static Map<String, Object> common(String feature, long seed, Run r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("feature", feature);
    m.put("seed", seed);
    m.put("duplicate_identity_deg", r.interClass().duplicateIdentityDeg());
    m.put("near_duplicate_deg", r.interClass().nearDuplicateDeg());
    m.put("other_person_deg", r.calibration().otherPersonDeg());
    m.put("split_half_p95_deg", r.calibration().evidence().splitHalfP95Deg());
    m.put("face_median_deg", r.calibration().evidence().faceMedianDeg());
    return m;
  }

  private static double angle(float[] a, float[] b) {
    return round(SubClasses.angleDeg(ClassScorer.dot(a, b)));
  }

  private static double round(double d) {
    return Math.round(d * 100) / 100.0;
  }

  // ---------------------------------------------------------------- one person, two classes

  /**
   * Splits {@code n} random people into two classes each ({@code halves}: random halves; {@code
   * 80/20}: a random fifth moved out), or none, and scores the duplicate-identity groups found.
   */
  static Map<String, Object> split(
      QualityHarness.Collection col,
      float[][] emb,
      String[] sha,
      String mode,
      int n,
      long seed,
      SimilaritySearch search) {
    Random rng = new Random(seed);
    List<Cls> classes = collection(col, emb, sha);
    List<Integer> people = new ArrayList<>();
    for (int p = 0; p < classes.size(); p++) {
      people.add(p);
    }
    Collections.shuffle(people, rng);
    List<int[]> planted = new ArrayList<>();
    for (int p : people.subList(0, n)) {
      Cls c = classes.get(p);
      List<Face> faces = new ArrayList<>(c.faces());
      Collections.shuffle(faces, rng);
      int keep =
          mode.equals("halves") ? (faces.size() + 1) / 2 : (int) Math.round(0.8 * faces.size());
      List<Face> a = new ArrayList<>(faces.subList(0, keep));
      List<Face> b = new ArrayList<>(faces.subList(keep, faces.size()));
      a.sort((u, v) -> Integer.compare(u.image(), v.image()));
      b.sort((u, v) -> Integer.compare(u.image(), v.image()));
      classes.set(p, new Cls(c.name(), p, a));
      classes.add(new Cls(c.name() + "_b", p, b));
      planted.add(new int[] {p, classes.size() - 1});
    }
    Run r = run(classes, null, seed, search);
    InterClassFindings f = r.findings();
    int found = 0;
    int exact = 0;
    List<Double> plantedDeg = new ArrayList<>();
    List<String> missed = new ArrayList<>();
    List<String> missedDetail = new ArrayList<>();
    for (int[] pl : planted) {
      double deg = angle(r.persons().centroid(pl[0]), r.persons().centroid(pl[1]));
      plantedDeg.add(deg);
      boolean together = f.identityOf(pl[0]) != null && f.keeperOf(pl[0]) == f.keeperOf(pl[1]);
      if (together) {
        found++;
        for (InterClassFindings.Group g : f.groups()) {
          if (g.keeper() == f.keeperOf(pl[0]) && g.labels().length == 2) {
            exact++;
          }
        }
      } else {
        missed.add(classes.get(pl[0]).name() + " " + deg + "°");
        missedDetail.add(whyApart(classes.get(pl[0]), classes.get(pl[1]), r, pl));
      }
    }
    int falseGroups = 0;
    int falseJoins = 0;
    List<String> falseList = new ArrayList<>();
    for (InterClassFindings.Group g : f.groups()) {
      Set<Integer> persons = new HashSet<>();
      for (int label : g.labels()) {
        persons.add(classes.get(label).person());
      }
      if (persons.size() > 1) {
        falseGroups++;
        falseJoins += persons.size() - 1;
        falseList.add(
            String.join("+", g.identities()) + " " + Arrays.toString(g.angleToKeeperDeg()));
      }
    }
    // the closest two classes of different people: how far the cut is from a false merge
    double nearestOther = 180;
    String nearestPair = null;
    for (int i = 0; i < classes.size(); i++) {
      for (int j = i + 1; j < classes.size(); j++) {
        if (classes.get(i).person() != classes.get(j).person()) {
          double d = angle(r.persons().centroid(i), r.persons().centroid(j));
          if (d < nearestOther) {
            nearestOther = d;
            nearestPair = classes.get(i).name() + "+" + classes.get(j).name();
          }
        }
      }
    }
    Map<String, Object> m = common("split", seed, r);
    m.put("split", mode);
    m.put("train_classes", classes.size());
    m.put("planted", planted.size());
    m.put("found", found);
    m.put("found_exact", exact);
    m.put("groups", f.groups().size());
    m.put("false_groups", falseGroups);
    m.put("false_joins", falseJoins);
    m.put("planted_max_deg", plantedDeg.stream().mapToDouble(d -> d).max().orElse(Double.NaN));
    m.put("planted_min_deg", plantedDeg.stream().mapToDouble(d -> d).min().orElse(Double.NaN));
    m.put("nearest_other_person_deg", nearestOther);
    m.put("nearest_other_person_pair", nearestPair);
    m.put("missed", missed);
    m.put("missed_detail", missedDetail);
    m.put("false", falseList);
    // the pipeline's truth metric (summary.json inter_class.truth) on the same findings: each
    // class's true identity is its person
    Map<Integer, String> truthOf = new java.util.HashMap<>();
    for (int c = 0; c < classes.size(); c++) {
      truthOf.put(c, String.valueOf(classes.get(c).person()));
    }
    Map<Integer, Integer> groupOf = new java.util.HashMap<>();
    for (InterClassFindings.Group g : f.groups()) {
      for (int label : g.labels()) {
        groupOf.put(label, g.id());
      }
    }
    DetectionMetrics.Counts t = InterClassTruth.duplicateIdentities(truthOf, groupOf);
    // a person has at most two classes here, so its pair is right exactly when found together
    truth(m, t, t.droppedNoisy() == found && t.noisy() == planted.size());
    if (n == 0) {
      // the clean collection: what the default duplicate-image marking finds among real faces
      List<String> marked = new ArrayList<>();
      int exactCopies = 0;
      ClassDecision[][] d = decide(r);
      for (int c = 0; c < classes.size(); c++) {
        ClassDecision ic = d[c][1];
        Cls k = classes.get(c);
        for (int i = 0; i < ic.duplicateOf().length; i++) {
          int o = ic.duplicateOf()[i];
          if (o >= 0) {
            exactCopies += ic.exactDuplicate()[i] ? 1 : 0;
            marked.add(
                fileName(col, k.faces().get(i).image())
                    + " ~ "
                    + fileName(col, k.faces().get(o).image())
                    + " "
                    + round(ic.angleToDuplicateDeg()[i])
                    + "°");
          }
        }
      }
      // how close distinct real pictures of one class come: the room a near-duplicate cut has
      List<Double> nearest = new ArrayList<>();
      List<String> close = new ArrayList<>();
      for (Cls k : classes) {
        for (int i = 0; i < k.faces().size(); i++) {
          double best = 180;
          for (int j = 0; j < k.faces().size(); j++) {
            if (j != i && !k.faces().get(i).sha256().equals(k.faces().get(j).sha256())) {
              double deg = angle(k.faces().get(i).x(), k.faces().get(j).x());
              best = Math.min(best, deg);
              if (j > i && deg < CLOSE_PAIR_DEG) {
                close.add(
                    deg
                        + "° "
                        + fileName(col, k.faces().get(i).image())
                        + " ~ "
                        + fileName(col, k.faces().get(j).image()));
              }
            }
          }
          nearest.add(best);
        }
      }
      close.sort((u, v) -> Double.compare(leading(u), leading(v)));
      m.put("close_pairs", close);
      Collections.sort(nearest);
      m.put("nearest_face_min_deg", nearest.get(0));
      m.put("nearest_face_p1_deg", nearest.get((int) (0.01 * nearest.size())));
      m.put("nearest_face_p5_deg", nearest.get((int) (0.05 * nearest.size())));
      m.put("nearest_face_median_deg", nearest.get(nearest.size() / 2));
      m.put("duplicate_images_marked", marked.size());
      m.put("duplicate_images_exact", exactCopies);
      m.put("duplicate_images", marked);
    }
    return m;
  }

  /**
   * Why a missed split's halves lie apart: each half's size, and the angle between the halves on
   * the person centroid (what the search compares), the plain mean of all their faces and the
   * dominant sub-class's mean, and the spread-scaled distance {@link #spreadScaled}.
   */
  static String whyApart(Cls a, Cls b, Run r, int[] labels) {
    float[][] xa = a.x();
    float[][] xb = b.x();
    float[] domA = SubClasses.of(xa, r.scores()[labels[0]]).dominantCentroid();
    float[] domB = SubClasses.of(xb, r.scores()[labels[1]]).dominantCentroid();
    return String.format(
        java.util.Locale.ROOT,
        "%s %d+%d faces: person %.1f°, mean %.1f°, dominant %.1f°, spread-scaled %.2f",
        a.name(),
        xa.length,
        xb.length,
        angle(r.persons().centroid(labels[0]), r.persons().centroid(labels[1])),
        angle(SubClasses.mean(xa), SubClasses.mean(xb)),
        angle(domA, domB),
        spreadScaled(xa, xb));
  }

  /**
   * The squared distance between two groups' mean embeddings over what two random samples of one
   * person of these sizes would give: |m_a − m_b|² / (s² (1/n_a + 1/n_b)), with s² the pooled
   * per-face variance about each group's mean. About 1 for two samples of one person whatever its
   * spread; the alternative to a fixed angle that a spread-out person needs.
   */
  static double spreadScaled(float[][] a, float[][] b) {
    double[] ma = rawMean(a);
    double[] mb = rawMean(b);
    double ss = sumSquares(a, ma) + sumSquares(b, mb);
    int dof = a.length + b.length - 2;
    if (dof < 1 || ss == 0) {
      return Double.NaN;
    }
    double d2 = 0;
    for (int j = 0; j < ma.length; j++) {
      d2 += (ma[j] - mb[j]) * (ma[j] - mb[j]);
    }
    return round(d2 / (ss / dof * (1.0 / a.length + 1.0 / b.length)));
  }

  private static double[] rawMean(float[][] rows) {
    double[] m = new double[rows[0].length];
    for (float[] r : rows) {
      for (int j = 0; j < m.length; j++) {
        m[j] += r[j] / (double) rows.length;
      }
    }
    return m;
  }

  private static double sumSquares(float[][] rows, double[] mean) {
    double ss = 0;
    for (float[] r : rows) {
      for (int j = 0; j < mean.length; j++) {
        ss += (r[j] - mean[j]) * (r[j] - mean[j]);
      }
    }
    return ss;
  }

  /** Random splits of each person drawn for {@link #spread}. */
  static final int SPREAD_SPLITS = 200;

  /** Random 20% parts of each person drawn per other person for {@link #spread}. */
  static final int SPREAD_PARTS = 20;

  /**
   * How far one person's two random parts lie apart against two different people, on the angle
   * between plain means and on {@link #spreadScaled}: {@link #SPREAD_SPLITS} random halves and
   * 80/20 splits of every person, every pair of people (whole classes), and every person's larger
   * part (80%) against {@link #SPREAD_PARTS} random 20% parts of every other person (the size of a
   * planted small class). Whether some per-class measure of spread could find the splits a fixed
   * angle misses.
   */
  static Map<String, Object> spread(List<Cls> people, long seed) {
    Random rng = new Random(seed);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("feature", "split-spread");
    m.put("seed", seed);
    m.put("splits_per_person", SPREAD_SPLITS);
    m.put("parts_per_pair", SPREAD_PARTS);
    for (String mode : new String[] {"halves", "80/20"}) {
      List<double[]> same = new ArrayList<>(); // angle, scaled, person
      for (int p = 0; p < people.size(); p++) {
        for (int s = 0; s < SPREAD_SPLITS; s++) {
          float[][][] parts = randomSplit(people.get(p).x(), mode, rng);
          same.add(
              new double[] {
                angle(SubClasses.mean(parts[0]), SubClasses.mean(parts[1])),
                spreadScaled(parts[0], parts[1]),
                p
              });
        }
      }
      String key = mode.equals("halves") ? "same_halves" : "same_80_20";
      m.put(key + "_angle_p95_deg", pct(same, 0, 95));
      m.put(key + "_angle_p99_deg", pct(same, 0, 99));
      m.put(key + "_angle_max_deg", pct(same, 0, 100));
      m.put(key + "_scaled_p95", pct(same, 1, 95));
      m.put(key + "_scaled_p99", pct(same, 1, 99));
      m.put(key + "_scaled_max", pct(same, 1, 100));
      // the most spread-out people: the largest median angle between their parts
      List<String> widest = new ArrayList<>();
      List<double[]> byPerson = new ArrayList<>();
      for (int p = 0; p < people.size(); p++) {
        final int q = p;
        List<double[]> own = same.stream().filter(v -> v[2] == q).toList();
        byPerson.add(new double[] {pct(own, 0, 50), p, pct(own, 1, 50), fraction(own, 45)});
      }
      byPerson.sort((u, v) -> Double.compare(v[0], u[0]));
      for (double[] v : byPerson.subList(0, Math.min(4, byPerson.size()))) {
        widest.add(
            String.format(
                java.util.Locale.ROOT,
                "%s (%d faces) median %.1f°, beyond 45° %.0f%%, scaled median %.2f",
                people.get((int) v[1]).name(),
                people.get((int) v[1]).faces().size(),
                v[0],
                100 * v[3],
                v[2]));
      }
      m.put(key + "_widest", widest);
    }
    List<double[]> whole = new ArrayList<>();
    List<double[]> small = new ArrayList<>(); // angle, scaled, big person, small person
    for (int p = 0; p < people.size(); p++) {
      float[][] xp = people.get(p).x();
      for (int q = 0; q < people.size(); q++) {
        if (q == p) {
          continue;
        }
        float[][] xq = people.get(q).x();
        if (p < q) {
          whole.add(
              new double[] {
                angle(SubClasses.mean(xp), SubClasses.mean(xq)), spreadScaled(xp, xq), p, q
              });
        }
        for (int s = 0; s < SPREAD_PARTS; s++) {
          float[][] big = randomSplit(xp, "80/20", rng)[0];
          float[][] part = randomSplit(xq, "80/20", rng)[1];
          small.add(
              new double[] {
                angle(SubClasses.mean(big), SubClasses.mean(part)), spreadScaled(big, part), p, q
              });
        }
      }
    }
    m.put("other_whole_angle_min_deg", pct(whole, 0, 0));
    m.put("other_whole_scaled_min", pct(whole, 1, 0));
    m.put("other_whole_scaled_min_pair", closestPair(whole, people));
    m.put("other_small_angle_min_deg", pct(small, 0, 0));
    m.put("other_small_scaled_min", pct(small, 1, 0));
    m.put("other_small_scaled_p0_1", pct(small, 1, 0.1));
    m.put("other_small_scaled_min_pair", closestPair(small, people));
    m.put("other_small_pairs", small.size());
    List<double[]> window = small.stream().filter(v -> v[0] <= SPREAD_WINDOW_DEG).toList();
    m.put("window_deg", SPREAD_WINDOW_DEG);
    m.put("other_small_within_window", window.size());
    m.put("other_small_within_window_scaled_min", window.isEmpty() ? null : pct(window, 1, 0));
    m.put(
        "other_small_within_window_scaled_min_pair",
        window.isEmpty() ? null : closestPair(window, people));
    // per-face evidence without an angle: do all of a small class's faces, and its mean, name one
    // nearest class? With the person's other faces present (a planted split) and absent (a small
    // class of a person filed once)
    float[][] means = people.stream().map(c -> SubClasses.mean(c.x())).toArray(float[][]::new);
    int same = 0;
    int lone = 0;
    int draws = 0;
    for (int q = 0; q < people.size(); q++) {
      for (int s = 0; s < SPREAD_PARTS; s++) {
        float[][][] parts = randomSplit(people.get(q).x(), "80/20", rng);
        float[][] with = means.clone();
        with[q] = SubClasses.mean(parts[0]);
        boolean allOwn = true;
        for (float[] f : parts[1]) {
          allOwn &= nearestRow(f, with, -1) == q;
        }
        same += allOwn ? 1 : 0;
        int first = nearestRow(SubClasses.mean(parts[1]), means, q);
        boolean agree = true;
        for (float[] f : parts[1]) {
          agree &= nearestRow(f, means, q) == first;
        }
        lone += agree ? 1 : 0;
        draws++;
      }
    }
    m.put("small_part_all_faces_nearest_own_rest", round((double) same / draws));
    m.put("small_part_alone_all_faces_nearest_one_other", round((double) lone / draws));
    return m;
  }

  /**
   * A plain-mean angle that takes in every missed LFW split (62.3° at most); {@link #spread} counts
   * the pairs of two people within it.
   */
  static final double SPREAD_WINDOW_DEG = 63;

  private static int nearestRow(float[] x, float[][] rows, int skip) {
    int best = -1;
    double bestDot = -2;
    for (int i = 0; i < rows.length; i++) {
      double d = ClassScorer.dot(x, rows[i]);
      if (i != skip && d > bestDot) {
        bestDot = d;
        best = i;
      }
    }
    return best;
  }

  private static float[][][] randomSplit(float[][] x, String mode, Random rng) {
    List<float[]> rows = new ArrayList<>(Arrays.asList(x));
    Collections.shuffle(rows, rng);
    int keep = mode.equals("halves") ? (x.length + 1) / 2 : (int) Math.round(0.8 * x.length);
    return new float[][][] {
      rows.subList(0, keep).toArray(new float[0][]),
      rows.subList(keep, rows.size()).toArray(new float[0][])
    };
  }

  /** The p-th percentile (nearest rank) of column {@code col}; 0 gives the minimum. */
  private static double pct(List<double[]> rows, int col, double p) {
    double[] v = rows.stream().mapToDouble(r -> r[col]).filter(d -> !Double.isNaN(d)).toArray();
    Arrays.sort(v);
    int i = (int) Math.ceil(p / 100 * v.length) - 1;
    return round(v[Math.max(0, Math.min(v.length - 1, i))]);
  }

  private static double fraction(List<double[]> rows, double aboveDeg) {
    return rows.stream().filter(r -> r[0] > aboveDeg).count() / (double) rows.size();
  }

  private static String closestPair(List<double[]> rows, List<Cls> people) {
    double[] best = rows.stream().min((u, v) -> Double.compare(u[1], v[1])).orElseThrow();
    return String.format(
        java.util.Locale.ROOT,
        "%s + %s: scaled %.2f, %.1f°",
        people.get((int) best[2]).name(),
        people.get((int) best[3]).name(),
        best[1],
        best[0]);
  }

  /** Distinct real pictures of one class closer than this are listed (candidate cuts). */
  static final double CLOSE_PAIR_DEG = 20;

  private static double leading(String angleFirst) {
    return Double.parseDouble(angleFirst.substring(0, angleFirst.indexOf('°')));
  }

  private static String fileName(QualityHarness.Collection col, int image) {
    Path p = col.files().get(image);
    return p.getParent().getFileName() + "/" + p.getFileName();
  }

  // ---------------------------------------------------------------- test-set overlap

  /**
   * Holds out half the pictures of {@code overlap} random people as a test set (the other half
   * stays in training) and all pictures of {@code absent} others (gone from training), and scores
   * the training classes matched to a test identity.
   */
  static Map<String, Object> testOverlap(
      QualityHarness.Collection col,
      float[][] emb,
      String[] sha,
      int overlap,
      int absent,
      long seed,
      SimilaritySearch search) {
    Random rng = new Random(seed * 31 + 7);
    List<Cls> all = collection(col, emb, sha);
    List<Integer> people = new ArrayList<>();
    for (int p = 0; p < all.size(); p++) {
      people.add(p);
    }
    Collections.shuffle(people, rng);
    Set<Integer> shared = new HashSet<>(people.subList(0, overlap));
    Set<Integer> gone = new HashSet<>(people.subList(overlap, overlap + absent));
    List<Cls> train = new ArrayList<>();
    List<String> testNames = new ArrayList<>();
    List<float[]> testCentroids = new ArrayList<>();
    List<Integer> testPerson = new ArrayList<>();
    int testFaces = 0;
    for (Cls c : all) {
      List<Face> faces = new ArrayList<>(c.faces());
      List<Face> held = List.of();
      if (gone.contains(c.person())) {
        held = faces;
        faces = List.of();
      } else if (shared.contains(c.person())) {
        Collections.shuffle(faces, rng);
        int half = faces.size() / 2;
        held = new ArrayList<>(faces.subList(0, half));
        faces = new ArrayList<>(faces.subList(half, faces.size()));
        faces.sort((u, v) -> Integer.compare(u.image(), v.image()));
      }
      if (!faces.isEmpty()) {
        train.add(new Cls(c.name(), c.person(), faces));
      }
      if (!held.isEmpty()) {
        testNames.add("test-" + c.name());
        testCentroids.add(SubClasses.mean(held.stream().map(Face::x).toArray(float[][]::new)));
        testPerson.add(c.person());
        testFaces += held.size();
      }
    }
    int[] labels = new int[testNames.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i;
    }
    Centroids test =
        new Centroids(
            labels, testNames.toArray(new String[0]), testCentroids.toArray(new float[0][]));
    Run r = run(train, test, seed, search);
    int dropTrue = 0;
    int dropWrongIdentity = 0;
    List<String> falseDrops = new ArrayList<>();
    List<Double> trueDeg = new ArrayList<>();
    for (Map.Entry<Integer, InterClassFindings.TestMatch> e :
        r.findings().testMatches().entrySet()) {
      Cls c = train.get(e.getKey());
      String t = e.getValue().testIdentity();
      if (!shared.contains(c.person())) {
        falseDrops.add(c.name() + " ~ " + t + " " + round(e.getValue().angleDeg()) + "°");
      } else if (t.equals("test-" + c.name())) {
        dropTrue++;
      } else {
        dropWrongIdentity++;
      }
    }
    List<String> missed = new ArrayList<>();
    double nearestFalse = 180;
    String nearestFalsePair = null;
    for (int c = 0; c < train.size(); c++) {
      for (int t = 0; t < testNames.size(); t++) {
        double d = angle(r.persons().centroid(c), test.centroid(t));
        if (testPerson.get(t) == train.get(c).person()) {
          trueDeg.add(d);
          if (r.findings().testMatch(c) == null) {
            missed.add(train.get(c).name() + " " + d + "°");
          }
        } else if (d < nearestFalse) {
          nearestFalse = d;
          nearestFalsePair = train.get(c).name() + " ~ " + testNames.get(t);
        }
      }
    }
    Map<String, Object> m = common("test-overlap", seed, r);
    m.put("train_classes", train.size());
    m.put("test_identities", testNames.size());
    m.put("test_faces", testFaces);
    m.put("overlap", overlap);
    m.put("absent", absent);
    m.put("dropped_true", dropTrue);
    m.put("dropped_wrong_identity", dropWrongIdentity);
    m.put("dropped_false", falseDrops.size());
    m.put("true_max_deg", trueDeg.stream().mapToDouble(d -> d).max().orElse(Double.NaN));
    m.put("nearest_false_deg", nearestFalse);
    m.put("nearest_false_pair", nearestFalsePair);
    m.put("missed", missed);
    m.put("false", falseDrops);
    Map<Integer, String> truthOf = new java.util.HashMap<>();
    long sharedInTraining = 0;
    for (int c = 0; c < train.size(); c++) {
      truthOf.put(c, String.valueOf(train.get(c).person()));
      sharedInTraining += shared.contains(train.get(c).person()) ? 1 : 0;
    }
    Set<String> testTruth = new HashSet<>();
    testPerson.forEach(p -> testTruth.add(String.valueOf(p)));
    DetectionMetrics.Counts t =
        InterClassTruth.testOverlap(truthOf, r.findings().testMatches().keySet(), testTruth);
    // a class matched to another test identity of its person's is still a right drop
    int right = dropTrue + dropWrongIdentity;
    truth(
        m,
        t,
        t.droppedNoisy() == right
            && t.dropped() == right + falseDrops.size()
            && t.noisy() == sharedInTraining);
    return m;
  }

  /**
   * Adds the pipeline's truth metric ({@link InterClassTruth}, as {@code summary.json} → {@code
   * inter_class.truth} has it) and whether its counts agree with this benchmark's own.
   */
  private static void truth(Map<String, Object> m, DetectionMetrics.Counts t, boolean agrees) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("found", t.dropped());
    v.put("correct", t.droppedNoisy());
    v.put("in_truth", t.noisy());
    v.put("precision", Math.round(t.precision() * 10_000) / 10_000.0);
    v.put("recall", Math.round(t.recall() * 10_000) / 10_000.0);
    v.put("agrees", agrees);
    m.put("truth", v);
    if (!agrees) {
      System.err.println(
          "interclass: the truth metric disagrees with the benchmark's counts: " + m);
    }
  }

  // ---------------------------------------------------------------- duplicate images

  /** Plants {@code copies} copies of random pictures per transformation, within their class. */
  static List<Map<String, Object>> duplicates(
      QualityHarness.Collection col,
      float[][] emb,
      String[] sha,
      OnnxEmbedder embedder,
      int copies,
      long seed,
      SimilaritySearch search)
      throws Exception {
    Random rng = new Random(seed * 17 + 3);
    List<Cls> classes = collection(col, emb, sha);
    List<Integer> images = new ArrayList<>();
    for (int i = 0; i < emb.length; i++) {
      images.add(i);
    }
    Collections.shuffle(images, rng);
    int next = 0;
    for (String t : TRANSFORMS) {
      for (int j = 0; j < copies; j++) {
        int i = images.get(next++);
        byte[] bytes = copy(Files.readAllBytes(col.files().get(i)), col.image(i), t);
        BufferedImage img = Images.decode(bytes, 1L << 26).image();
        float[] x = embedder.embed(new BufferedImage[] {img})[0];
        classes.get(col.identityOf()[i]).faces().add(new Face(i, x, LocalFiles.sha256(bytes), t));
      }
    }
    Run r = run(classes, null, seed, search);
    ClassDecision[][] d = decide(r);
    Map<String, int[]> counts = new LinkedHashMap<>(); // planted, own-dropped, found
    Map<String, List<Double>> angles = new LinkedHashMap<>();
    for (String t : TRANSFORMS) {
      counts.put(t, new int[3]);
      angles.put(t, new ArrayList<>());
    }
    List<String> falseMarks = new ArrayList<>();
    // the truth the pipeline would read: each planted copy marked as a copy of its original
    Map<String, String> copyOf = new java.util.HashMap<>();
    List<InterClassTruth.CopyFound> listed = new ArrayList<>();
    for (int c = 0; c < classes.size(); c++) {
      Cls k = classes.get(c);
      ClassDecision own = d[c][0];
      ClassDecision ic = d[c][1];
      int n = k.faces().size();
      for (int i = 0; i < n; i++) {
        if (k.faces().get(i).copy()) {
          copyOf.put(c + ":" + i, c + ":" + indexOfOriginal(k, k.faces().get(i).image()));
        }
        if (ic.duplicateOf()[i] >= 0) {
          listed.add(new InterClassTruth.CopyFound(c + ":" + i, c + ":" + ic.duplicateOf()[i]));
        }
      }
      int[] group = new int[n];
      for (int i = 0; i < n; i++) {
        group[i] = ic.duplicateOf()[i] < 0 ? i : ic.duplicateOf()[i];
      }
      boolean[] explained = new boolean[n];
      for (int j = 0; j < n; j++) {
        Face copy = k.faces().get(j);
        if (!copy.copy()) {
          continue;
        }
        int o = indexOfOriginal(k, copy.image());
        int[] cnt = counts.get(copy.transform());
        cnt[0]++;
        angles.get(copy.transform()).add(angle(copy.x(), k.faces().get(o).x()));
        if (own.reason()[j] != null || own.reason()[o] != null) {
          cnt[1]++;
        } else if (group[j] == group[o]) {
          cnt[2]++;
          explained[j] = true;
          explained[o] = true;
        }
      }
      for (int i = 0; i < n; i++) {
        if (ic.duplicateOf()[i] >= 0 && !explained[i]) {
          falseMarks.add(
              label(col, k.faces().get(i))
                  + " ~ "
                  + label(col, k.faces().get(ic.duplicateOf()[i]))
                  + " "
                  + round(ic.angleToDuplicateDeg()[i])
                  + "°");
        }
      }
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (String t : TRANSFORMS) {
      int[] cnt = counts.get(t);
      double[] a = angles.get(t).stream().mapToDouble(v -> v).sorted().toArray();
      Map<String, Object> m = common("duplicates", seed, r);
      m.put("transform", t);
      m.put("planted", cnt[0]);
      m.put("own_dropped", cnt[1]);
      m.put("found", cnt[2]);
      m.put("angle_min_deg", a[0]);
      m.put("angle_median_deg", a[a.length / 2]);
      m.put("angle_max_deg", a[a.length - 1]);
      m.put("angles_deg", a);
      rows.add(m);
    }
    Map<String, Object> m = common("duplicates", seed, r);
    m.put("transform", "unplanted");
    m.put("false_marked", falseMarks.size());
    m.put("false", falseMarks);
    int planted = 0;
    int found = 0;
    for (int[] cnt : counts.values()) {
      planted += cnt[0];
      found += cnt[2];
    }
    DetectionMetrics.Counts t = InterClassTruth.duplicateImages(copyOf, id -> true, listed);
    // a copy lost to its class's own decision is missed here and in the pipeline alike
    truth(
        m,
        t,
        t.droppedNoisy() == found
            && t.noisy() == planted
            && t.dropped() == found + falseMarks.size());
    rows.add(m);
    return rows;
  }

  private static String label(QualityHarness.Collection col, Face f) {
    return fileName(col, f.image()) + (f.copy() ? " (" + f.transform() + ")" : "");
  }

  private static int indexOfOriginal(Cls k, int image) {
    for (int i = 0; i < k.faces().size(); i++) {
      if (!k.faces().get(i).copy() && k.faces().get(i).image() == image) {
        return i;
      }
    }
    throw new IllegalStateException("no original " + image + " in " + k.name());
  }

  /** The bytes of a copy of a picture: {@code original} itself, or {@code img} transformed. */
  static byte[] copy(byte[] original, BufferedImage img, String transform) {
    BufferedImage rgb = Images.toRgb(img);
    int w = rgb.getWidth();
    int h = rgb.getHeight();
    return switch (transform) {
      case "exact" -> original;
      case "brightness+6" -> Images.png(brighter(rgb, 6));
      case "jpeg-q95" -> Images.jpeg(rgb, 0.95f);
      case "jpeg-q75" -> Images.jpeg(rgb, 0.75f);
      case "jpeg-q50" -> Images.jpeg(rgb, 0.50f);
      case "resize-0.75" ->
          Images.png(
              Images.resize(
                  Images.resize(rgb, Math.round(w * 0.75f), Math.round(h * 0.75f)), w, h));
      case "crop-1px" -> Images.png(crop(rgb, 1));
      case "crop-3px" -> Images.png(crop(rgb, 3));
      case "mirror" -> Images.png(mirror(rgb));
      default -> throw new IllegalArgumentException("unknown transformation " + transform);
    };
  }

  private static BufferedImage brighter(BufferedImage rgb, int by) {
    BufferedImage out =
        new BufferedImage(rgb.getWidth(), rgb.getHeight(), BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < rgb.getHeight(); y++) {
      for (int x = 0; x < rgb.getWidth(); x++) {
        int p = rgb.getRGB(x, y);
        int r = Math.min(255, ((p >> 16) & 255) + by);
        int g = Math.min(255, ((p >> 8) & 255) + by);
        int b = Math.min(255, (p & 255) + by);
        out.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    return out;
  }

  /** {@code px} pixels off every side (the embedder resizes the rest to its input). */
  private static BufferedImage crop(BufferedImage rgb, int px) {
    BufferedImage out =
        new BufferedImage(
            rgb.getWidth() - 2 * px, rgb.getHeight() - 2 * px, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < out.getHeight(); y++) {
      for (int x = 0; x < out.getWidth(); x++) {
        out.setRGB(x, y, rgb.getRGB(x + px, y + px));
      }
    }
    return out;
  }

  private static BufferedImage mirror(BufferedImage rgb) {
    int w = rgb.getWidth();
    BufferedImage out = new BufferedImage(w, rgb.getHeight(), BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < out.getHeight(); y++) {
      for (int x = 0; x < w; x++) {
        out.setRGB(x, y, rgb.getRGB(w - 1 - x, y));
      }
    }
    return out;
  }
}
