package dev.facesieve.pipeline;

import dev.facesieve.datasets.InputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
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
      deleteRecursively(out.staging());
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
      deleteRecursively(target);
      Path staged = staging().resolve(name);
      if (Files.isDirectory(staged)) {
        try (Stream<Path> leftovers = Files.list(staged)) {
          for (Path t :
              leftovers.filter(x -> x.getFileName().toString().startsWith(".temp-beam")).toList()) {
            deleteRecursively(t); // FileIO's empty temporary folder
          }
        }
      }
      if (Files.exists(staged)) {
        Files.move(staged, target);
      } else {
        Files.createDirectories(target);
      }
    }
    writeAtomically(dir.resolve(marker), markerJson);
    deleteRecursively(staging());
  }

  /** Writes a file through a temporary sibling and a rename, so it is never seen half-written. */
  public static void writeAtomically(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(tmp, content);
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Deletes what a failed run staged. */
  public void abandon() {
    try {
      deleteRecursively(staging());
    } catch (IOException e) {
      // best effort: without its marker the folder is still recognisably incomplete
    }
  }

  /** Deletes a file or folder tree; nothing when it does not exist. */
  public static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    Files.walkFileTree(
        p,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
