package dev.facesieve.pipeline;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.io.LocalFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.annotation.Nullable;

/**
 * What a command may delete or overwrite: only what FaceSieve provably wrote.
 *
 * <p>Three rules. An output may neither be, lie inside, nor contain any of the command's inputs
 * (compared as real paths, so links and {@code ..} do not hide an overlap). Every output folder
 * records in {@link #OWNED} ({@link OwnedFiles}) its kind and the entries FaceSieve wrote; a
 * command deletes only those. A folder holding anything else is refused, even with {@code
 * --overwrite}: a file the record does not name is the user's. Empty folders are nobody's and may
 * be removed.
 */
public final class OutputGuard {
  /** The record of what FaceSieve wrote in a folder. */
  public static final String OWNED = ".facesieve-owned.json";

  /** The folder a stage writes into before it commits; FaceSieve's wherever it appears. */
  static final String STAGING = ".staging";

  private OutputGuard() {}

  /**
   * What FaceSieve wrote in a folder of one kind.
   *
   * @param owned the entries that exist and FaceSieve wrote ({@code /}-separated, folders end in
   *     {@code /}); not the record, the lock nor the staging folder
   */
  public record Ownership(Location dir, OutputKind kind, SortedSet<String> owned) {
    /** True when the folder holds nothing of a finished or unfinished earlier run. */
    public boolean isEmpty() {
      return owned.isEmpty();
    }

    /** Whether the earlier run left {@code relative} here. */
    public boolean has(String relative) {
      return owned.contains(relative);
    }
  }

  /**
   * Refuses an output that is, lies inside or contains one of {@code inputs} (null entries are
   * skipped).
   *
   * @throws InputException naming the output and the input
   */
  public static void refuseOverlap(Path output, Path... inputs) {
    refuseOverlap(
        Location.of(output),
        Stream.of(inputs).map(p -> p == null ? null : Location.of(p)).toArray(Location[]::new));
  }

  /** {@link #refuseOverlap(Path, Path...)} for any file system. */
  public static void refuseOverlap(Location output, Location... inputs) {
    for (Location in : inputs) {
      if (in != null && overlap(output, in)) {
        throw new InputException(
            output.toString(),
            "the output overlaps the input "
                + in
                + " (one lies inside the other); choose an output outside the input");
      }
    }
  }

  /** True when one of the two paths is, or lies inside, the other (after resolving links). */
  public static boolean overlap(Path a, Path b) {
    Path ra = real(a);
    Path rb = real(b);
    return ra.startsWith(rb) || rb.startsWith(ra);
  }

  /**
   * {@link #overlap(Path, Path)} for any file system: two URIs overlap when one is the other or a
   * folder above it; a local path and a URI never do.
   */
  public static boolean overlap(Location a, Location b) {
    if (a.isLocal() != b.isLocal()) {
      return false;
    }
    if (a.isLocal()) {
      return overlap(a.local("a path"), b.local("a path"));
    }
    String ra = a.real() + "/";
    String rb = b.real() + "/";
    return ra.startsWith(rb) || rb.startsWith(ra);
  }

  /**
   * The real path of {@code p}: the longest part that exists resolved with its links, the rest
   * appended.
   */
  static Path real(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    Path existing = abs;
    List<Path> rest = new ArrayList<>();
    while (existing != null && !Files.exists(existing)) {
      rest.add(0, existing.getFileName());
      existing = existing.getParent();
    }
    if (existing == null) {
      return abs;
    }
    Path r;
    try {
      r = existing.toRealPath();
    } catch (IOException e) {
      r = existing;
    }
    for (Path part : rest) {
      r = r.resolve(part);
    }
    return r;
  }

  /**
   * Reads what FaceSieve wrote in {@code dir} as an output of {@code kind}; an absent folder owns
   * nothing.
   *
   * @throws InputException when the folder holds an entry FaceSieve did not write there, or is an
   *     output of another kind
   */
  public static Ownership inspect(Path dir, OutputKind kind) throws IOException {
    return inspect(Location.of(dir), kind);
  }

  /** {@link #inspect(Path, OutputKind)} on any file system. */
  public static Ownership inspect(Location dir, OutputKind kind) throws IOException {
    return inspect(dir, kind, dir.isDirectory() ? OwnedFiles.read(dir) : null);
  }

  /**
   * {@link #inspect(Path, OutputKind)} of a folder whose record is kept elsewhere (the embedding
   * cache's lies beside it): FaceSieve wrote {@code files} there and nothing else.
   */
  static Ownership inspect(Path dir, OutputKind kind, Collection<String> files) throws IOException {
    return inspect(Location.of(dir), kind, files);
  }

  /** {@link #inspect(Path, OutputKind, Collection)} on any file system. */
  static Ownership inspect(Location dir, OutputKind kind, Collection<String> files)
      throws IOException {
    return inspect(dir, kind, new OwnedFiles(name(kind), null, List.copyOf(files)));
  }

