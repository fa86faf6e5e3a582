package dev.facesieve.pipeline;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.io.LocalFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The output folder of one stage, written so that it never looks complete unless it is.
 *
 * <p>The pipeline writes into {@code <out>/.staging/}. On success {@link #commit} removes the old
 * marker file, moves the staged folders into place and writes the marker ({@code manifest.json} or
 * {@code summary.json}) last, atomically. On failure {@link #abandon} deletes the staging folder; a
 * folder without its marker is, by definition, incomplete.
 */
public final class StageOutput {
  private final Path dir;
  private final String marker;

  private StageOutput(Path dir, String marker) {
    this.dir = dir;
    this.marker = marker;
  }

  /**
   * Opens an output folder for a new run.
   *
   * @throws InputException if it holds earlier results and {@code overwrite} is false
   */
  public static StageOutput open(Path dir, String marker, boolean overwrite) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new InputException(dir, "output exists and is not a folder");
    }
    if (Files.isDirectory(dir) && !overwrite) {
      try (Stream<Path> s = Files.list(dir)) {
        List<String> names =
            s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".staging")).toList();
        if (!names.isEmpty()) {
          throw new InputException(
              dir,
              "output folder is not empty (holds "
                  + names.get(0)
                  + "); choose another --output or pass --overwrite");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    StageOutput out = new StageOutput(dir, marker);
    try {
      Files.createDirectories(dir);
      LocalFiles.deleteRecursively(out.staging());
      Files.createDirectories(out.staging());
    } catch (IOException e) {
      throw new InputException(dir, "cannot create output folder: " + e.getMessage(), e);
    }
    return out;
  }

  public Path dir() {
    return dir;
  }

  /** Where the pipeline writes. */
  public Path staging() {
    return dir.resolve(".staging");
  }

  /** True when the folder holds a finished run (its marker exists). */
  public static boolean isComplete(Path dir, String marker) {
    return Files.isRegularFile(dir.resolve(marker));
  }

  /** Moves the staged entries {@code names} into place and writes the marker last. */
  public void commit(List<String> names, String markerJson) throws IOException {
    Files.deleteIfExists(dir.resolve(marker));
    for (String name : names) {
      Path target = dir.resolve(name);
      LocalFiles.deleteRecursively(target);
      Path staged = staging().resolve(name);
      if (Files.isDirectory(staged)) {
        try (Stream<Path> leftovers = Files.list(staged)) {
          for (Path t :
              leftovers.filter(x -> x.getFileName().toString().startsWith(".temp-beam")).toList()) {
            LocalFiles.deleteRecursively(t); // FileIO's empty temporary folder
          }
        }
      }
      if (Files.exists(staged)) {
        Files.move(staged, target);
      } else {
        Files.createDirectories(target);
      }
    }
    LocalFiles.writeAtomically(dir.resolve(marker), markerJson);
    LocalFiles.deleteRecursively(staging());
  }

  /** Deletes what a failed run staged. */
  public void abandon() {
    try {
      LocalFiles.deleteRecursively(staging());
    } catch (IOException e) {
      // best effort: without its marker the folder is still recognisably incomplete
    }
  }
}
