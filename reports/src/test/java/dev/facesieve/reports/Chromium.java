package dev.facesieve.reports;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Headless Chromium (Debian's {@code chromium}, installed by {@code .ci/run}) for looking at a page
 * as a person would: the DOM after scripts ran, and a screenshot.
 */
final class Chromium {
  private Chromium() {}

  /** The binary: {@code $CHROMIUM}, or the first of the usual names on the PATH. */
  static Optional<Path> find() {
    String env = System.getenv("CHROMIUM");
    if (env != null && Files.isExecutable(Path.of(env))) {
      return Optional.of(Path.of(env));
    }
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      for (String name : new String[] {"chromium", "chromium-browser", "google-chrome"}) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  /** The serialised DOM of a local page after its scripts ran. */
  static String dumpDom(Path chromium, Path page, Path scratch) throws IOException {
    return dumpDom(chromium, page.toUri().toString(), scratch);
  }

  /** The serialised DOM of a page at {@code url} (a {@code file:} URL, query allowed). */
  static String dumpDom(Path chromium, String url, Path scratch) throws IOException {
    Path out = scratch.resolve("dom.html");
    run(chromium, scratch, out, "--dump-dom", url);
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  /** A PNG screenshot of a local page at the given window size. */
  static Path screenshot(Path chromium, Path page, Path scratch, int width, int height)
      throws IOException {
    Path png = scratch.resolve("page.png");
    run(
        chromium,
        scratch,
        scratch.resolve("screenshot.log"),
        "--screenshot=" + png,
        "--window-size=" + width + "," + height,
        "--hide-scrollbars",
        page.toUri().toString());
    return png;
  }

  private static void run(Path chromium, Path scratch, Path stdout, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(chromium.toString());
    cmd.addAll(
        List.of(
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--user-data-dir=" + scratch.resolve("profile")));
    cmd.addAll(List.of(args));
    Process p =
        new ProcessBuilder(cmd)
            .redirectOutput(stdout.toFile())
            .redirectError(scratch.resolve("chromium.err").toFile())
            .start();
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("chromium did not finish in 120 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(
          "chromium exited with "
              + p.exitValue()
              + ": "
              + Files.readString(scratch.resolve("chromium.err")));
    }
  }
}
