package dev.facesieve.datasets.synth;

import static com.google.common.base.Preconditions.checkArgument;

import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.image.Images;
import dev.facesieve.datasets.io.Csv;
import dev.facesieve.datasets.recordio.InsightFaceRecWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a synthetic noisy face collection with the ground truth of every image.
 *
 * <p>Identities {@code 0…N−1} are in the set; identities {@code N, N+1, …} are outsiders used for
 * open-set noise. Each class gets, in expectation, {@code M·p} close-set, {@code M·q} open-set and
 * {@code M·r} corrupt images among its {@code M}; the rest show the labelled identity.
 *
 * <p>In {@link NoiseMode#COHERENT} mode (the default) noise behaves like real web noise: all
 * close-set noise of a class shows one other identity of the set, and all its open-set noise one
 * outsider — a relative or look-alike appearing many times under one name. {@link NoiseMode#RANDOM}
 * draws every noisy image from a fresh random identity.
 *
 * <p>Outputs: the images (RecordIO or folders), {@code truth.csv} ({@code
 * id,label,identity,truth,true_identity}) and {@code landmarks.csv} ({@code id,x1,y1,…,x5,y5}).
 */
public final class SyntheticCollection {
  /** How noisy images are chosen. */
  public enum NoiseMode {
    COHERENT,
    RANDOM;

    public static NoiseMode parse(String s) {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }
  }

  /** Output layout. */
  public enum Layout {
    RECORDIO,
    FOLDER;

    public static Layout parse(String s) {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }
  }

  /** What to generate. */
  public record Config(
      int identities,
      int imagesPerIdentity,
      double closeSetNoise,
      double openSetNoise,
      double corrupt,
      long seed,
      NoiseMode mode,
      Layout layout) {
    public Config {
      checkArgument(identities >= 2, "need at least 2 identities, got %s", identities);
      checkArgument(
          imagesPerIdentity >= 1, "images per identity must be >= 1, got %s", imagesPerIdentity);
      checkArgument(
          closeSetNoise >= 0 && openSetNoise >= 0 && corrupt >= 0, "noise rates must be >= 0");
      checkArgument(
          closeSetNoise + openSetNoise + corrupt < 1,
          "noise rates must add up to less than 1, got %s",
          closeSetNoise + openSetNoise + corrupt);
    }
  }

  /** How many images of each kind were written. */
  public record Summary(long images, Map<NoiseKind, Long> byKind) {}

  private static final String[] LANDMARKS_HEADER = {
    "id", "x1", "y1", "x2", "y2", "x3", "y3", "x4", "y4", "x5", "y5"
  };

  private SyntheticCollection() {}

  /** Identity names are {@code id_00042}. */
  public static String name(int identity) {
    return String.format(Locale.ROOT, "id_%05d", identity);
  }

  /** Generates the collection into {@code out} (created if missing). */
  public static Summary generate(Config c, Path out) throws IOException {
    Files.createDirectories(out);
    SyntheticFaces faces = new SyntheticFaces(c.seed());
    SplittableRandom plan = new SplittableRandom(SyntheticFaces.mix(c.seed(), 0x5EED));
    Map<NoiseKind, Long> counts = new EnumMap<>(NoiseKind.class);
    long images = 0;
    int outsiders = Math.max(c.identities(), 16);
    try (Csv.Out truth = Csv.write(out.resolve("truth.csv"), NoiseInjector.TRUTH_HEADER);
        Csv.Out lms = Csv.write(out.resolve("landmarks.csv"), LANDMARKS_HEADER);
        InsightFaceRecWriter rec =
            c.layout() == Layout.RECORDIO ? new InsightFaceRecWriter(out) : null) {
      for (int cls = 0; cls < c.identities(); cls++) {
        int m = c.imagesPerIdentity();
        List<NoiseKind> kinds = new ArrayList<>();
        int nClose = (int) Math.floor(m * c.closeSetNoise() + plan.nextDouble());
        int nOpen = (int) Math.floor(m * c.openSetNoise() + plan.nextDouble());
        int nCorrupt = (int) Math.floor(m * c.corrupt() + plan.nextDouble());
        // never let noise reach half of a class: the clean identity must stay the majority
        while (nClose + nOpen + nCorrupt > (m - 1) / 2) {
          if (nClose >= nOpen && nClose > 0) {
            nClose--;
          } else if (nOpen > 0) {
            nOpen--;
          } else {
            nCorrupt--;
          }
        }
        for (int i = 0; i < m; i++) {
          kinds.add(
              i < nClose
                  ? NoiseKind.CLOSE_SET
                  : i < nClose + nOpen
                      ? NoiseKind.OPEN_SET
                      : i < nClose + nOpen + nCorrupt ? NoiseKind.CORRUPT : NoiseKind.CLEAN);
        }
        shuffle(kinds, plan);
        int lookAlike = (cls + 1 + plan.nextInt(c.identities() - 1)) % c.identities();
        int outsider = c.identities() + plan.nextInt(outsiders);
        Path dir = out.resolve(name(cls));
        if (c.layout() == Layout.FOLDER) {
          Files.createDirectories(dir);
        }
        for (int i = 0; i < m; i++) {
          NoiseKind kind = kinds.get(i);
          int shown =
              switch (kind) {
                case CLEAN, CORRUPT -> cls;
                case CLOSE_SET ->
                    c.mode() == NoiseMode.COHERENT
                        ? lookAlike
                        : (cls + 1 + plan.nextInt(c.identities() - 1)) % c.identities();
                case OPEN_SET ->
                    c.mode() == NoiseMode.COHERENT
                        ? outsider
                        : c.identities() + plan.nextInt(outsiders * 8);
              };
          SyntheticFaces.Drawn d = faces.draw(shown, (long) cls * m + i);
          byte[] bytes = Images.jpeg(d.image(), 0.9f);
          if (kind == NoiseKind.CORRUPT) {
            bytes = corrupt(bytes, plan);
          }
          String id;
          if (rec != null) {
            id = Long.toString(rec.add(cls, name(cls), bytes, 112, 112));
          } else {
            id = name(cls) + "/" + name(cls) + String.format(Locale.ROOT, "_%04d.jpg", i + 1);
            Files.write(out.resolve(id), bytes);
          }
          truth.row(
              id, cls, name(cls), kind.wireName(), kind == NoiseKind.CORRUPT ? "" : name(shown));
          Object[] lm = new Object[11];
          lm[0] = id;
          for (int k = 0; k < 10; k++) {
            lm[k + 1] = new BigDecimal(String.format(Locale.ROOT, "%.2f", d.landmarks()[k]));
          }
          lms.row(lm);
          counts.merge(kind, 1L, Long::sum);
          images++;
        }
      }
    }
    return new Summary(images, counts);
  }

  /** Corrupt bytes: a JPEG start marker followed by garbage, or nothing at all. */
  private static byte[] corrupt(byte[] jpeg, SplittableRandom r) {
    if (r.nextInt(4) == 0) {
      return new byte[0];
    }
    byte[] b = new byte[Math.max(64, jpeg.length / 3)];
    b[0] = (byte) 0xFF;
    b[1] = (byte) 0xD8;
    b[2] = (byte) 0xFF;
    for (int i = 3; i < b.length; i++) {
      b[i] = (byte) r.nextInt(256);
    }
    return b;
  }

  private static <T> void shuffle(List<T> l, SplittableRandom r) {
    for (int i = l.size() - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      T t = l.get(i);
      l.set(i, l.get(j));
      l.set(j, t);
    }
  }

  /** Writes a short, human-readable description of the collection next to it. */
  public static void describe(Config c, Summary s, Path out) throws IOException {
    String text =
        String.format(
            Locale.ROOT,
            "FaceSieve synthetic collection%nidentities=%d images_per_identity=%d seed=%d mode=%s%n"
                + "close_set=%.3f open_set=%.3f corrupt=%.3f%nimages=%d by_truth=%s%n",
            c.identities(),
            c.imagesPerIdentity(),
            c.seed(),
            c.mode(),
            c.closeSetNoise(),
            c.openSetNoise(),
            c.corrupt(),
            s.images(),
            s.byKind());
    Files.writeString(out.resolve("SYNTH.txt"), text, StandardCharsets.UTF_8);
  }
}
