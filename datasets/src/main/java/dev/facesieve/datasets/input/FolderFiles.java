package dev.facesieve.datasets.input;

import dev.facesieve.datasets.io.HadoopFiles;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.annotation.Nullable;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

/**
 * The file system an image folder lies on, as {@link FolderPlanner} and {@link ShardReader} see it:
 * {@code java.nio} for a local path, Hadoop's {@code FileSystem} for a URI. It only reports facts
 * (listings, real paths, kinds, sizes) and opens files; the rules that decide on them live in the
 * planner and the reader, once for both.
 *
 * <p>Names inside the folder are relative, {@code /}-separated ({@code identity/image.jpg}). A real
 * path is the path with every link resolved, as {@link Path#toRealPath} gives it; on Hadoop it is
 * resolved here one component at a time with {@code getFileLinkStatus}, because Hadoop has no real
 * path call and an HDFS client resolves no link inside a path unless links are enabled in its JVM.
 */
abstract class FolderFiles {
  /** What an entry is, after its links are followed. */
  enum Kind {
    FILE,
    FOLDER,
    /**
     * A FIFO, socket or device (only local disks have them), or what a link to another file system
     * leads to.
     */
    OTHER,
    /** Gone since it was listed, or a link to nothing. */
    MISSING
  }

  /**
   * One entry of a listed folder.
   *
   * @param kind its kind with links followed
   * @param size its size in bytes with links followed, -1 when unknown (for the listing hash)
   */
  record Entry(String name, Kind kind, long size) {}

  /**
   * An entry with its links resolved.
   *
   * @param real its real path, comparable with {@link #realRoot()}
   * @param link where the last link led, when the entry is {@link Kind#MISSING} through a link
   */
  record Found(String real, Kind kind, long size, @Nullable String link) {}

