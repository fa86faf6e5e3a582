package dev.facesieve.pipeline;

import org.apache.hadoop.fs.Path;

/**
 * {@link BeamBackedFileSystem} for tests: {@code beamtest://local/abs/path} is Beam's local file
 * {@code /abs/path}, so the adapter's Hadoop side and Beam's matching and channels are exercised
 * against local files (there is no object store here). Registered for Hadoop in the test resources
 * only.
 */
public final class BeamTestFileSystem extends BeamBackedFileSystem {
  static final String SCHEME = "beamtest";
  static final String AUTHORITY = "local";

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  protected String toBeam(Path qualified) {
    // Beam's local file system names a file by its bare absolute path (a spec without a scheme
    // is a local one); it matches "file:///…" but does not open it
    return qualified.toUri().getPath();
  }

  @Override
  protected Path fromBeam(String resourceId) {
    String path = resourceId.startsWith("file:") ? resourceId.substring(5) : resourceId;
    while (path.startsWith("//")) {
      path = path.substring(1);
    }
    return new Path(SCHEME, AUTHORITY, path);
  }

  /** The URI of a local absolute path on this file system. */
  static String uri(java.nio.file.Path local) {
    return SCHEME + "://" + AUTHORITY + local.toAbsolutePath();
  }
}
