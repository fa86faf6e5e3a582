package dev.facesieve.pipeline;

import dev.facesieve.datasets.io.LocalFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The local folder where a stage's driver builds its own files (summary, report, RecordIO): the
 * staging folder itself for a local output; for an output elsewhere ({@code hdfs://}) a local
 * temporary folder that holds only small files, fetched from the staging folder ({@link #fetch})
 * and uploaded into it before the commit ({@link #upload}).
 *
 * <p>Nothing of {@code kept/} or {@code dropped/} is copied: the driver reads their columns where
 * they lie.
 */
final class DriverFolder implements AutoCloseable {
  /**
   * Where a folder for an output elsewhere is made; tests point it at a folder of their own to see
   * what the driver copies to local disk.
   */
  static Path root = Path.of(System.getProperty("java.io.tmpdir"));

  private final Location staging;
  private final Path local;
  private final boolean remote;
  private final List<String> fetched = new ArrayList<>();

  private DriverFolder(Location staging, Path local, boolean remote) {
    this.staging = staging;
    this.local = local;
    this.remote = remote;
  }

  /** The driver's folder for {@code out}'s staging folder. */
  static DriverFolder of(StageOutput out) throws IOException {
    Location staging = out.stagingLocation();
    return staging.isLocal()
        ? new DriverFolder(staging, out.staging(), false)
        : new DriverFolder(staging, Files.createTempDirectory(root, "facesieve-clean-"), true);
  }

  /** The local folder. */
  Path local() {
    return local;
  }

  /** Copies the small files the driver reads ({@code names}, those present) into the folder. */
  void fetch(String... names) throws IOException {
    if (!remote) {
      return;
    }
    for (String n : names) {
      Location f = staging.resolve(n);
      if (f.isFile()) {
        f.copyTo(local.resolve(n));
        fetched.add(n);
      }
    }
  }

  /** Writes what the driver built here (not what it fetched) into the staging folder elsewhere. */
  void upload() throws IOException {
    if (!remote) {
      return;
    }
    for (String e : Location.of(local).tree()) {
      if (!e.endsWith("/") && !fetched.contains(e)) {
        staging.resolve(e).copyFrom(local.resolve(e));
      }
    }
  }

  /** Deletes a temporary folder; the staging folder of a local output is the stage's to commit. */
  @Override
  public void close() throws IOException {
    if (remote) {
      LocalFiles.deleteRecursively(local);
    }
  }
}
