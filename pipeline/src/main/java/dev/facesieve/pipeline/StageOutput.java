package dev.facesieve.pipeline;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.io.LocalFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.annotation.Nullable;

/**
 * The output folder of one stage, written so that it never looks complete unless it is, and so that
 * it replaces only what FaceSieve wrote there.
 *
 * <p>{@link #open} refuses an output that overlaps an input, is locked by another run ({@link
 * OutputLock}) or holds anything FaceSieve did not write there ({@link OutputGuard}), even with
 * {@code overwrite}. The pipeline writes into {@code <out>/.staging/}. On success {@link #commit}
 * records the old and new entries in {@link OutputGuard#OWNED}, removes the old marker, deletes the
 * old entries (only those), moves the staged ones into place, writes the marker ({@code
 * manifest.json} or {@code summary.json}) last, atomically, and then records the new entries only.
 * On failure {@link #abandon} deletes the staging folder; a folder without its marker is, by
 * definition, incomplete. Both release the lock.
 */
public final class StageOutput {
  private final Path dir;
  private final OutputKind kind;
  @Nullable private final String marker;
  private final OutputGuard.Ownership before;
  private final OutputLock lock;

  private StageOutput(
      Path dir,
      OutputKind kind,
      @Nullable String marker,
      OutputGuard.Ownership before,
      OutputLock lock) {
    this.dir = dir;
    this.kind = kind;
    this.marker = marker;
    this.before = before;
    this.lock = lock;
  }

  /**
   * Opens an output folder of {@code kind} for a new run whose inputs are {@code inputs}.
   *
   * @param marker the file {@link #commit} writes last, or null when the record alone marks it done
   * @throws InputException if the folder overlaps an input, another run holds it, it holds files
   *     FaceSieve did not write there, or it holds earlier results and {@code overwrite} is false
   */
  public static StageOutput open(
      Path dir, OutputKind kind, @Nullable String marker, boolean overwrite, Path... inputs)
      throws IOException {
    OutputGuard.refuseOverlap(dir, inputs);
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new InputException(dir, "output exists and is not a folder");
    }
    OutputGuard.inspect(dir, kind); // refuse before creating anything
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new InputException(dir, "cannot create output folder: " + e.getMessage(), e);
    }
    OutputLock lock = OutputLock.acquire(dir, "facesieve " + kind.command());
    boolean ok = false;
    try {
      OutputGuard.Ownership before = OutputGuard.inspect(dir, kind);
      if (!before.isEmpty() && !overwrite) {
        throw new InputException(
            dir,
            "output folder is not empty (holds "
                + before.owned().first()
                + "); choose another --output or pass --overwrite");
      }
      StageOutput out = new StageOutput(dir, kind, marker, before, lock);
      try {
        LocalFiles.deleteRecursively(out.staging());
        Files.createDirectories(out.staging());
      } catch (IOException e) {
        throw new InputException(dir, "cannot create output folder: " + e.getMessage(), e);
      }
      ok = true;
      return out;
    } finally {
      if (!ok) {
        lock.close();
      }
    }
  }

  public Path dir() {
    return dir;
  }

  /** Where the pipeline writes. */
  public Path staging() {
    return dir.resolve(OutputGuard.STAGING);
  }

  /** The names of the entries staged so far, sorted. */
  public List<String> staged() throws IOException {
    try (Stream<Path> s = Files.list(staging())) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** True when the folder holds a finished run (its marker exists). */
  public static boolean isComplete(Path dir, String marker) {
    return Files.isRegularFile(dir.resolve(marker));
  }

  /**
   * Replaces the earlier run's entries with the staged entries {@code names}, writes the marker
   * last and releases the folder.
   *
   * @param markerJson the marker's content; null when the stage has no marker
   */
  public void commit(List<String> names, @Nullable String markerJson) throws IOException {
    for (String name : names) {
      Path staged = staging().resolve(name);
      if (Files.isDirectory(staged)) {
        try (Stream<Path> leftovers = Files.list(staged)) {
          for (Path t :
              leftovers.filter(x -> x.getFileName().toString().startsWith(".temp-beam")).toList()) {
            LocalFiles.deleteRecursively(t); // FileIO's empty temporary folder
          }
        }
      } else if (!Files.exists(staged)) {
        Files.createDirectories(staged);
      }
    }
    SortedSet<String> written = new TreeSet<>();
    for (String name : names) {
      written.addAll(OutputGuard.tree(staging(), name));
    }
    if (marker != null) {
      written.add(marker);
    }
    SortedSet<String> both = new TreeSet<>(before.owned());
    both.addAll(written);
    OutputGuard.record(dir, kind, both);
    if (marker != null) {
      Files.deleteIfExists(dir.resolve(marker));
    }
    OutputGuard.deleteOwned(before);
    for (String name : names) {
      Path target = dir.resolve(name);
      if (Files.exists(target)) {
        throw new InputException(
            dir,
            "holds "
                + name
                + " with files FaceSieve did not write (they appeared during the run); nothing of"
                + " them was deleted: move them away and run again");
      }
      Files.move(staging().resolve(name), target);
    }
    if (marker != null) {
      LocalFiles.writeAtomically(dir.resolve(marker), markerJson);
    }
    OutputGuard.record(dir, kind, written);
    LocalFiles.deleteRecursively(staging());
    lock.close();
  }

  /** Deletes what a failed run staged and releases the folder. */
  public void abandon() {
    try {
      LocalFiles.deleteRecursively(staging());
    } catch (IOException e) {
      // best effort: without its marker the folder is still recognisably incomplete
    } finally {
      lock.close();
    }
  }
}
