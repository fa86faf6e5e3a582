package dev.facesieve.pipeline;

import dev.facesieve.datasets.InputException;
import java.io.IOException;
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
 *
 * <p>The folder is a {@link Location}: a local path, or a URI of any file system Beam has ({@code
 * hdfs://} in every build). There the same steps run through Beam's {@code FileSystems}; moving an
 * entry into place is then one rename per file rather than one move, which is why the marker,
 * written last, is what says the folder is complete.
 */
public final class StageOutput {
  private final Location dir;
  private final OutputKind kind;
  @Nullable private final String marker;
  private final OutputGuard.Ownership before;
  private final OutputLock lock;

  private StageOutput(
      Location dir,
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
    return open(
        Location.of(dir),
        kind,
        marker,
        overwrite,
        Stream.of(inputs).map(p -> p == null ? null : Location.of(p)).toArray(Location[]::new));
  }

  /** {@link #open(Path, OutputKind, String, boolean, Path...)} on any file system. */
  public static StageOutput open(
      Location dir, OutputKind kind, @Nullable String marker, boolean overwrite, Location... inputs)
      throws IOException {
    OutputGuard.refuseOverlap(dir, inputs);
    if (dir.isFile()) {
      throw new InputException(dir.toString(), "output exists and is not a folder");
    }
    OutputGuard.inspect(dir, kind); // refuse before creating anything
    try {
      dir.createDirectories();
    } catch (IOException e) {
      throw new InputException(dir.toString(), "cannot create output folder: " + e.getMessage(), e);
    }
    OutputLock lock = OutputLock.acquire(dir, "facesieve " + kind.command());
    boolean ok = false;
    try {
      OutputGuard.Ownership before = OutputGuard.inspect(dir, kind);
      if (!before.isEmpty() && !overwrite) {
        throw new InputException(
            dir.toString(),
            "output folder is not empty (holds "
                + before.owned().first()
                + "); choose another --output or pass --overwrite");
      }
      StageOutput out = new StageOutput(dir, kind, marker, before, lock);
      try {
        out.stagingLocation().deleteRecursively();
        out.stagingLocation().createDirectories();
      } catch (IOException e) {
        throw new InputException(
            dir.toString(), "cannot create output folder: " + e.getMessage(), e);
      }
      ok = true;
      return out;
    } finally {
      if (!ok) {
        lock.close();
      }
    }
  }

  /** The output folder. */
  public Location location() {
    return dir;
  }

  /** Where the pipeline writes. */
  public Location stagingLocation() {
    return dir.resolve(OutputGuard.STAGING);
  }

  /**
   * Where the pipeline writes, for a stage that needs a local folder.
   *
   * @throws InputException when the output is not a local path
   */
  public Path staging() {
    return stagingLocation().local("'facesieve " + kind.command() + "' --output");
  }

  /** The names of the entries staged so far, sorted. */
  public List<String> staged() throws IOException {
    return stagingLocation().list();
  }

  /** True when the folder holds a finished run (its marker exists). */
  public static boolean isComplete(Path dir, String marker) {
    try {
      return isComplete(Location.of(dir), marker);
    } catch (IOException e) {
      return false;
    }
  }

  /** {@link #isComplete(Path, String)} on any file system. */
  public static boolean isComplete(Location dir, String marker) throws IOException {
    return dir.resolve(marker).isFile();
  }

  /**
   * Replaces the earlier run's entries with the staged entries {@code names}, writes the marker
   * last and releases the folder.
   *
   * @param markerJson the marker's content; null when the stage has no marker
   */
  public void commit(List<String> names, @Nullable String markerJson) throws IOException {
    Location staging = stagingLocation();
    for (String name : names) {
      Location staged = staging.resolve(name);
      if (staged.isDirectory()) {
        for (String t : staged.list()) {
          if (t.startsWith(".temp-beam")) {
            staged.resolve(t).deleteRecursively(); // FileIO's empty temporary folder
          }
        }
      } else if (!staged.exists()) {
        staged.createDirectories();
      }
    }
    SortedSet<String> written = new TreeSet<>();
    for (String name : names) {
      written.addAll(OutputGuard.tree(staging, name));
    }
    if (marker != null) {
      written.add(marker);
    }
    SortedSet<String> both = new TreeSet<>(before.owned());
    both.addAll(written);
    OwnedFiles.claim(dir, kind, both);
    if (marker != null) {
      dir.resolve(marker).deleteIfExists();
    }
    OutputGuard.deleteOwned(before);
    for (String name : names) {
      Location target = dir.resolve(name);
      if (target.exists()) {
        throw new InputException(
            dir.toString(),
            "holds "
                + name
                + " with files FaceSieve did not write (they appeared during the run); nothing of"
                + " them was deleted: move them away and run again");
      }
      Location staged = staging.resolve(name);
      if (staged.exists()) {
        staged.moveTo(target);
      }
    }
    if (marker != null) {
      dir.resolve(marker).writeAtomically(markerJson);
    }
    OwnedFiles.record(dir, kind, written);
    staging.deleteRecursively();
    lock.close();
  }

  /** Deletes what a failed run staged and releases the folder. */
  public void abandon() {
    try {
      stagingLocation().deleteRecursively();
    } catch (IOException e) {
      // best effort: without its marker the folder is still recognisably incomplete
    } finally {
      lock.close();
    }
  }
}
