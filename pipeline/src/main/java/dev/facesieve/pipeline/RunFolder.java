package dev.facesieve.pipeline;

import dev.facesieve.datasets.InputException;
import dev.facesieve.model.BackboneSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.annotation.Nullable;

/**
 * A run's output folder: where each stage writes ({@code prepared/}, {@code model/}, {@code clean/}
 * or {@code clean-<name>/}, {@code embeddings/}), and what it may hold: its stage folders, the
 * embedding store and its record, its state, named cleanings, and the run's own input when it lies
 * there (the demo's); anything else, or an overlap with the input, refuses the run before it
 * writes.
 */
public final class RunFolder {
  private RunFolder() {}

  /** The run's prepared data, {@code <out>/prepared}. */
  public static Path prepared(Path out) {
    return out.resolve(PREPARED);
  }

  public static Location prepared(Location out) {
    return out.resolve(PREPARED);
  }

  public static Location model(Location out) {
    return out.resolve(MODEL);
  }

  /** The folder of the cleaning called {@code name}: {@code clean-<name>}, or {@code clean}. */
  public static Location clean(Location out, @Nullable String name) {
    return out.resolve(cleanEntry(name));
  }

  /** The name of the cleaning {@code name}'s folder in the run's folder. */
  static String cleanEntry(@Nullable String name) {
    return name == null ? CLEAN : CLEAN + "-" + name;
  }

  /** The stage {@code stage} ({@code clean} or {@code report}) of the cleaning {@code name}. */
  static String stage(String stage, @Nullable String name) {
    return name == null ? stage : stage + "-" + name;
  }

  /** The run's embedding store. */
  static Location embeddings(Location out) {
    return out.resolve(EMBEDDINGS);
  }

  static final String PREPARED = "prepared";
  static final String MODEL = "model";
  static final String CLEAN = "clean";
  static final String EMBEDDINGS = "embeddings";

  /**
   * The entries of a run's folder: its stage folders, the embedding cache's record and {@link
   * RunJob#STATE}; besides them, named cleanings' {@code clean-<name>} folders.
   */
  static final List<String> ENTRIES =
      List.of(PREPARED, MODEL, CLEAN, EMBEDDINGS, "embeddings.json", RunJob.STATE);

  /** Whether {@code top}, an entry of a run's folder, is one a run writes. */
  private static boolean isRunEntry(String top) {
    String name =
        top.endsWith(".tmp") && top.startsWith(".") ? top.substring(1, top.length() - 4) : top;
    return ENTRIES.contains(name)
        || (top.startsWith("clean-") && RunJob.NAME.matcher(top.substring(6)).matches());
  }

  /**
   * The first name, below the run's folder, of an input that lies inside it (the demo's {@code
   * synthetic/}), else null.
   */
  @Nullable
  private static String inputEntry(Location input, Location out) {
    if (input.isLocal() != out.isLocal()) {
      return null;
    }
    String in;
    String root;
    if (input.isLocal()) {
      in = OutputGuard.real(input.local("--input")).toString();
      root = OutputGuard.real(out.local("--output")).toString();
    } else {
      in = input.real();
      root = out.real();
    }
    if (!in.startsWith(root + "/")) {
      return null;
    }
    String rest = in.substring(root.length() + 1);
    return rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
  }

  /**
   * Refuses a run whose input overlaps what it writes, whose folder holds anything but its stage
   * folders, its state and its input, or whose stage folders hold files the stages did not write.
   */
  static void refuseForeign(RunJob.Settings s) throws IOException {
    Location out = s.output();
    // the input may lie in the run's folder (demo's synthetic/), but not in what the run replaces
    OutputGuard.refuseOverlap(
        out, location(s.prepare().landmarks()), location(s.prepare().truth()));
    String inputEntry = inputEntry(s.input(), out);
    if (inputEntry == null) {
      OutputGuard.refuseOverlap(out, s.input());
    }
    Location onnx =
        s.train().backbone() instanceof BackboneSpec.FrozenOnnx o ? Location.of(o.file()) : null;
    for (String e : ENTRIES) {
      OutputGuard.refuseOverlap(out.resolve(e), s.input(), onnx);
    }
    OutputGuard.refuseOverlap(s.cleanDir(), s.input());
    if (out.isDirectory()) {
      for (String e : OutputGuard.entries(out)) {
        String top = e.contains("/") ? e.substring(0, e.indexOf('/')) : e;
        if (!isRunEntry(top) && !top.equals(inputEntry)) {
          throw new InputException(
              out.toString(),
              "output folder is not empty: it holds "
                  + e
                  + ", which 'facesieve run' did not write (FaceSieve deletes only what it"
                  + " wrote); choose another --output or move it away");
        }
      }
    }
    OutputGuard.inspect(prepared(out), OutputKind.PREPARE);
    OutputGuard.inspect(model(out), OutputKind.MODEL);
    OutputGuard.inspect(s.cleanDir(), OutputKind.CLEAN);
    EmbeddingCache.inspect(embeddings(out));
  }

  @Nullable
  private static Location location(@Nullable Path p) {
    return p == null ? null : Location.of(p);
  }
}
