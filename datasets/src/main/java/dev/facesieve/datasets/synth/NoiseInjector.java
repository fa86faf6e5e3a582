package dev.facesieve.datasets.synth;

import static com.google.common.base.Preconditions.checkArgument;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.image.ImageFormat;
import dev.facesieve.datasets.io.Csv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Injects label noise with ground truth into an identity-per-folder dataset, writing a new folder
 * tree (hard links where possible, else copies) and {@code truth.csv} (written by {@link Csv}).
 *
 * <p>A share {@code q_open} of the identities is held out entirely and only serves as open-set
 * noise. To every remaining class of {@code n} images, {@code round(n·p/(1−p))} noisy images are
 * added so that noise is a share {@code p = close + open} of the class: close-set noise copies
 * images of another kept identity, open-set noise images of a held-out one. In {@link
 * SyntheticCollection.NoiseMode#COHERENT} mode each class takes all its close-set noise from one
 * partner identity and all its open-set noise from one held-out identity, like web noise where a
 * look-alike appears many times under one name; {@code RANDOM} draws each image's source anew.
 */
public final class NoiseInjector {
  /** What to inject. */
  public record Config(
      double closeSet,
      double openSet,
      double heldOut,
      SyntheticCollection.NoiseMode mode,
      long seed) {
    public Config {
      checkArgument(
          closeSet >= 0 && openSet >= 0 && closeSet + openSet < 0.5,
          "noise shares must be >= 0 and add up to less than 0.5, got %s",
          closeSet + openSet);
      checkArgument(
          heldOut >= 0 && heldOut < 1, "held-out share must be in [0, 1), got %s", heldOut);
      checkArgument(openSet == 0 || heldOut > 0, "open-set noise needs held-out identities");
    }
  }

  /** The columns of {@code truth.csv}, as {@link SyntheticCollection} writes them too. */
  public static final String[] TRUTH_HEADER = {"id", "label", "identity", "truth", "true_identity"};

  private NoiseInjector() {}

  /** Writes the noisy copy of {@code input} into {@code output}. */
  public static Map<NoiseKind, Long> inject(Path input, Path output, Config c) throws IOException {
    List<Path> folders = new ArrayList<>();
    try (Stream<Path> s = Files.list(input)) {
      s.filter(Files::isDirectory)
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted()
          .forEach(folders::add);
    }
    // an identity is a folder with at least one image; others (empty, or only nested folders)
    // are not copied, as prepare would find nothing in them either
    Map<Path, List<Path>> images = new java.util.HashMap<>();
    List<Path> ids = new ArrayList<>();
    for (Path d : folders) {
      try (Stream<Path> s = Files.list(d)) {
        List<Path> found =
            s.filter(p -> ImageFormat.fromFileName(p.getFileName().toString()).isPresent())
                .sorted()
                .toList();
        if (!found.isEmpty()) {
          images.put(d, found);
          ids.add(d);
        }
      }
    }
    if (ids.size() < 3) {
      throw new InputException(
          input, "needs at least 3 identity folders with images to inject noise");
    }
    SplittableRandom r = new SplittableRandom(c.seed());
    List<Path> order = new ArrayList<>(ids);
    for (int i = order.size() - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      Path t = order.get(i);
      order.set(i, order.get(j));
      order.set(j, t);
    }
    int nHeld = c.openSet() > 0 ? Math.max(1, (int) Math.round(c.heldOut() * ids.size())) : 0;
    List<Path> held = order.subList(0, nHeld).stream().sorted().toList();
    List<Path> kept = order.subList(nHeld, order.size()).stream().sorted().toList();
    Map<NoiseKind, Long> counts = new EnumMap<>(NoiseKind.class);
    Files.createDirectories(output);
    double p = c.closeSet() + c.openSet();
    try (Csv.Out truth = Csv.write(output.resolve("truth.csv"), TRUTH_HEADER)) {
      for (int label = 0; label < kept.size(); label++) {
        Path cls = kept.get(label);
        String name = cls.getFileName().toString();
        Path outDir = Files.createDirectories(output.resolve(name));
        for (Path img : images.get(cls)) {
          String id = name + "/" + img.getFileName();
          link(img, output.resolve(id));
          truth.row(id, label, name, NoiseKind.CLEAN.wireName(), name);
          counts.merge(NoiseKind.CLEAN, 1L, Long::sum);
        }
        int n = images.get(cls).size();
        int noisy = (int) Math.round(n * p / (1 - p));
        int nOpen = p == 0 ? 0 : (int) Math.round(noisy * c.openSet() / p);
        Path partner = kept.get((label + 1 + r.nextInt(kept.size() - 1)) % kept.size());
        Path outsider = held.isEmpty() ? null : held.get(r.nextInt(held.size()));
        for (int k = 0; k < noisy; k++) {
          boolean open = k < nOpen;
          Path src;
          if (c.mode() == SyntheticCollection.NoiseMode.COHERENT) {
            src = open ? outsider : partner;
          } else {
            src =
                open
                    ? held.get(r.nextInt(held.size()))
                    : kept.get((label + 1 + r.nextInt(kept.size() - 1)) % kept.size());
          }
          List<Path> pool = images.get(src);
          Path img = pool.get(r.nextInt(pool.size()));
          String id = name + "/noise_" + k + "_" + img.getFileName();
          link(img, outDir.resolve("noise_" + k + "_" + img.getFileName()));
          NoiseKind kind = open ? NoiseKind.OPEN_SET : NoiseKind.CLOSE_SET;
          truth.row(id, label, name, kind.wireName(), src.getFileName().toString());
          counts.merge(kind, 1L, Long::sum);
        }
      }
    }
    return counts;
  }

  private static void link(Path src, Path dst) throws IOException {
    try {
      Files.createLink(dst, src);
    } catch (IOException | UnsupportedOperationException e) {
      Files.copy(src, dst);
    }
  }
}
