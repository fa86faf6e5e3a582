package dev.facesieve.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.contract.StageJson;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
 *
 * <p>On another file system ({@link Location}) the lock file lies in the output folder the same
 * way. On Hadoop's file systems ({@code hdfs://}) its creation is atomic (the name node's {@code
 * create(path, false)}), so two runs cannot both take it. On object stores ({@code gs://}, {@code
 * s3://}) it is a check then a write: a lock there is advisory, and two runs started at the same
 * instant could both write. The stale-holder check reads the pid only on the holder's own host.
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

  private final Location file;
  private final String content;

  private OutputLock(Location file, String content) {
    this.file = file;
    this.content = content;
  }

  /**
   * Takes the lock of folder {@code dir} (which must exist) for {@code command}.
   *
   * @throws InputException naming the holder when a live process holds it
   */
  public static OutputLock acquire(Path dir, String command) throws IOException {
    return acquire(Location.of(dir), command);
  }

  /** {@link #acquire(Path, String)} on any file system. */
  public static OutputLock acquire(Location dir, String command) throws IOException {
    return acquire(dir.toString(), dir.resolve(FILE), command);
  }

  /**
   * Takes the lock of {@code what} held in the file {@code lock} (whose folder must exist), for an
   * output whose lock cannot lie inside it.
   */
  static OutputLock acquire(Path what, Path lock, String command) throws IOException {
    return acquire(Location.of(what), Location.of(lock), command);
  }

  /** {@link #acquire(Path, Path, String)} on any file system. */
  static OutputLock acquire(Location what, Location lock, String command) throws IOException {
    return acquire(what.toString(), lock, command);
  }

  private static OutputLock acquire(String dir, Location lock, String command) throws IOException {
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
      if (lock.isDirectory()) {
        throw new InputException(
            lock.toString(),
            "is a folder where FaceSieve keeps the lock of "
                + dir
                + "; FaceSieve did not make it: move it away and run again");
      }
      try {
        lock.createNew(content);
        return new OutputLock(lock, content);
      } catch (FileAlreadyExistsException e) {
        String existing;
        try {
          existing = lock.readString();
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
      if (content.equals(file.readString())) {
        file.deleteIfExists();
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

  private static void takeOver(Location lock, String staleContent, Holder h) throws IOException {
    Location aside =
        lock.sibling(FILE + ".stale-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    try {
      lock.renameTo(aside);
    } catch (NoSuchFileException e) {
      return; // another run took it over first
    }
    if (staleContent.equals(aside.readString())) {
      aside.deleteIfExists();
      LOG.warn(
          "{}: taking over the lock of {}, which is no longer running",
          lock.parent(),
          h.describe());
    } else {
      // a live run replaced the stale lock between our read and our rename: give it back
      try {
        aside.moveIfAbsent(lock);
      } catch (FileAlreadyExistsException e) {
        aside.deleteIfExists();
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
