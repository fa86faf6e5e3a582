package dev.facesieve.datasets;

import java.nio.file.Path;

/**
 * An input that cannot be used at all (a missing {@code .rec}, an unreadable {@code .idx} line, an
 * empty folder), as opposed to a single bad record, which is quarantined.
 *
 * <p>The message is one line that names the file and the problem; the command line prints it as is
 * and exits non-zero.
 */
public class InputException extends RuntimeException {
  public InputException(Path file, String problem) {
    super(file + ": " + problem);
  }

  public InputException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
  }

  /** An input or output named by a URI ({@code hdfs://…}) rather than a local path. */
  public InputException(String where, String problem) {
    super(where + ": " + problem);
  }

  public InputException(String where, String problem, Throwable cause) {
    super(where + ": " + problem, cause);
  }
}
