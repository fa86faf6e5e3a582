package dev.facesieve.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** FaceSieve's version, from the build. */
public final class Version {
  private Version() {}

  /** The project version, e.g. {@code 0.1.0-SNAPSHOT}. */
  public static String get() {
    try (InputStream in = Version.class.getResourceAsStream("/facesieve-version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
