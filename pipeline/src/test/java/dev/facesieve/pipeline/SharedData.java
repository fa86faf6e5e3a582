package dev.facesieve.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates {@code ../shared} (beside the repository) from a module's working directory. */
public final class SharedData {
  private SharedData() {}

  /** The shared path, or null when {@code ../shared} is absent. */
  public static Path find(String relative) {
    for (String base : new String[] {"../../shared", "../shared"}) {
      Path p = Path.of(base).resolve(relative);
      if (Files.exists(p)) {
        return p.toAbsolutePath().normalize();
      }
    }
    return null;
  }
}
