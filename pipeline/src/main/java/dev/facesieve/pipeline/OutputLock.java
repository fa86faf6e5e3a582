package dev.facesieve.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.contract.StageJson;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code .facesieve.lock}: one writer per output folder at a time.
 *
 * <p>The file is created with {@code CREATE_NEW}, so of two runs only one gets it; it names the
 * holder's pid, host, command and the holder process's start time. A lock left by a process that is
 * gone from this host (no such pid, or the pid now belongs to a process that started at another
 * time) is taken over with a warning; a lock from another host cannot be checked and is always
 * honoured. The take-over renames the stale file first, so of two runs taking over the same stale
 * lock only one succeeds.
 */
public final class OutputLock implements AutoCloseable {
  public static final String FILE = ".facesieve.lock";

  private static final Logger LOG = LoggerFactory.getLogger(OutputLock.class);

  /** The lock file's content; keys alphabetical. */
  @JsonPropertyOrder(alphabetic = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Holder(
      String command,
      String host,
      long pid,
      @Nullable String processStarted,
      @Nullable String acquired) {
    String describe() {
      return "'"
          + command
          + "' (pid "
          + pid
          + " on "
          + host
          + (acquired == null ? "" : ", since " + acquired)
          + ")";
    }
  }

  private final Path file;
  private final String content;

  private OutputLock(Path file, String content) {
    this.file = file;
    this.content = content;
  }

  /**
   * Takes the lock of folder {@code dir} (which must exist) for {@code command}.
   *
   * @throws InputException naming the holder when a live process holds it
   */
  public static OutputLock acquire(Path dir, String command) throws IOException {
    return acquire(dir, dir.resolve(FILE), command);
  }

  /**
   * Takes the lock of {@code what} held in the file {@code lock} (whose folder must exist), for an
   * output whose lock cannot lie inside it.
   */
  static OutputLock acquire(Path what, Path lock, String command) throws IOException {
    Path dir = what;
    ProcessHandle self = ProcessHandle.current();
    String content =
        StageJson.write(
            new Holder(
                command,
                host(),
                self.pid(),
                self.info().startInstant().map(Instant::toString).orElse(null),
                Instant.now().toString()));
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        Files.writeString(lock, content, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
        return new OutputLock(lock, content);
      } catch (FileAlreadyExistsException e) {
        String existing;
        try {
          existing = Files.readString(lock, StandardCharsets.UTF_8);
        } catch (NoSuchFileException gone) {
          continue; // released meanwhile
        }
        Holder h = parse(existing);
        if (h == null || !stale(h)) {
          throw new InputException(
              dir,
              "another facesieve is writing here: "
                  + (h == null ? "unknown holder (unreadable " + FILE + ")" : h.describe())
                  + "; wait for it to finish, or delete "
                  + lock
                  + " if that process is gone");
        }
        takeOver(lock, existing, h);
      }
    }
    throw new InputException(dir, "could not take " + lock + ": other runs keep taking it");
  }

  /** Releases the lock unless someone replaced it meanwhile. */
  @Override
  public void close() {
    try {
      if (content.equals(Files.readString(file, StandardCharsets.UTF_8))) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      // gone already, or unreadable: not ours to delete
    }
  }

  @Nullable
  private static Holder parse(String json) {
    try {
      Holder h = StageJson.MAPPER.readValue(json, Holder.class);
      return h.host() == null || h.pid() <= 0 ? null : h;
    } catch (IOException e) {
      return null;
    }
  }

  /** True when {@code h} names a process on this host that no longer runs. */
  static boolean stale(Holder h) {
    if (!host().equals(h.host())) {
      return false;
    }
    Optional<ProcessHandle> p = ProcessHandle.of(h.pid());
    if (p.isEmpty() || !p.get().isAlive()) {
      return true;
    }
    Optional<Instant> started = p.get().info().startInstant();
    return h.processStarted() != null
        && started.isPresent()
        && !started.get().toString().equals(h.processStarted());
  }

  private static void takeOver(Path lock, String staleContent, Holder h) throws IOException {
    Path aside =
        lock.resolveSibling(
            FILE + ".stale-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    try {
      Files.move(lock, aside, StandardCopyOption.ATOMIC_MOVE);
    } catch (NoSuchFileException e) {
      return; // another run took it over first
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(lock, aside);
    }
    if (staleContent.equals(Files.readString(aside, StandardCharsets.UTF_8))) {
      Files.delete(aside);
      LOG.warn(
          "{}: taking over the lock of {}, which is no longer running",
          lock.getParent(),
          h.describe());
    } else {
      // a live run replaced the stale lock between our read and our rename: give it back
      try {
        Files.move(aside, lock);
      } catch (FileAlreadyExistsException e) {
        Files.delete(aside);
      }
    }
  }

  private static String host;

  static synchronized String host() {
    if (host == null) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        String env = System.getenv("HOSTNAME");
        host = env == null || env.isBlank() ? "localhost" : env;
      }
    }
    return host;
  }
}
