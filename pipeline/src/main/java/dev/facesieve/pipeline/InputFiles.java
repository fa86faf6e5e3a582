package dev.facesieve.pipeline;

import dev.facesieve.datasets.InputException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Up-front checks of the single files a command reads (side files, an ONNX backbone), so that a
 * typo is reported before any stage starts, in one line naming the file and the problem.
 */
public final class InputFiles {
  private InputFiles() {}

  /**
   * Refuses {@code file} unless it is a regular file this process can read.
   *
   * @param what how the user gave it, for the message: {@code --truth file}, {@code ONNX model
   *     (--backbone onnx:m.onnx)}
   * @throws InputException when it is missing, a folder, not a regular file, or unreadable
   */
  public static void requireReadable(Path file, String what) {
    if (!Files.exists(file)) {
      throw new InputException(file, what + " not found");
    }
    if (Files.isDirectory(file)) {
      throw new InputException(file, what + " is a folder, not a file");
    }
    if (!Files.isRegularFile(file)) {
      throw new InputException(file, what + " is not a regular file");
    }
    if (!Files.isReadable(file)) {
      throw new InputException(file, what + " cannot be read (permission denied)");
    }
  }
}
