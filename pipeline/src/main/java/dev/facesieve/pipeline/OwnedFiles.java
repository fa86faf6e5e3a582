package dev.facesieve.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.annotation.Nullable;

/**
 * {@code .facesieve-owned.json}: the kind of output a folder is and every entry FaceSieve wrote in
 * it; FaceSieve deletes nothing else there.
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
record OwnedFiles(
    String kind,
    @Nullable String facesieveVersion,
    List<String> files,
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable SortedMap<String, Stamp> stamps,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) @Nullable List<String> pending) {
  OwnedFiles {
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
}
