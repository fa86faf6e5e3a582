package dev.facesieve.bench;

import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.image.ImageDecodeException;
import dev.facesieve.datasets.image.ImageFormat;
import dev.facesieve.datasets.image.Images;
import dev.facesieve.datasets.input.SideFiles;
import dev.facesieve.datasets.io.Csv;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.datasets.synth.NoiseInjector;
import dev.facesieve.model.Embedder;
import dev.facesieve.model.EmbeddingTable;
import dev.facesieve.model.ModelDirectory;
import dev.facesieve.model.ModelInfo;
import dev.facesieve.model.OnnxEmbedder;
import dev.facesieve.model.Preprocessing;
import dev.facesieve.model.TrainConfig;
import dev.facesieve.model.Trainer;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.hadoop.ParquetReader;

/**
 * Cleaning-quality harness: FaceSieve K=1 and K=3 (drop-py and strict, 70/75/80°) against the
 * class-mean baseline on the noisy settings of {@link NoisySettings}; prints one JSON line per row.
 *
 * <p>Modes (run by {@code bench/quality.sh}):
 *
 * <ul>
 *   <li>{@code head}: a real face collection embedded once by a frozen ONNX embedder; each setting
 *       trains the sub-center head alone (K=1 and K=3, FaceSieve's {@link Trainer}) on those
 *       embeddings and scores them;
 *   <li>{@code write}: writes each setting of a clean collection as an identity-per-folder tree
 *       with {@code truth.csv} (hard links), for end-to-end runs of the command line; look-alikes
 *       come from 8×8 colour thumbnails, as no face embedder may be at hand;
 *   <li>{@code evaluate}: scores one end-to-end setting from the two trained models and the
 *       embedding caches their {@code clean} runs wrote.
 * </ul>
 */
public final class QualityHarness {
  private QualityHarness() {}

