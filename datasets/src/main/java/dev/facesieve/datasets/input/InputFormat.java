package dev.facesieve.datasets.input;

import dev.facesieve.datasets.InputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/** The input layouts {@code prepare} reads. */
public enum InputFormat {
  AUTO,
  RECORDIO,
  FOLDER,
  PARQUET;

  public static InputFormat parse(String s) {
    return valueOf(s.trim().toUpperCase(Locale.ROOT));
  }

  /**
   * Resolves {@link #AUTO}: a {@code .rec} file or a folder holding one is RecordIO, a {@code
   * .parquet} file or a folder of them is Parquet, any other folder is an identity-per-folder tree.
   */
  public static InputFormat detect(Path input) {
    if (!Files.exists(input)) {
      throw new InputException(input, "input not found");
    }
    String name = input.getFileName().toString().toLowerCase(Locale.ROOT);
    if (Files.isRegularFile(input)) {
      if (name.endsWith(".rec")) {
        return RECORDIO;
      }
      if (name.endsWith(".parquet")) {
        return PARQUET;
      }
      throw new InputException(input, "not a .rec or .parquet file; give a folder or --format");
    }
    try (Stream<Path> s = Files.list(input)) {
      boolean rec = false;
      boolean parquet = false;
      for (Path p : (Iterable<Path>) s::iterator) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        rec |= n.endsWith(".rec") && Files.isRegularFile(p);
        parquet |= n.endsWith(".parquet") && Files.isRegularFile(p);
      }
      return rec ? RECORDIO : parquet ? PARQUET : FOLDER;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
