package dev.facesieve.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.facesieve.model.EmbedderKey;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * The record of an embedding store, {@code DIR.json} beside it ({@link EmbeddingCache}); keys
 * alphabetical as the record has always been written.
 *
 * @param kind always {@code embeddings}: tells this record from a user's JSON file
 * @param embedder what embedded them (the ONNX file or the model folder), for people
 * @param embedderSha256 {@link EmbedderKey#sha256()}; null while the files are being replaced
 * @param files the files FaceSieve wrote in the folder
 * @param contents each file's size, rows and SHA-256 as written: a store whose files differ is
 *     rebuilt, never decided on (null while the files are being replaced)
 * @param rows the embeddings in the store
 * @param dimension the values of each embedding
 */
@JsonPropertyOrder(alphabetic = true)
record StoreRecord(
    @Nullable String kind,
    @Nullable String embedder,
    @Nullable String embedderSha256,
    @Nullable String dataFingerprint,
    @Nullable String facesieveVersion,
    @Nullable List<String> files,
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Map<String, StoredFile> contents,
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Long rows,
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Integer dimension) {

  /** One store file as it was written. */
  @JsonPropertyOrder(alphabetic = true)
  record StoredFile(long bytes, long rows, String sha256) {}

  /**
   * Whether the store can be reused: {@code why} is null when it can, or when there is nothing to
   * reuse ({@code empty}); otherwise it says, for the console, why it is rebuilt.
   */
  record Reuse(boolean reusable, boolean empty, @Nullable String why) {
    static final Reuse YES = new Reuse(true, false, null);
    static final Reuse EMPTY = new Reuse(false, true, null);

    static Reuse no(String why) {
      return new Reuse(false, false, why);
    }
  }

  /**
   * Whether the folder holds embeddings of this embedder for the data with this fingerprint, with
   * every file as it was written (size and SHA-256, so a store whose rows were shuffled or cut is
   * rebuilt) and vectors of {@code dimension} values.
   */
  Reuse check(Location dir, EmbedderKey embedder, String dataFingerprint, int dimension)
      throws IOException {
    StoreRecord m = this;
    if (m.files() == null || m.files().isEmpty()) {
      return Reuse.EMPTY;
    }
    if (!embedder.sha256().equals(m.embedderSha256())) {
      return Reuse.no("it holds another model's embeddings");
    }
    if (!dataFingerprint.equals(m.dataFingerprint())) {
      return Reuse.no("it holds embeddings of other data");
    }
    if (m.contents() == null || m.dimension() == null) {
      return Reuse.no("its record has no hashes of its files (written by an earlier FaceSieve)");
    }
    if (m.dimension() != dimension) {
      return Reuse.no(
          "its vectors have " + m.dimension() + " values and the model's have " + dimension);
    }
    for (String f : m.files()) {
      String why = changed(dir.resolve(f), m.contents().get(f));
      if (why != null) {
        return Reuse.no(f + " " + why);
      }
    }
    return Reuse.YES;
  }

  /** What differs between a store file and its record, or null when nothing does. */
  @Nullable
  private static String changed(Location file, @Nullable StoredFile recorded) throws IOException {
    if (recorded == null) {
      return "is not in the record's hashes";
    }
    if (!file.isFile()) {
      return "is missing";
    }
    long bytes = file.size();
    if (bytes != recorded.bytes()) {
      return "has " + bytes + " bytes where " + recorded.bytes() + " were written";
    }
    if (!file.sha256().equals(recorded.sha256())) {
      return "changed since it was written (its SHA-256 differs)";
    }
    return null;
  }
}
