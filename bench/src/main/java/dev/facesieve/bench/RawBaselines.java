package dev.facesieve.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.facesieve.datasets.image.ImageFormat;
import dev.facesieve.datasets.image.Images;
import dev.facesieve.datasets.recordio.IRHeader;
import dev.facesieve.datasets.recordio.IdxFile;
import dev.facesieve.datasets.recordio.RecordIOReader;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The limits FaceSieve's stages are measured against: the same bytes read and decoded in a plain
 * loop, and the same ONNX model run by ONNX Runtime's own Java API, without Beam or DJL.
 *
 * <p>Modes: {@code decode --rec FILE | --folder DIR [--threads T]} reads every image (RecordIO
 * through the {@code .idx} offsets, or every file of an identity-per-folder tree) and fully decodes
 * it; {@code ort --folder DIR --onnx FILE [--threads T]} decodes and embeds every image one at a
 * time (the model's batch is fixed at 1), BGR and {@code (x − 127.5)/128} as FaceSieve does, with
 * ORT's intra-op threads set to T. Prints one JSON line with images/s.
 */
public final class RawBaselines {
  private RawBaselines() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = QualityHarness.parse(argv);
    int threads =
        Integer.parseInt(
            a.getOrDefault(
                "threads", Integer.toString(Runtime.getRuntime().availableProcessors())));
    switch (argv[0]) {
      case "decode" -> decode(a, threads);
      case "ort" -> ort(a, threads);
      default -> throw new IllegalArgumentException("mode must be decode or ort");
    }
  }

  private static void decode(Map<String, String> a, int threads) throws Exception {
    AtomicLong bytes = new AtomicLong();
    AtomicLong decoded = new AtomicLong();
    long t0 = System.nanoTime();
    if (a.containsKey("rec")) {
      Path rec = Path.of(a.get("rec"));
      IdxFile idx = IdxFile.read(Path.of(rec.toString().replaceAll("\\.rec$", ".idx")));
      ThreadLocal<RecordIOReader> reader =
          ThreadLocal.withInitial(
              () -> {
                try {
                  return new RecordIOReader(rec);
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      run(
          threads,
          idx.size(),
          i -> {
            byte[] payload = reader.get().read(idx.offset(i));
            IRHeader.Unpacked u = IRHeader.unpack(payload);
            if (u.header().flag() > 0 && u.image().length == 0) {
              return; // the header record of an InsightFace .rec
            }
            bytes.addAndGet(payload.length);
            Images.decode(u.image(), 1L << 26);
            decoded.incrementAndGet();
          });
    } else {
      List<Path> files = files(Path.of(a.get("folder")));
      run(
          threads,
          files.size(),
          i -> {
            byte[] b = Files.readAllBytes(files.get(i));
            bytes.addAndGet(b.length);
            Images.decode(b, 1L << 26);
            decoded.incrementAndGet();
          });
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    long n = decoded.get();
    System.out.printf(
        Locale.ROOT,
        "{\"what\": \"raw decode\", \"source\": \"%s\", \"threads\": %d, \"images\": %d,"
            + " \"megabytes\": %.1f, \"seconds\": %.2f, \"images_per_second\": %.1f}%n",
        a.containsKey("rec") ? "recordio" : "folder",
        threads,
        n,
        bytes.get() / 1e6,
        secs,
        n / secs);
  }

  private static void ort(Map<String, String> a, int threads) throws Exception {
    List<Path> files = files(Path.of(a.get("folder")));
    int limit = Integer.parseInt(a.getOrDefault("limit", "2000"));
    if (files.size() > limit) {
      files = files.subList(0, limit);
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(threads);
      try (OrtSession s = env.createSession(a.get("onnx"), o)) {
        String input = s.getInputNames().iterator().next();
        long t0 = System.nanoTime();
        float[] chw = new float[3 * 112 * 112];
        double check = 0;
        for (Path f : files) {
          BufferedImage img = Images.decode(Files.readAllBytes(f), 1L << 26).image();
          if (img.getWidth() != 112 || img.getHeight() != 112) {
            throw new IllegalArgumentException(f + ": not 112×112; use an aligned collection");
          }
          for (int y = 0; y < 112; y++) {
            for (int x = 0; x < 112; x++) {
              int rgb = img.getRGB(x, y);
              int p = y * 112 + x;
              chw[p] = ((rgb & 255) - 127.5f) / 128f; // B
              chw[112 * 112 + p] = (((rgb >> 8) & 255) - 127.5f) / 128f; // G
              chw[2 * 112 * 112 + p] = (((rgb >> 16) & 255) - 127.5f) / 128f; // R
            }
          }
          try (OnnxTensor t =
                  OnnxTensor.createTensor(env, FloatBuffer.wrap(chw), new long[] {1, 3, 112, 112});
              OrtSession.Result r = s.run(Map.of(input, t))) {
            float[][] v = (float[][]) r.get(0).getValue();
            check += v[0][0];
          }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
            Locale.ROOT,
            "{\"what\": \"raw onnxruntime (decode + embed, batch 1)\", \"threads\": %d,"
                + " \"images\": %d, \"seconds\": %.2f, \"images_per_second\": %.1f,"
                + " \"checksum\": %.4f}%n",
            threads,
            files.size(),
            secs,
            files.size() / secs,
            check);
      }
    }
  }

  interface Body {
    void apply(int i) throws Exception;
  }

  private static void run(int threads, int n, Body body) throws Exception {
    ForkJoinPool pool = new ForkJoinPool(threads);
    try {
      pool.submit(
              () ->
                  IntStream.range(0, n)
                      .parallel()
                      .forEach(
                          i -> {
                            try {
                              body.apply(i);
                            } catch (Exception e) {
                              throw new IllegalStateException("image " + i + ": " + e, e);
                            }
                          }))
          .get();
    } finally {
      pool.shutdown();
    }
  }

  static List<Path> files(Path root) throws java.io.IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      s.filter(Files::isRegularFile)
          .filter(p -> ImageFormat.fromFileName(p.getFileName().toString()).isPresent())
          .sorted()
          .forEach(out::add);
    }
    return out;
  }
}