  /**
   * Entries sort by the bytes of their UTF-8 names, as {@code java.nio}'s Unix paths do: labels
   * follow this order, so a folder gets the same labels on either file system.
   */
  static final Comparator<String> NAME_ORDER =
      (a, b) ->
          java.util.Arrays.compareUnsigned(
              a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

  /** The root as shards name it: an absolute local path, or a qualified URI. */
  abstract String root();

  /** The kind of the root, links followed. */
  abstract Kind rootKind() throws IOException;

  /** The entries of a folder ({@code ""} for the root), in {@link #NAME_ORDER}. */
  abstract List<Entry> list(String relativeFolder) throws IOException;

  /** The root's real path. */
  abstract String realRoot() throws IOException;

  /** An entry's real path, kind and size; its kind is {@link Kind#MISSING} when it is gone. */
  abstract Found find(String relativePath) throws IOException;

  /** Opens a file by the real path {@link #find} gave. */
  abstract InputStream open(Found file) throws IOException;

  /** Whether {@code real} lies inside (or is) {@code realRoot}: both are real paths. */
  static boolean inside(String realRoot, String real) {
    String dir = realRoot.endsWith("/") ? realRoot : realRoot + "/";
    return real.equals(realRoot) || real.startsWith(dir);
  }

  /**
   * The files of the root a shard names: an absolute local path, or a URI (a {@code file:} URI
   * included, which goes through Hadoop's local file system as a remote input would).
   */
  static FolderFiles of(String root) throws IOException {
    return HadoopFiles.isRemote(root) || root.startsWith("file:")
        ? new OnHadoop(new org.apache.hadoop.fs.Path(root).toUri())
        : new Local(Path.of(root));
  }

  /** A folder on a local disk, through {@code java.nio}. */
  static final class Local extends FolderFiles {
    private final Path root;

    Local(Path root) {
      this.root = root.toAbsolutePath();
    }

    @Override
    String root() {
      return root.toString();
    }

    @Override
    Kind rootKind() {
      return Files.isDirectory(root) ? Kind.FOLDER : Files.exists(root) ? Kind.FILE : Kind.MISSING;
    }

    @Override
    List<Entry> list(String relativeFolder) throws IOException {
      Path dir = relativeFolder.isEmpty() ? root : root.resolve(relativeFolder);
      List<Entry> out = new ArrayList<>();
      try (Stream<Path> s = Files.list(dir)) {
        for (Path p : s.toList()) {
          Kind kind;
          long size;
          try {
            // links followed, as a listing of the folder's images is meant
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            kind = a.isDirectory() ? Kind.FOLDER : a.isRegularFile() ? Kind.FILE : Kind.OTHER;
            size = a.size();
          } catch (IOException e) {
            kind = Kind.MISSING;
            size = -1;
          }
          out.add(new Entry(p.getFileName().toString(), kind, size));
        }
      }
      out.sort(Comparator.comparing(Entry::name, NAME_ORDER));
      return out;
    }

    @Override
    String realRoot() throws IOException {
      return root.toRealPath().toString();
    }

    @Override
    Found find(String relativePath) throws IOException {
      Path file = root.resolve(relativePath);
      Path real;
      try {
        real = file.toRealPath();
      } catch (NoSuchFileException e) {
        String link = null;
        if (Files.isSymbolicLink(file)) {
          try {
            link = Files.readSymbolicLink(file).toString();
          } catch (IOException ignored) {
            link = "";
          }
        }
        return new Found(file.toString(), Kind.MISSING, -1, link);
      }
      BasicFileAttributes a =
          Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      Kind kind = a.isRegularFile() ? Kind.FILE : a.isDirectory() ? Kind.FOLDER : Kind.OTHER;
      return new Found(real.toString(), kind, a.size(), null);
    }

    @Override
    InputStream open(Found file) throws IOException {
      return Files.newInputStream(Path.of(file.real()), LinkOption.NOFOLLOW_LINKS);
    }
  }

  /**
   * A folder on a Hadoop file system ({@code hdfs://…}), through Hadoop's {@code FileSystem}. Real
   * paths are qualified URIs, so that a link to another file system is outside the folder.
   *
   * <p>HDFS and the object stores have no FIFOs, sockets or devices: an entry there is a file, a
   * folder or a link. Hadoop's own local file system ({@code file:}, which the tests use; the
   * command line reads {@code file:} inputs as local paths) reports those as files, follows links
   * in its listings and leaves links to nothing out of them. A file is opened by its real path, but
   * Hadoop cannot refuse to follow a link on open as {@code NOFOLLOW_LINKS} does, so a file
   * replaced by a link between the check and the read is read.
   */
  static final class OnHadoop extends FolderFiles {
    /** The most links one path may pass through, as Hadoop's own link resolution allows. */
    static final int MAX_LINKS = 32;

    private final FileSystem fs;
    private final org.apache.hadoop.fs.Path root;
    // folders resolved once per reader: most entries of a shard share their identity folder
    private final Map<String, org.apache.hadoop.fs.Path> resolvedFolders = new HashMap<>();
    @Nullable private org.apache.hadoop.fs.Path realRoot;

    OnHadoop(URI root) throws IOException {
      this.fs = HadoopFiles.fileSystem(root);
      this.root = fs.makeQualified(new org.apache.hadoop.fs.Path(root));
    }

    @Override
    String root() {
      return root.toString();
    }

    /** The root as a URI, for the manifest. */
    URI rootUri() {
      return root.toUri();
    }

    @Override
    Kind rootKind() throws IOException {
      org.apache.hadoop.fs.Path real;
      try {
        real = realRootPath();
      } catch (FileNotFoundException e) {
        return Kind.MISSING;
      }
      return foreign(real) ? Kind.OTHER : kindOf(fs.getFileStatus(bare(real)));
    }

    @Override
    List<Entry> list(String relativeFolder) throws IOException {
      org.apache.hadoop.fs.Path dir = realPath(relativeFolder);
      if (dir == null || foreign(dir)) {
        throw new FileNotFoundException(relativeFolder + " is gone or leaves the file system");
      }
      List<Entry> out = new ArrayList<>();
      for (FileStatus s : fs.listStatus(bare(dir))) {
        String name = s.getPath().getName();
        if (s.isSymlink()) {
          Found f = find(relativeFolder.isEmpty() ? name : relativeFolder + "/" + name);
          out.add(new Entry(name, f.kind(), f.size()));
        } else {
          out.add(new Entry(name, kindOf(s), s.getLen()));
        }
      }
      out.sort(Comparator.comparing(Entry::name, NAME_ORDER));
      return out;
    }

    @Override
    String realRoot() throws IOException {
      return realRootPath().toString();
    }

    private org.apache.hadoop.fs.Path realRootPath() throws IOException {
      if (realRoot == null) {
        org.apache.hadoop.fs.Path real =
            resolve(top(root), components(root.toUri().getPath()), new int[1], new String[1]);
        if (real == null) {
          throw new FileNotFoundException(root + " not found");
        }
        realRoot = real;
      }
      return realRoot;
    }

    @Override
    Found find(String relativePath) throws IOException {
      int slash = relativePath.lastIndexOf('/');
      org.apache.hadoop.fs.Path dir = realPath(slash < 0 ? "" : relativePath.substring(0, slash));
      if (dir == null) {
        return new Found(root + "/" + relativePath, Kind.MISSING, -1, null);
      }
      org.apache.hadoop.fs.Path p = child(dir, relativePath.substring(slash + 1));
      if (foreign(dir)) {
        return new Found(p.toString(), Kind.OTHER, -1, null);
      }
      FileStatus status;
      try {
        status = fs.getFileLinkStatus(bare(p));
      } catch (FileNotFoundException e) {
        return new Found(p.toString(), Kind.MISSING, -1, null);
      }
      if (!status.isSymlink()) {
        // the common case, one call to the name node: no link to follow
        return new Found(p.toString(), kindOf(status), status.getLen(), null);
      }
      String[] lastLink = new String[1];
      org.apache.hadoop.fs.Path real = resolveLast(p, new int[1], lastLink);
      if (real == null) {
        return new Found(p.toString(), Kind.MISSING, -1, lastLink[0]);
      }
      if (foreign(real)) {
        return new Found(real.toString(), Kind.OTHER, -1, null);
      }
      FileStatus s = fs.getFileLinkStatus(bare(real));
      return new Found(real.toString(), kindOf(s), s.getLen(), null);
    }

    @Override
    InputStream open(Found file) throws IOException {
      return fs.open(bare(new org.apache.hadoop.fs.Path(file.real())));
    }

    /** The real path of a folder inside the root, or null when it is gone. */
    @Nullable
    private org.apache.hadoop.fs.Path realPath(String relativeFolder) throws IOException {
      if (relativeFolder.isEmpty()) {
        return realRootPath();
      }
      if (!resolvedFolders.containsKey(relativeFolder)) {
        resolvedFolders.put(
            relativeFolder,
            resolve(realRootPath(), components(relativeFolder), new int[1], new String[1]));
      }
      return resolvedFolders.get(relativeFolder);
    }

    /**
     * Resolves {@code names} below the real path {@code from}, one component at a time, as {@link
     * Path#toRealPath} does; null when a component is missing (the last link followed in {@code
     * lastLink[0]}). Below a link to another file system the names are appended unresolved.
     */
    @Nullable
    private org.apache.hadoop.fs.Path resolve(
        org.apache.hadoop.fs.Path from, Deque<String> names, int[] links, String[] lastLink)
        throws IOException {
      org.apache.hadoop.fs.Path cur = from;
      while (!names.isEmpty()) {
        String name = names.pop();
        if (name.equals("..")) {
          cur = cur.getParent() == null ? cur : cur.getParent();
          continue;
        }
        if (foreign(cur)) {
          cur = child(cur, name);
          continue;
        }
        org.apache.hadoop.fs.Path next = resolveLast(child(cur, name), links, lastLink);
        if (next == null) {
          return null;
        }
        cur = next;
      }
      return cur;
    }

    /**
     * Follows {@code p} while it is a link; {@code p}'s folder is a real path. Null when it leads
     * to nothing (the link's target in {@code lastLink[0]}).
     */
    @Nullable
    private org.apache.hadoop.fs.Path resolveLast(
        org.apache.hadoop.fs.Path p, int[] links, String[] lastLink) throws IOException {
      FileStatus s;
      try {
        s = fs.getFileLinkStatus(bare(p));
      } catch (FileNotFoundException e) {
        return null;
      }
      if (!s.isSymlink()) {
        return p;
      }
      if (++links[0] > MAX_LINKS) {
        throw new IOException("more than " + MAX_LINKS + " links on the way to " + p);
      }
      // Hadoop qualifies a link's target against the link's folder
      org.apache.hadoop.fs.Path target = s.getSymlink();
      lastLink[0] = target.toString();
      org.apache.hadoop.fs.Path qualified =
          target.toUri().getScheme() == null
              ? new org.apache.hadoop.fs.Path(p.getParent(), target)
              : target;
      if (foreign(qualified)) {
        return qualified;
      }
      return resolve(top(p), components(qualified.toUri().getPath()), links, lastLink);
    }

    /** Whether {@code p} lies on another file system than the root (a link led there). */
    private boolean foreign(org.apache.hadoop.fs.Path p) {
      URI a = p.toUri();
      URI b = root.toUri();
      return !java.util.Objects.equals(a.getScheme(), b.getScheme())
          || !java.util.Objects.equals(a.getAuthority(), b.getAuthority());
    }

    /**
     * The path without scheme and authority, as calls on {@link #fs} take it: Hadoop's local file
     * system reports no link of a path given with its {@code file:} scheme.
     */
    private static org.apache.hadoop.fs.Path bare(org.apache.hadoop.fs.Path p) {
      return org.apache.hadoop.fs.Path.getPathWithoutSchemeAndAuthority(p);
    }

    /** The top folder of {@code p}'s file system, qualified. */
    private static org.apache.hadoop.fs.Path top(org.apache.hadoop.fs.Path p) {
      URI u = p.toUri();
      return new org.apache.hadoop.fs.Path(u.getScheme(), u.getAuthority(), "/");
    }

    private static org.apache.hadoop.fs.Path child(org.apache.hadoop.fs.Path dir, String name) {
      // the three-argument form keeps a ':' in a name from reading as a scheme
      return new org.apache.hadoop.fs.Path(dir, new org.apache.hadoop.fs.Path(null, null, name));
    }

    private static Deque<String> components(String path) {
      Deque<String> out = new ArrayDeque<>();
      for (String c : path.split("/")) {
        if (!c.isEmpty() && !c.equals(".")) {
          out.add(c);
        }
      }
      return out;
    }

    private static Kind kindOf(FileStatus s) {
      return s.isDirectory() ? Kind.FOLDER : s.isFile() ? Kind.FILE : Kind.OTHER;
    }
  }
}