  private static Ownership inspect(Location dir, OutputKind kind, @Nullable OwnedFiles record)
      throws IOException {
    SortedSet<String> owned = new TreeSet<>();
    if (!dir.exists()) {
      return new Ownership(dir, kind, owned);
    }
    if (!dir.isDirectory()) {
      throw new InputException(dir.toString(), "output exists and is not a folder");
    }
    if (record != null && !record.kind().equals(name(kind))) {
      throw new InputException(
          dir.toString(),
          "holds the output of 'facesieve "
              + commandOf(record.kind())
              + "', not of 'facesieve "
              + kind.command()
              + "'; choose another output folder");
    }
    List<String> entries = entries(dir);
    List<String> foreign = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    for (String e : entries) {
      String written = tmpOf(e);
      boolean ours =
          record != null
              && (record.owns(e, OwnedFiles.stampOf(dir, e, record))
                  || (written != null && record.files().contains(written)));
      (ours ? owned : foreign).add(e);
      if (!ours && record != null && record.files().contains(e)) {
        changed.add(e);
      }
    }
    if (!changed.isEmpty()) {
      throw new InputException(
          dir.toString(),
          "holds "
              + changed.get(0)
              + (changed.size() > 1 ? " (and " + (changed.size() - 1) + " more)" : "")
              + ", which changed since 'facesieve "
              + kind.command()
              + "' wrote it, so it is yours now (FaceSieve deletes only what it wrote, even with"
              + " --overwrite); move it away or delete it, then run again");
    }
    // a folder with no file beneath it holds nothing of anyone's: it may go
    for (String e : List.copyOf(foreign)) {
      if (e.endsWith("/") && entries.stream().noneMatch(f -> f.startsWith(e) && !f.endsWith("/"))) {
        foreign.remove(e);
        owned.add(e);
      }
    }
    if (!foreign.isEmpty()) {
      String first =
          foreign.stream().filter(f -> !f.endsWith("/")).findFirst().orElse(foreign.get(0));
      throw new InputException(
          dir.toString(),
          "output folder is not empty: it holds "
              + first
              + (foreign.size() > 1 ? " (and " + (foreign.size() - 1) + " more)" : "")
              + ", which 'facesieve "
              + kind.command()
              + "' did not write (FaceSieve deletes only what it wrote, even with --overwrite);"
              + " choose another output folder or move those files away");
    }
    return new Ownership(dir, kind, owned);
  }

  /**
   * Deletes what FaceSieve wrote in the folder and nothing else; a folder it wrote stays when
   * something else appeared in it meanwhile.
   */
  public static void deleteOwned(Ownership o) throws IOException {
    List<String> deepestFirst = new ArrayList<>(o.owned());
    deepestFirst.sort(Comparator.reverseOrder());
    for (String e : deepestFirst) {
      Location p = o.dir().resolve(e);
      if (e.endsWith("/")) {
        if (p.isEmptyFolder()) {
          p.deleteEmptyFolder();
        }
      } else {
        p.deleteIfExists();
      }
    }
  }

  /**
   * {@code name} and everything beneath it in {@code root}, relative to {@code root} ({@code
   * /}-separated, folders ending in {@code /}); empty when absent.
   */
  public static List<String> tree(Location root, String name) throws IOException {
    Location top = root.resolve(name);
    List<String> out = new ArrayList<>();
    if (top.isFile()) {
      out.add(name);
    } else if (top.exists()) {
      out.add(name + "/");
      for (String e : top.tree()) {
        out.add(name + "/" + e);
      }
    }
    return out;
  }

  /** Every entry of {@code dir} but the record, locks and the staging folder, sorted. */
  static List<String> entries(Path dir) throws IOException {
    return entries(Location.of(dir));
  }

  static List<String> entries(Location dir) throws IOException {
    List<String> out = new ArrayList<>();
    if (!dir.exists()) {
      return out;
    }
    for (String r : dir.tree()) {
      String top = r.contains("/") ? r.substring(0, r.indexOf('/')) : r;
      if (top.equals(STAGING)
          || top.startsWith(OutputLock.FILE)
          || top.equals(OWNED)
          || top.equals("." + OWNED + ".tmp")) {
        continue;
      }
      out.add(r);
    }
    return out;
  }

  /** Whether the folder holds anything besides the record, locks and the staging folder. */
  static boolean isEmpty(Path dir) throws IOException {
    return !Files.isDirectory(dir) || entries(dir).isEmpty();
  }

  /**
   * The entry whose interrupted atomic write ({@link LocalFiles#writeAtomically}) left {@code e},
   * or null when {@code e} is no such temporary file.
   */
  @Nullable
  private static String tmpOf(String e) {
    int slash = e.lastIndexOf('/', e.length() - 2);
    String name = e.substring(slash + 1);
    if (name.startsWith(".") && name.endsWith(".tmp") && name.length() > 5) {
      return e.substring(0, slash + 1) + name.substring(1, name.length() - 4);
    }
    return null;
  }

  static String name(OutputKind kind) {
    return kind.name().toLowerCase(Locale.ROOT);
  }

  private static String commandOf(String kindName) {
    for (OutputKind k : OutputKind.values()) {
      if (name(k).equals(kindName)) {
        return k.command();
      }
    }
    return kindName;
  }
}
