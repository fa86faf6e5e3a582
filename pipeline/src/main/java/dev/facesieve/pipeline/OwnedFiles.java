package dev.facesieve.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.contract.StageJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.annotation.Nullable;

/**
 * {@code .facesieve-owned.json}: the kind of output a folder is and every entry FaceSieve wrote in
 * it; FaceSieve deletes nothing else there. The one home of the record: it is written ({@link
 * #record}, {@link #claim}, {@link #addToRecord}) and read ({@link #read}) here, and judged by
 * {@link OutputGuard}.
 *
 * <p>Written with {@link dev.facesieve.datasets.contract.StageJson}. Paths are relative to the
 * folder, {@code /}-separated, sorted; a folder's path ends with {@code /}. While a stage replaces
 * its output the record lists the old and the new entries together, so an interrupted replacement
 * never leaves a FaceSieve file that the record does not name.
 *
 * <p>A finished output's record also stamps each file it wrote with its size and modification time
 * ({@code stamps}). A file whose stamp no longer matches, or a name added to {@code files} without
 * one, is the user's: FaceSieve does not delete it, even with {@code --overwrite}. Names a stage
 * claims before it writes them (training's checkpoint, a replacement under way) carry no stamp and
 * are listed in {@code pending}. A record without {@code stamps} (written before stamps existed) is
 * trusted by name.
 *
 * @param kind the {@link OutputKind}'s name in lower case
 * @param files the entries written
 * @param stamps each file's size and modification time when the record was written
 * @param pending names claimed before they were written, trusted by name
 */
@JsonPropertyOrder(alphabetic = true)
public record OwnedFiles(
    String kind,
    @Nullable String facesieveVersion,
    List<String> files,
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable SortedMap<String, Stamp> stamps,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) @Nullable List<String> pending) {
  public OwnedFiles {
    files = files == null ? List.of() : List.copyOf(files);
    stamps = stamps == null ? null : new TreeMap<>(stamps);
    pending = pending == null ? List.of() : List.copyOf(pending);
  }

  /** A record that trusts {@code files} by name. */
  OwnedFiles(String kind, @Nullable String facesieveVersion, List<String> files) {
    this(kind, facesieveVersion, files, null, List.of());
  }

  /** A file's size and modification time (milliseconds since the epoch). */
  @JsonPropertyOrder(alphabetic = true)
  record Stamp(long bytes, long modifiedMillis) {}

  /**
   * Whether the file entry {@code e}, now {@code now} (null for a folder or an absent file), is
   * still the one FaceSieve recorded.
   */
  boolean owns(String e, @Nullable Stamp now) {
    if (!files.contains(e)) {
      return false;
    }
    if (stamps == null || e.endsWith("/") || pending.contains(e)) {
      return true;
    }
    Stamp recorded = stamps.get(e);
    return recorded != null && recorded.equals(now);
  }

  /**
   * Writes the record of {@code dir}: it is an output of {@code kind} and FaceSieve wrote {@code
   * files}.
   */
  public static void record(Path dir, OutputKind kind, Collection<String> files)
      throws IOException {
    record(Location.of(dir), kind, files);
  }

  /**
   * {@link #record(Path, OutputKind, Collection)} on any file system: each file that exists is
   * stamped with its size and modification time (see {@link OwnedFiles}); a name not written yet is
   * pending.
   */
  public static void record(Location dir, OutputKind kind, Collection<String> files)
      throws IOException {
    SortedMap<String, Stamp> stamps = new TreeMap<>();
    List<String> pending = new ArrayList<>();
    for (String f : new TreeSet<>(files)) {
      if (f.endsWith("/")) {
        continue;
      }
      Location file = dir.resolve(f);
      if (file.isFile()) {
        stamps.put(f, new Stamp(file.size(), file.modifiedMillis()));
      } else {
        pending.add(f);
      }
    }
    write(
        dir, new OwnedFiles(OutputGuard.name(kind), Version.get(), sorted(files), stamps, pending));
  }

  /**
   * Records that FaceSieve is about to write (or rewrite) {@code files} in {@code dir}: every name
   * is pending, trusted by name until {@link #record} stamps the finished files.
   */
  static void claim(Location dir, OutputKind kind, Collection<String> files) throws IOException {
    List<String> names = sorted(files);
    List<String> pending = names.stream().filter(f -> !f.endsWith("/")).toList();
    write(
        dir,
        new OwnedFiles(OutputGuard.name(kind), Version.get(), names, new TreeMap<>(), pending));
  }

  private static List<String> sorted(Collection<String> files) {
    return List.copyOf(new TreeSet<>(files));
  }

  private static void write(Location dir, OwnedFiles record) throws IOException {
    dir.resolve(OutputGuard.OWNED).writeAtomically(StageJson.write(record));
  }

  /** The stamp of entry {@code e} when the record has stamps and it is a file; else null. */
  @Nullable
  static Stamp stampOf(Location dir, String e, OwnedFiles record) throws IOException {
    if (record.stamps() == null || e.endsWith("/")) {
      return null;
    }
    Location f = dir.resolve(e);
    return f.isFile() ? new Stamp(f.size(), f.modifiedMillis()) : null;
  }

  /** {@link #addToRecord} of the report written again into the clean output {@code cleanDir}. */
  public static void recordReport(Path cleanDir) throws IOException {
    addToRecord(
        cleanDir,
        OutputKind.CLEAN,
        dev.facesieve.reports.NoiseReport.JSON_FILE,
        dev.facesieve.reports.NoiseReport.HTML_FILE,
        dev.facesieve.reports.NoiseReport.PAGES_DIR);
  }

  /**
   * Adds what a later command wrote into an output folder (the report, written again by {@code
   * facesieve report} into a clean output) to the folder's record, so that a later {@code
   * --overwrite} recognises it: {@code tops} (files, or folders with everything beneath them) are
   * stamped afresh, every other entry keeps its stamp. A folder without a record is left as it is.
   */
  public static void addToRecord(Path dir, OutputKind kind, String... tops) throws IOException {
    Location d = Location.of(dir);
    OwnedFiles r = read(d);
    if (r == null) {
      return;
    }
    TreeSet<String> files = new TreeSet<>(r.files());
    List<String> rewritten = new ArrayList<>();
    for (String top : tops) {
      rewritten.addAll(OutputGuard.tree(d, top));
    }
    files.addAll(rewritten);
    if (r.stamps() == null) {
      record(d, kind, files);
      return;
    }
    SortedMap<String, Stamp> stamps = new TreeMap<>(r.stamps());
    List<String> pending = new ArrayList<>(r.pending());
    for (String f : rewritten) {
      Location file = d.resolve(f);
      if (!f.endsWith("/") && file.isFile()) {
        stamps.put(f, new Stamp(file.size(), file.modifiedMillis()));
        pending.remove(f);
      }
    }
    write(d, new OwnedFiles(OutputGuard.name(kind), Version.get(), sorted(files), stamps, pending));
  }

  /**
   * The record of {@code dir}, or null when it has none.
   *
   * @throws InputException when it cannot be read
   */
  @Nullable
  static OwnedFiles read(Location dir) throws IOException {
    Location f = dir.resolve(OutputGuard.OWNED);
    if (!f.isFile()) {
      return null;
    }
    try {
      OwnedFiles r = StageJson.MAPPER.readValue(f.readString(), OwnedFiles.class);
      if (r.kind() == null) {
        throw new IOException("no kind");
      }
      return r;
    } catch (IOException e) {
      throw new InputException(
          f.toString(),
          "unreadable record of what FaceSieve wrote here (" + e.getMessage() + ")",
          e);
    }
  }
}
