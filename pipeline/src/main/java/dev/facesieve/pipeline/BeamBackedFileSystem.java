package dev.facesieve.pipeline;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.BufferedFSInputStream;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FSInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * A read-only Hadoop {@link FileSystem} over Beam's {@link FileSystems}, so that the inputs {@code
 * datasets} reads through Hadoop (input planners, RecordIO and Parquet readers, side files, model
 * files, SHA-256s) can lie on an object store ({@code gs://}, {@code s3://}) that Beam serves.
 *
 * <p>Hadoop has no {@code gs} or {@code s3} file system on FaceSieve's class path (Google's
 * gcs-connector is not a dependency; hadoop-aws gives {@code s3a} only), while Beam has {@code gs}
 * in every build (its Flink runner brings the GCS file system) and {@code s3} with its AWS module. Hadoop finds the subclasses through
 * its own {@code ServiceLoader} ({@code META-INF/services/org.apache.hadoop.fs.FileSystem}, keyed by
 * {@link #getScheme()}), so the driver and every worker get them with no configuration; only
 * schemes no Hadoop implementation claims are registered, so none is shadowed. Beam resolves the
 * scheme from the JVM's registry ({@link DistributedFiles#register}); a scheme Beam does not have
 * is an {@link IOException} saying so.
 *
 * <p>An object store has no folders: a path is a file when an object has its exact name, a folder
 * when objects lie beneath it ({@code match(path + "/**")}, which lists everything beneath, so a
 * folder's status costs a listing); an empty folder does not exist. A name with glob characters
 * ({@code *?[{}) is matched as a glob by Beam, and only an exact hit counts. Writes go through
 * {@link Location} (Beam directly), so here they throw {@link UnsupportedOperationException}.
 */
public abstract class BeamBackedFileSystem extends FileSystem {
  private static final long BLOCK_SIZE = 64L << 20;

  private URI uri;
  private Path workingDirectory;

  /** Beam's name of the file or folder at {@code qualified} (no trailing slash but the root's). */
  protected String toBeam(Path qualified) {
    URI u = qualified.toUri();
    String authority = u.getAuthority() == null ? "" : u.getAuthority();
    return u.getScheme() + "://" + authority + u.getPath();
  }

  /** The path of what Beam names {@code resourceId} ({@link ResourceId#toString()}). */
  protected Path fromBeam(String resourceId) {
    return new Path(resourceId);
  }

  @Override
  public abstract String getScheme();

  @Override
  public void initialize(URI name, Configuration conf) throws IOException {
    super.initialize(name, conf);
    setConf(conf);
    String authority = name.getAuthority() == null ? "" : name.getAuthority();
    uri = URI.create(getScheme() + "://" + authority + "/");
    workingDirectory = new Path(uri);
  }

  @Override
  public URI getUri() {
    return uri;
  }

  @Override
  public Path getWorkingDirectory() {
    return workingDirectory;
  }

  @Override
  public void setWorkingDirectory(Path dir) {
    workingDirectory = makeQualified(dir);
  }

  @Override
  public FileStatus getFileStatus(Path f) throws IOException {
    Path q = makeQualified(f);
    if (q.isRoot()) {
      return folder(q);
    }
    String spec = toBeam(q);
    for (MatchResult.Metadata m : match(spec)) {
      if (!m.resourceId().isDirectory() && fromBeam(m.resourceId().toString()).equals(q)) {
        return file(q, m);
      }
    }
    if (!match(spec + "/**").isEmpty()) {
      return folder(q);
    }
    throw new FileNotFoundException(f + " not found");
  }

  /** The files and folders directly inside {@code f}, derived from the names of all beneath it. */
  @Override
  public FileStatus[] listStatus(Path f) throws IOException {
    FileStatus status = getFileStatus(f);
    if (status.isFile()) {
      return new FileStatus[] {status};
    }
    Path q = status.getPath();
    String base = q.toUri().getPath();
    String prefix = base.endsWith("/") ? base : base + "/";
    String spec = toBeam(q);
    Map<String, FileStatus> children = new TreeMap<>();
    for (MatchResult.Metadata m : match((spec.endsWith("/") ? spec : spec + "/") + "**")) {
      String id = m.resourceId().toString();
      boolean marker = id.endsWith("/") || m.resourceId().isDirectory(); // an empty "folder"
      String path = fromBeam(id).toUri().getPath();
      if (!path.startsWith(prefix) || path.length() == prefix.length()) {
        continue;
      }
      String rel = path.substring(prefix.length());
      int slash = rel.indexOf('/');
      if (slash < 0 && !marker) {
        children.put(rel, file(new Path(q, rel), m));
      } else {
        String name = slash < 0 ? rel : rel.substring(0, slash);
        children.putIfAbsent(name, folder(new Path(q, name)));
      }
    }
    return children.values().toArray(FileStatus[]::new);
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    Path q = makeQualified(f);
    ReadableByteChannel channel;
    try {
      channel = FileSystems.open(resource(toBeam(q)));
    } catch (FileNotFoundException e) {
      throw new FileNotFoundException(f + " not found");
    }
    if (!(channel instanceof SeekableByteChannel seekable)) {
      channel.close();
      throw new IOException(
          "Beam's " + getScheme() + " file system gives no seekable channel for " + f);
    }
    return new FSDataInputStream(
        new BufferedFSInputStream(new ChannelInput(seekable, statistics), bufferSize));
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      FsPermission permission,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress) {
    throw readOnly("create", f);
  }

  @Override
  public FSDataOutputStream append(Path f, int bufferSize, Progressable progress) {
    throw readOnly("append to", f);
  }

  @Override
  public boolean rename(Path src, Path dst) {
    throw readOnly("rename", src);
  }

  @Override
  public boolean delete(Path f, boolean recursive) {
    throw readOnly("delete", f);
  }

  @Override
  public boolean mkdirs(Path f, FsPermission permission) {
    throw readOnly("make folders at", f);
  }

  private UnsupportedOperationException readOnly(String what, Path f) {
    return new UnsupportedOperationException(
        "cannot "
            + what
            + " "
            + f
            + ": FaceSieve reads "
            + getScheme()
            + ":// through Hadoop only for inputs; outputs are written through Beam's file"
            + " systems");
  }

  private FileStatus file(Path p, MatchResult.Metadata m) {
    return new FileStatus(m.sizeBytes(), false, 1, BLOCK_SIZE, m.lastModifiedMillis(), p);
  }

  private static FileStatus folder(Path p) {
    return new FileStatus(0, true, 1, BLOCK_SIZE, 0, p);
  }

  /** Beam's resource for {@code spec}; a scheme Beam does not have is an {@link IOException}. */
  private ResourceId resource(String spec) throws IOException {
    try {
      DistributedFiles.register(scheme(spec));
      return FileSystems.matchNewResource(spec, false);
    } catch (IllegalArgumentException e) {
      throw noBeamFileSystem(spec, e);
    }
  }

  /** What Beam matches for {@code spec}; nothing when it matches nothing. */
  private List<MatchResult.Metadata> match(String spec) throws IOException {
    MatchResult r;
    try {
      DistributedFiles.register(scheme(spec));
      r = FileSystems.match(spec, EmptyMatchTreatment.ALLOW);
    } catch (IllegalArgumentException e) {
      throw noBeamFileSystem(spec, e);
    }
    return r.status() == MatchResult.Status.NOT_FOUND ? List.of() : r.metadata();
  }

  private IOException noBeamFileSystem(String spec, IllegalArgumentException e) {
    return new IOException(
        getScheme()
            + ":// is read through Beam's file systems, and Beam has none for "
            + scheme(spec)
            + " on the class path ("
            + e.getMessage()
            + "); gs:// needs the -Pdataflow build, s3:// Beam's AWS module",
        e);
  }

  private static String scheme(String spec) {
    int colon = spec.indexOf(':');
    return colon < 0 ? "file" : spec.substring(0, colon);
  }

  /** A Beam channel as Hadoop's seekable stream; positioned reads are the base class's seeks. */
  private static final class ChannelInput extends FSInputStream {
    private final SeekableByteChannel channel;
    private final Statistics statistics;
    private final byte[] one = new byte[1];

    ChannelInput(SeekableByteChannel channel, Statistics statistics) {
      this.channel = channel;
      this.statistics = statistics;
    }

    @Override
    public synchronized void seek(long pos) throws IOException {
      if (pos < 0) {
        throw new EOFException("cannot seek to " + pos);
      }
      channel.position(pos);
    }

    @Override
    public synchronized long getPos() throws IOException {
      return channel.position();
    }

    @Override
    public boolean seekToNewSource(long targetPos) {
      return false;
    }

    @Override
    public synchronized int read() throws IOException {
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      int n;
      do {
        n = channel.read(ByteBuffer.wrap(b, off, len));
      } while (n == 0);
      if (n > 0 && statistics != null) {
        statistics.incrementBytesRead(n);
      }
      return n;
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  /** {@code gs://}, served by Beam's GCS file system ({@code -Pdataflow}). */
  public static final class Gs extends BeamBackedFileSystem {
    @Override
    public String getScheme() {
      return "gs";
    }
  }

  /** {@code s3://}, served by Beam's AWS file system when it is on the class path. */
  public static final class S3 extends BeamBackedFileSystem {
    @Override
    public String getScheme() {
      return "s3";
    }
  }
}