  public static void main(String[] argv) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    Map<String, String> a = parse(argv);
    switch (argv[0]) {
      case "head" -> head(a);
      case "write" -> write(a);
      case "evaluate" -> evaluate(a);
      default -> throw new IllegalArgumentException("mode must be head, write or evaluate");
    }
  }

  // ---------------------------------------------------------------- head (ONNX) mode

  private static void head(Map<String, String> a) throws Exception {
    String name = a.get("name");
    Path folder = Path.of(a.get("folder"));
    Path onnx = Path.of(a.get("onnx"));
    Path work = Files.createDirectories(Path.of(a.get("work")));
    long seed = Long.parseLong(a.getOrDefault("seed", "1"));
    Collection col = Collection.list(folder);
    float[][] emb = embedOnce(col, onnx, work.resolve(name + "-onnx.f32"));
    NoisySettings settings = new NoisySettings(col.identityOf, col.identities, emb, seed);
    for (String kind : kinds(a)) {
      for (double p : rates(a)) {
        List<NoisySettings.Item> items = settings.build(kind, p, seed);
        float[][] x = new float[items.size()][];
        int[] label = new int[items.size()];
        boolean[] noisy = new boolean[items.size()];
        int[] trueClass = new int[items.size()];
        for (int i = 0; i < x.length; i++) {
          x[i] = emb[items.get(i).image()];
          label[i] = items.get(i).label();
          noisy[i] = items.get(i).truth().isNoise();
          trueClass[i] = settings.trueClass(items.get(i).image());
        }
        String prefix = prefix(name, "onnx head-only", kind, p, x.length);
        long match = -1;
        for (int k : new int[] {1, 3}) {
          float[][] centres =
              a.containsKey("kmeans")
                  ? kmeansCentres(x, label, settings.classes(), k, seed)
                  : trainHead(a, onnx, work, x, label, settings.classes(), k, seed);
          for (CleaningScores.Row r :
              CleaningScores.faceSieve(x, label, noisy, centres, k, settings.classes())) {
            System.out.println(r.json(prefix));
            match = matched(r, match);
          }
          if (k > 1) {
            for (DecisionScores.Row r :
                DecisionScores.rows(
                    x,
                    label,
                    noisy,
                    trueClass,
                    centres,
                    k,
                    settings.classes(),
                    a.containsKey("explore"))) {
              System.out.println(r.json(prefix));
            }
          }
        }
        for (CleaningScores.Row r :
            CleaningScores.classMean(x, label, noisy, settings.classes(), match)) {
          System.out.println(r.json(prefix));
        }
        System.out.flush();
      }
    }
  }

  /** The drop count of K=3 drop-py at 75°, which the matched baseline row reproduces. */
  private static long matched(CleaningScores.Row r, long current) {
    return r.k() == 3 && r.policy().equals("drop-py") && r.thresholdDeg() == 75
        ? r.dropped()
        : current;
  }

  static float[][] trainHead(
      Map<String, String> a,
      Path onnx,
      Path work,
      float[][] x,
      int[] label,
      int classes,
      int k,
      long seed)
      throws IOException {
    TrainConfig config =
        TrainConfig.builder()
            .setBackbone("onnx:" + onnx)
            .setEmbeddingSize(x[0].length)
            .setSubCenters(k)
            .setEpochs(Integer.parseInt(a.getOrDefault("epochs", "5")))
            .setBatchSize(Integer.parseInt(a.getOrDefault("batch", "128")))
            .setCheckpointEvery(1000)
            .setSeed(seed)
            .build();
    Path out = work.resolve("head-k" + k);
    deleteTree(out);
    try (Trainer t = new Trainer(config, null, out, classes, x.length)) {
      t.useEmbeddings(
          EmbeddingTable.write(
              out.resolve("embeddings.f32"), Arrays.asList(x), label, x[0].length));
      t.train(false, info -> {});
      float[] w = t.head().weight().getArray().toFloatArray();
      int d = x[0].length;
      float[][] centres = new float[classes * k][d];
      for (int i = 0; i < centres.length; i++) {
        System.arraycopy(w, i * d, centres[i], 0, d);
        normalize(centres[i]);
      }
      return centres;
    }
  }

  /** Sub-centres seeded as training seeds them (spherical k-means per class), without training. */
  static float[][] kmeansCentres(float[][] x, int[] label, int classes, int k, long seed) {
    List<List<float[]>> byClass = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      byClass.add(new ArrayList<>());
    }
    for (int i = 0; i < x.length; i++) {
      byClass.get(label[i]).add(x[i]);
    }
    float[][] centres = new float[classes * k][];
    for (int c = 0; c < classes; c++) {
      float[][] fit =
          dev.facesieve.model.SphericalKMeans.fit(
              byClass.get(c).toArray(new float[0][]), k, 20, seed + c);
      System.arraycopy(fit, 0, centres, c * k, k);
    }
    return centres;
  }

  /** ONNX embeddings of every image, cached as {@code n, d, rows} in {@code cache}. */
  static float[][] embedOnce(Collection col, Path onnx, Path cache) throws Exception {
    return cachedEmbeddings(col, onnx, cache, i -> col.image(i));
  }

  /** The image {@link #cachedEmbeddings} embeds for face {@code i}. */
  interface ImageOf {
    BufferedImage image(int i) throws IOException;
  }

  /**
   * ONNX embeddings of {@code image(i)} for every face of {@code col}, cached as {@code n, d, rows}
   * in {@code cache} (read back when it holds as many rows).
   */
  static float[][] cachedEmbeddings(Collection col, Path onnx, Path cache, ImageOf image)
      throws Exception {
    int n = col.files.size();
    if (Files.isRegularFile(cache)) {
      try (DataInputStream in =
          new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(cache)))) {
        if (in.readInt() == n) {
          float[][] x = new float[n][in.readInt()];
          for (float[] row : x) {
            for (int j = 0; j < row.length; j++) {
              row[j] = in.readFloat();
            }
          }
          return x;
        }
      }
    }
    float[][] x = new float[n][];
    try (OnnxEmbedder e = OnnxEmbedder.load(onnx, Preprocessing.ARCFACE_BGR, true)) {
      for (int i = 0; i < n; i++) {
        x[i] = e.embed(new BufferedImage[] {image.image(i)})[0];
      }
    }
    try (DataOutputStream o =
        new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(cache)))) {
      o.writeInt(n);
      o.writeInt(x[0].length);
      for (float[] row : x) {
        for (float v : row) {
          o.writeFloat(v);
        }
      }
    }
    return x;
  }

  // ---------------------------------------------------------------- write mode

  private static void write(Map<String, String> a) throws Exception {
    Collection col = Collection.list(Path.of(a.get("folder")));
    Path out = Path.of(a.get("out"));
    long seed = Long.parseLong(a.getOrDefault("seed", "1"));
    float[][] ref = new float[col.files.size()][];
    for (int i = 0; i < ref.length; i++) {
      ref[i] = thumbnail(col.image(i));
    }
    NoisySettings settings = new NoisySettings(col.identityOf, col.identities, ref, seed);
    for (String kind : kinds(a)) {
      for (double p : rates(a)) {
        String setting = NoisySettings.settingName(kind, p);
        Path dir = out.resolve(setting);
        Files.createDirectories(dir);
        Map<String, Integer> used = new HashMap<>();
        try (Csv.Out truth = Csv.write(dir.resolve("truth.csv"), NoiseInjector.TRUTH_HEADER)) {
          for (NoisySettings.Item it : settings.build(kind, p, seed)) {
            String cls = settings.className(it.label());
            Path src = col.files.get(it.image());
            String file = src.getFileName().toString();
            if (it.truth().isNoise()) {
              int k = used.merge(cls, 1, Integer::sum);
              file = "noise_" + k + "_" + file;
            }
            String id = cls + "/" + file;
            Files.createDirectories(dir.resolve(cls));
            Files.createLink(dir.resolve(id), src);
            truth.row(
                id, it.label(), cls, it.truth().wireName(), settings.identityName(it.image()));
          }
        }
        System.out.println(setting);
      }
    }
  }

  /**
   * Mean-centred, unit-length 8×8 RGB thumbnail: a crude look-alike measure for synthetic faces.
   */
  private static float[] thumbnail(BufferedImage img) {
    BufferedImage t = Images.resize(img, 8, 8);
    float[] v = new float[192];
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        int rgb = t.getRGB(x, y);
        int o = (y * 8 + x) * 3;
        v[o] = (rgb >> 16) & 255;
        v[o + 1] = (rgb >> 8) & 255;
        v[o + 2] = rgb & 255;
      }
    }
    float mean = 0;
    for (float f : v) {
      mean += f / v.length;
    }
    for (int i = 0; i < v.length; i++) {
      v[i] -= mean;
    }
    normalize(v);
    return v;
  }

  // ---------------------------------------------------------------- evaluate mode

  private static void evaluate(Map<String, String> a) throws Exception {
    Map<String, SideFiles.Truth> truth = SideFiles.readTruth(Path.of(a.get("truth")));
    String setting = a.get("setting");
    String kind = setting.substring(0, setting.lastIndexOf('-'));
    double p = Integer.parseInt(setting.substring(setting.lastIndexOf('-') + 1)) / 100.0;
    List<String> out = new ArrayList<>();
    long match = -1;
    Cached k1 = null;
    int classes = 0;
    String prefix1 = null;
    for (int k : new int[] {1, 3}) {
      Path model = Path.of(a.get("model" + k));
      ModelInfo info = ModelInfo.read(model);
      Cached c = Cached.read(Path.of(a.get("emb" + k)), truth);
      String prefix = prefix(a.get("name"), a.get("embedder"), kind, p, c.x.length);
      for (CleaningScores.Row r :
          CleaningScores.faceSieve(
              c.x,
              c.label,
              c.noisy,
              ModelDirectory.readCentres(model),
              info.subCenters(),
              info.classes())) {
        out.add(r.json(prefix));
        match = matched(r, match);
      }
      if (k > 1) {
        Map<String, Integer> classOf = new HashMap<>();
        info.identities().forEach((label, name) -> classOf.put(name, label));
        int[] trueClass = new int[c.x.length];
        for (int i = 0; i < trueClass.length; i++) {
          trueClass[i] = classOf.getOrDefault(c.trueIdentity[i], -1);
        }
        for (DecisionScores.Row r :
            DecisionScores.rows(
                c.x,
                c.label,
                c.noisy,
                trueClass,
                ModelDirectory.readCentres(model),
                info.subCenters(),
                info.classes(),
                false)) {
          out.add(r.json(prefix));
        }
      }
      if (k == 1) {
        k1 = c;
        classes = info.classes();
        prefix1 = prefix;
      }
    }
    for (CleaningScores.Row r :
        CleaningScores.classMean(k1.x, k1.label, k1.noisy, classes, match)) {
      out.add(r.json(prefix1));
    }
    out.forEach(System.out::println);
  }

  /** Embeddings from a {@code clean --embeddings} cache, joined with the truth. */
  private record Cached(float[][] x, int[] label, boolean[] noisy, String[] trueIdentity) {
    static Cached read(Path dir, Map<String, SideFiles.Truth> truth) throws IOException {
      List<float[]> x = new ArrayList<>();
      List<Integer> l = new ArrayList<>();
      List<Boolean> n = new ArrayList<>();
      List<String> who = new ArrayList<>();
      for (Path f : ParquetFiles.list(dir)) {
        try (ParquetReader<GenericRecord> r = ParquetFiles.open(f)) {
          GenericRecord rec;
          while ((rec = r.read()) != null) {
            String id = rec.get("id").toString();
            SideFiles.Truth t = truth.get(id);
            if (t == null) {
              throw new IllegalStateException(f + ": id " + id + " is not in the truth file");
            }
            x.add(FaceSchemas.floats(rec.get("vector")));
            l.add((Integer) rec.get("label"));
            n.add(t.kind().isNoise());
            who.add(t.trueIdentity());
          }
        }
      }
      int[] label = l.stream().mapToInt(Integer::intValue).toArray();
      boolean[] noisy = new boolean[n.size()];
      for (int i = 0; i < noisy.length; i++) {
        noisy[i] = n.get(i);
      }
      return new Cached(x.toArray(new float[0][]), label, noisy, who.toArray(new String[0]));
    }
  }

  // ---------------------------------------------------------------- shared

  /** An identity-per-folder collection: sorted identities, sorted image files. */
  record Collection(List<String> identities, List<Path> files, int[] identityOf) {
    static Collection list(Path root) throws IOException {
      List<String> ids = new ArrayList<>();
      List<Path> files = new ArrayList<>();
      List<Integer> of = new ArrayList<>();
      List<Path> dirs;
      try (Stream<Path> s = Files.list(root)) {
        dirs =
            s.filter(Files::isDirectory)
                .filter(p -> !p.getFileName().toString().startsWith("."))
                .sorted()
                .toList();
      }
      for (Path d : dirs) {
        List<Path> imgs;
        try (Stream<Path> s = Files.list(d)) {
          imgs =
              s.filter(p -> ImageFormat.fromFileName(p.getFileName().toString()).isPresent())
                  .sorted()
                  .toList();
        }
        if (imgs.isEmpty()) {
          continue;
        }
        for (Path f : imgs) {
          files.add(f);
          of.add(ids.size());
        }
        ids.add(d.getFileName().toString());
      }
      if (ids.size() < 5) {
        throw new IllegalArgumentException(root + ": needs at least 5 identity folders");
      }
      return new Collection(ids, files, of.stream().mapToInt(Integer::intValue).toArray());
    }

    BufferedImage image(int i) throws IOException {
      try {
        return Images.decode(Files.readAllBytes(files.get(i)), 1L << 26).image();
      } catch (ImageDecodeException e) {
        throw new IOException(files.get(i) + ": " + e.getMessage(), e);
      }
    }
  }

  private static String prefix(String name, String embedder, String kind, double p, int images) {
    return String.format(
        Locale.ROOT,
        "\"dataset\": \"%s\", \"embedder\": \"%s\", \"noise\": \"%s\", \"rate\": %.2f,"
            + " \"images\": %d, ",
        name,
        embedder,
        kind,
        p,
        images);
  }

  private static List<String> kinds(Map<String, String> a) {
    String k = a.get("kinds");
    return k == null ? List.of(NoisySettings.KINDS) : List.of(k.split(","));
  }

  private static double[] rates(Map<String, String> a) {
    return Arrays.stream(a.getOrDefault("rates", "0.1,0.2,0.4").split(","))
        .mapToDouble(Double::parseDouble)
        .toArray();
  }

  static void normalize(float[] v) {
    Embedder.normalizeRows(new float[][] {v});
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }

  static Map<String, String> parse(String[] argv) {
    return parse(argv, 1);
  }

  /** {@code --key value} pairs from {@code argv[from]} on. */
  static Map<String, String> parse(String[] argv, int from) {
    Map<String, String> m = new HashMap<>();
    for (int i = from; i < argv.length; i += 2) {
      if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
        throw new IllegalArgumentException("expected --key value pairs, got " + argv[i]);
      }
      m.put(argv[i].substring(2), argv[i + 1]);
    }
    return m;
  }
}
