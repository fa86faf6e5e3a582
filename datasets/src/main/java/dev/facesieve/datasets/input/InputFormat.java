package dev.facesieve.datasets.input;

import dev.facesieve.datasets.InputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    if (Files.isRegularFile(input)) {
      return ofFile(input.toString(), input.getFileName().toString());
    }
    try (Stream<Path> s = Files.list(input)) {
      return ofFolder(s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@link #detect}'s rule for a file, named {@code where} in errors: by its extension. */
  static InputFormat ofFile(String where, String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.endsWith(".rec")) {
      return RECORDIO;
    }
    if (n.endsWith(".parquet")) {
      return PARQUET;
    }
    throw new InputException(where, "not a .rec or .parquet file; give a folder or --format");
  }

  /** {@link #detect}'s rule for a folder, given the names of the files directly in it. */
  static InputFormat ofFolder(List<String> fileNames) {
    boolean rec = false;
    boolean parquet = false;
    for (String name : fileNames) {
      String n = name.toLowerCase(Locale.ROOT);
      rec |= n.endsWith(".rec");
      parquet |= n.endsWith(".parquet");
    }
    return rec ? RECORDIO : parquet ? PARQUET : FOLDER;
  }
}
