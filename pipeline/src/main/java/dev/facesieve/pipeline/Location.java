package dev.facesieve.pipeline;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.io.HadoopFiles;
import dev.facesieve.datasets.io.LocalFiles;
import dev.facesieve.datasets.parquet.ParquetFiles;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.annotation.Nullable;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * A file or folder of a stage's output: a local path, or a URI ({@code hdfs://}, {@code gs://},
 * {@code s3://}) of any file system Beam has on the class path, handled through Beam's {@link
 * FileSystems}.
 *
 * <p>This is the one home of the file operations that stage outputs need ({@link StageOutput},
 * {@link OutputGuard}, {@link OutputLock}). A local path keeps its {@code java.nio} operations here
 * (atomic moves, {@code CREATE_NEW}, real folders, links): local outputs behave as they always did.
 * Elsewhere files are read, written, renamed and deleted through Beam's {@code FileSystems}; a
 * folder is made by writing a file into it, and a move is a rename of each file. A rename replaces
 * an existing target. On object stores a folder is what lies beneath its name: it exists when a
 * file does, and {@link #tree} derives subfolders from the files' names ({@code match("/**")}). On
 * Hadoop's file systems ({@code hdfs://}) Beam's match names folders without saying so and its
 * {@code **} skips the files directly inside a folder (seen on a MiniDFSCluster), so there the file
 * status and listing come from Hadoop's own {@code FileSystem}, as does a write that must not
 * replace a file ({@link #createNew}): {@code create(path, false)}, which the name node decides
 * atomically. On object stores that write is a check, then a write.
 */
public final class Location {
  /** Hadoop file systems whose {@code create(path, false)} is atomic. */
  private static final List<String> HADOOP_SCHEMES = List.of("hdfs", "webhdfs", "viewfs");

  @Nullable private final Path local;
  @Nullable private final String uri; // no trailing slash

  private Location(@Nullable Path local, @Nullable String uri) {
    this.local = local;
    this.uri = uri;
  }

  /** A local path. */
  public static Location of(Path p) {
    return new Location(p, null);
  }

  /**
   * What a command-line argument names: a URI with a scheme other than {@code file}, or a local
   * path ({@code file:} URIs included).
   */
  public static Location parse(String s) {
    HadoopFiles.checkNotMalformedUri(s);
    if (isRemote(s)) {
      String u = s;
      while (u.endsWith("/") && !u.endsWith("://")) {
        u = u.substring(0, u.length() - 1);
      }
      return new Location(null, u);
    }
    if (s.startsWith("file:")) {
      return new Location(Path.of(URI.create(s)), null);
    }
    return new Location(Path.of(s), null);
  }

  /** True when {@code s} is a URI with a scheme, other than {@code file}. */
  public static boolean isRemote(String s) {
    return HadoopFiles.isRemote(s);
  }

  /** True for a local path. */
  public boolean isLocal() {
    return local != null;
  }

  /**
   * The local path.
   *
   * @throws InputException when this is not a local path ({@code what} says what needs one)
   */
  public Path local(String what) {
    if (local == null) {
      throw new InputException(uri, what + " needs a local path, not a URI");
    }
    return local;
  }

  /** The scheme ({@code file} for a local path). */
  public String scheme() {
    return local != null ? "file" : uri.substring(0, uri.indexOf(':'));
  }

  /** {@code rel} ({@code /}-separated) inside this folder. */
  public Location resolve(String rel) {
    if (local != null) {
      return new Location(local.resolve(rel), null);
    }
    String r = rel;
    while (r.endsWith("/")) {
      r = r.substring(0, r.length() - 1);
    }
    return new Location(null, uri + "/" + r);
  }

  /** The last name. */
  public String name() {
    if (local != null) {
      Path f = local.getFileName();
      return f == null ? "" : f.toString();
    }
    return uri.substring(uri.lastIndexOf('/') + 1);
  }

  /** The folder holding this one. */
  public Location parent() {
    if (local != null) {
      Path p = local.toAbsolutePath().getParent();
      return new Location(p == null ? local : p, null);
    }
    return new Location(null, uri.substring(0, uri.lastIndexOf('/')));
  }

  /** A sibling named {@code name}. */
  public Location sibling(String name) {
    return parent().resolve(name);
  }

  /** What Beam's writers take: an absolute local path, or the URI; folders end in {@code /}. */
  public String spec(boolean folder) {
    String s = local != null ? local.toAbsolutePath().toString() : uri;
    return folder ? s + "/" : s;
  }

  /** The absolute path or the URI, with links resolved where the path exists in part. */
  String real() {
    return local != null ? OutputGuard.real(local).toString() : uri;
  }

  /** True when a file or folder is there (elsewhere: a file, or a file beneath it). */
  public boolean exists() throws IOException {
    if (local != null) {
      return Files.exists(local);
    }
    if (hadoop()) {
      return hadoopFs().exists(hadoopPath());
    }
    return isFile() || !files("/**").isEmpty();
  }

  /**
   * True when a file is there. (Beam's match names folders too on Hadoop's file systems, without
   * saying which they are, so there the file status is asked.)
   */
  public boolean isFile() throws IOException {
    if (local != null) {
      return Files.isRegularFile(local);
    }
    if (hadoop()) {
      try {
        return hadoopFs().getFileStatus(hadoopPath()).isFile();
      } catch (FileNotFoundException e) {
        return false;
      }
    }
    return match(uri).stream().anyMatch(m -> m.resourceId().toString().equals(uri));
  }

  /** True when a folder is there (elsewhere: a file lies beneath the name). */
  public boolean isDirectory() throws IOException {
    if (local != null) {
      return Files.isDirectory(local);
    }
    if (hadoop()) {
      try {
        return hadoopFs().getFileStatus(hadoopPath()).isDirectory();
      } catch (FileNotFoundException e) {
        return false;
      }
    }
    return !isFile() && !files("/**").isEmpty();
  }

  /**
   * Creates the folder and its parents (on object stores nothing: writing a file makes its
   * folders).
   */
  public void createDirectories() throws IOException {
    if (local != null) {
      Files.createDirectories(local);
    } else if (hadoop()) {
      hadoopFs().mkdirs(hadoopPath());
    }
  }

  /**
   * Everything beneath this folder, relative to it ({@code /}-separated, folders ending in {@code
   * /}), sorted; empty when absent.
   */
  public List<String> tree() throws IOException {
    List<String> out = new ArrayList<>();
    if (local != null) {
      if (!Files.exists(local)) {
        return out;
      }
      try (Stream<Path> s = Files.walk(local)) {
        for (Path p : s.sorted().toList()) {
          if (!p.equals(local)) {
            String r = local.relativize(p).toString().replace('\\', '/');
            out.add(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? r + "/" : r);
          }
        }
      }
      return out;
    }
    SortedSet<String> all = new TreeSet<>();
    if (hadoop()) {
      if (isDirectory()) {
        hadoopWalk(hadoopPath(), "", all);
      }
      out.addAll(all);
      return out;
    }
    String prefix = uri + "/";
    for (MatchResult.Metadata m : files("/**")) {
      String id = m.resourceId().toString();
      if (!id.startsWith(prefix)) {
        continue;
      }
      String r = id.substring(prefix.length());
      all.add(r);
      for (int i = r.indexOf('/'); i >= 0; i = r.indexOf('/', i + 1)) {
        all.add(r.substring(0, i + 1));
      }
    }
    out.addAll(all);
    return out;
  }

  /** The names directly inside this folder, sorted (folders without a trailing slash). */
  public List<String> list() throws IOException {
    if (local != null) {
      try (Stream<Path> s = Files.list(local)) {
        return s.map(p -> p.getFileName().toString()).sorted().toList();
      }
    }
    SortedSet<String> names = new TreeSet<>();
    for (String e : tree()) {
      int slash = e.indexOf('/');
      names.add(slash < 0 ? e : e.substring(0, slash));
    }
    return List.copyOf(names);
  }

  /** The file's size in bytes. */
  public long size() throws IOException {
    if (local != null) {
      return Files.size(local);
    }
    if (hadoop()) {
      return hadoopFs().getFileStatus(hadoopPath()).getLen();
    }
    List<MatchResult.Metadata> m = match(uri);
    if (m.isEmpty()) {
      throw new NoSuchFileException(uri);
    }
    return m.get(0).sizeBytes();
  }

  /** The file's modification time in milliseconds since the epoch. */
  public long modifiedMillis() throws IOException {
    if (local != null) {
      return Files.getLastModifiedTime(local).toMillis();
    }
    if (hadoop()) {
      return hadoopFs().getFileStatus(hadoopPath()).getModificationTime();
    }
    List<MatchResult.Metadata> m = match(uri);
    if (m.isEmpty()) {
      throw new NoSuchFileException(uri);
    }
    return m.get(0).lastModifiedMillis();
  }

  /**
   * The rows of this Parquet file, from its footer. Elsewhere than locally the footer is read
   * through Hadoop's file systems ({@link BeamBackedFileSystem} for {@code gs://} and {@code
   * s3://}).
   */
  public long parquetRows() throws IOException {
    if (local != null) {
      return ParquetFiles.rowCount(local);
    }
    return ParquetFiles.rowCount(URI.create(uri), DistributedFiles.configuration());
  }

  /** The file's content as UTF-8. */
  public String readString() throws IOException {
    if (local != null) {
      return Files.readString(local, StandardCharsets.UTF_8);
    }
    try (InputStream in = openRemote()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Opens this remote file; a missing one is {@link NoSuchFileException}, as locally. */
  private InputStream openRemote() throws IOException {
    try {
      return Channels.newInputStream(FileSystems.open(id(uri, false)));
    } catch (FileNotFoundException e) {
      throw new NoSuchFileException(uri);
    }
  }

  /** Lower-case hex SHA-256 of the file's bytes. */
  public String sha256() throws IOException {
    if (local != null) {
      return LocalFiles.sha256(local);
    }
    Hasher h = Hashing.sha256().newHasher();
    byte[] buf = new byte[1 << 20];
    try (InputStream in = openRemote()) {
      for (int n = in.read(buf); n > 0; n = in.read(buf)) {
        h.putBytes(buf, 0, n);
      }
    }
    return h.hash().toString();
  }

  /** Writes the file, replacing any. */
  public void write(String content) throws IOException {
    if (local != null) {
      Files.writeString(local, content, StandardCharsets.UTF_8);
      return;
    }
    ResourceId id = id(uri, false);
    try (OutputStream out = Channels.newOutputStream(FileSystems.create(id, MimeTypes.TEXT))) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * Writes the file through a temporary sibling ({@code .<name>.tmp}) and a rename, so that it is
   * never seen half-written. Locally the rename is atomic where the file system allows; on Hadoop's
   * file systems it replaces the old file by a delete then a rename (Beam's {@code rename}), so for
   * an instant the file may be missing, never partial.
   */
  public void writeAtomically(String content) throws IOException {
    if (local != null) {
      LocalFiles.writeAtomically(local, content);
      return;
    }
    Location tmp = sibling("." + name() + ".tmp");
    tmp.write(content);
    tmp.renameTo(this);
  }

  /** Copies this file's bytes to the local file {@code target}, replacing it. */
  public void copyTo(Path target) throws IOException {
    if (local != null) {
      Files.copy(local, target, StandardCopyOption.REPLACE_EXISTING);
      return;
    }
    try (InputStream in = openRemote()) {
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Writes the local file {@code source}'s bytes here, replacing any file. */
  public void copyFrom(Path source) throws IOException {
    if (local != null) {
      Files.copy(source, local, StandardCopyOption.REPLACE_EXISTING);
      return;
    }
    try (OutputStream out =
        Channels.newOutputStream(FileSystems.create(id(uri, false), MimeTypes.BINARY))) {
      Files.copy(source, out);
    }
  }

  /**
   * Creates the file with {@code content} unless it exists.
   *
   * @throws FileAlreadyExistsException when it exists
   */
  public void createNew(String content) throws IOException {
    if (local != null) {
      Files.writeString(local, content, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
      return;
    }
    if (hadoop()) {
      try (OutputStream out = hadoopFs().create(hadoopPath(), false)) {
        out.write(content.getBytes(StandardCharsets.UTF_8));
      } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
        throw new FileAlreadyExistsException(uri);
      }
      return;
    }
    if (isFile()) { // an object store: check, then write (see the class comment)
      throw new FileAlreadyExistsException(uri);
    }
    write(content);
  }

  /** Deletes the file, if there; true when it was. */
  public boolean deleteIfExists() throws IOException {
    if (local != null) {
      return Files.deleteIfExists(local);
    }
    if (!isFile()) {
      return false;
    }
    FileSystems.delete(
        List.of(id(uri, false)), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    return true;
  }

  /**
   * Deletes an empty folder (elsewhere: the folder entry, which Hadoop's file systems keep after
   * their files are gone; nothing on object stores).
   */
  public void deleteEmptyFolder() throws IOException {
    if (local != null) {
      Files.deleteIfExists(local);
      return;
    }
    if (hadoop() && isDirectory() && hadoopFs().listStatus(hadoopPath()).length == 0) {
      hadoopFs().delete(hadoopPath(), false);
    }
  }

  /** True when this folder holds nothing (absent counts as empty). */
  public boolean isEmptyFolder() throws IOException {
    if (local != null) {
      if (!Files.isDirectory(local)) {
        return true;
      }
      try (Stream<Path> s = Files.list(local)) {
        return s.findAny().isEmpty();
      }
    }
    return tree().isEmpty();
  }

  /** Deletes a file or folder tree; nothing when absent. */
  public void deleteRecursively() throws IOException {
    if (local != null) {
      LocalFiles.deleteRecursively(local);
      return;
    }
    List<String> entries = new ArrayList<>(tree());
    List<ResourceId> files = new ArrayList<>();
    for (String e : entries) {
      if (!e.endsWith("/")) {
        files.add(id(uri + "/" + e, false));
      }
    }
    if (!files.isEmpty()) {
      FileSystems.delete(files, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    }
    deleteIfExists();
    Collections.sort(entries, Collections.reverseOrder());
    for (String e : entries) {
      if (e.endsWith("/")) {
        resolve(e).deleteEmptyFolder();
      }
    }
    deleteEmptyFolder();
  }

  /**
   * Moves this file or folder tree to {@code target}, which must not exist. Locally and on Hadoop's
   * file systems one move (a folder's rename is one name-node operation there); on object stores
   * one rename per file.
   */
  public void moveTo(Location target) throws IOException {
    if (local != null) {
      Files.move(local, target.local("a move"));
      return;
    }
    if (isFile() || hadoop()) {
      target.parent().createDirectories();
      renameTo(target);
      return;
    }
    List<ResourceId> from = new ArrayList<>();
    List<ResourceId> to = new ArrayList<>();
    for (String e : tree()) {
      if (!e.endsWith("/")) {
        from.add(id(uri + "/" + e, false));
        to.add(id(target.uri + "/" + e, false));
      }
    }
    if (!from.isEmpty()) {
      FileSystems.rename(from, to);
    }
    deleteRecursively(); // the emptied folders
  }

  /**
   * Renames this file to {@code target}, replacing it; locally atomic where the file system allows.
   *
   * @throws NoSuchFileException when this file is gone
   */
  public void renameTo(Location target) throws IOException {
    if (local != null) {
      Path t = target.local("a rename");
      try {
        Files.move(local, t, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(local, t, StandardCopyOption.REPLACE_EXISTING);
      }
      return;
    }
    try {
      FileSystems.rename(List.of(id(uri, false)), List.of(id(target.uri, false)));
    } catch (FileNotFoundException e) {
      throw new NoSuchFileException(uri);
    }
  }

  /**
   * Moves this file to {@code target} unless that exists; elsewhere a {@link #createNew} of the
   * content, then a delete.
   *
   * @throws FileAlreadyExistsException when {@code target} exists
   */
  public void moveIfAbsent(Location target) throws IOException {
    if (local != null) {
      Files.move(local, target.local("a move"));
      return;
    }
    target.createNew(readString());
    deleteIfExists();
  }

  private boolean hadoop() {
    return HADOOP_SCHEMES.contains(scheme());
  }

  private org.apache.hadoop.fs.Path hadoopPath() {
    return new org.apache.hadoop.fs.Path(uri);
  }

  private org.apache.hadoop.fs.FileSystem hadoopFs() throws IOException {
    return HadoopFiles.fileSystem(URI.create(uri));
  }

  /**
   * Lists a Hadoop folder tree: Beam's match cannot serve here, as it names folders without saying
   * so and its {@code **} skips the files directly inside the folder.
   */
  private void hadoopWalk(org.apache.hadoop.fs.Path dir, String rel, SortedSet<String> out)
      throws IOException {
    for (org.apache.hadoop.fs.FileStatus st : hadoopFs().listStatus(dir)) {
      String name = rel + st.getPath().getName();
      if (st.isDirectory()) {
        out.add(name + "/");
        hadoopWalk(st.getPath(), name + "/", out);
      } else {
        out.add(name);
      }
    }
  }

  private static ResourceId id(String spec, boolean folder) {
    DistributedFiles.register(spec.substring(0, spec.indexOf(':')));
    return FileSystems.matchNewResource(spec, folder);
  }

  private List<MatchResult.Metadata> files(String glob) throws IOException {
    return match(uri + glob);
  }

  private static List<MatchResult.Metadata> match(String spec) throws IOException {
    DistributedFiles.register(spec.substring(0, spec.indexOf(':')));
    MatchResult r = FileSystems.match(spec, EmptyMatchTreatment.ALLOW);
    if (r.status() == MatchResult.Status.NOT_FOUND) {
      return List.of();
    }
    return r.metadata();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Location l && Objects.equals(local, l.local) && Objects.equals(uri, l.uri);
  }

  @Override
  public int hashCode() {
    return Objects.hash(local, uri);
  }

  @Override
  public String toString() {
    return local != null ? local.toString() : uri;
  }
}
