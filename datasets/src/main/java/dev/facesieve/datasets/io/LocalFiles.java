package dev.facesieve.datasets.io;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The one home of the small file operations every stage needs: SHA-256 of a file, a string or
 * bytes; a write that is never seen half-done; a recursive delete.
 */
public final class LocalFiles {
  private LocalFiles() {}

  /** Lower-case hex SHA-256 of a file's bytes, streamed in 1 MiB reads. */
  public static String sha256(Path file) throws IOException {
    Hasher h = Hashing.sha256().newHasher();
    byte[] buf = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        h.putBytes(buf, 0, n);
      }
    }
    return h.hash().toString();
  }

  /** Lower-case hex SHA-256 of a string's UTF-8 bytes. */
  public static String sha256(String s) {
    return Hashing.sha256().hashString(s, StandardCharsets.UTF_8).toString();
  }

  /** Lower-case hex SHA-256 of the bytes. */
  public static String sha256(byte[] bytes) {
    return Hashing.sha256().hashBytes(bytes).toString();
  }

  /**
   * Writes a file through a temporary sibling and a rename, so it is never seen half-written (where
   * the file system cannot rename atomically, the rename is a plain replace).
   */
  public static void writeAtomically(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(tmp, content);
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
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
            if (exc != null) {
              throw exc;
            }
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
