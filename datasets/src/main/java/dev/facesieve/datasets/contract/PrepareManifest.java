package dev.facesieve.datasets.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.io.LocalFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import javax.annotation.Nullable;

/**
 * {@code manifest.json}, the file that marks a finished {@code prepare} output: what was read, with
 * which options, what came out, and the data's fingerprint that later stages record.
 *
 * <p>Keys are alphabetical at every level (label-keyed maps in numeric label order), as the files
 * written before this record existed. {@code facesieve_version}, {@code input}, {@code options},
 * {@code outputs} and {@code runner} are absent, and {@code note} present, only in the stand-in
 * manifest that the scale benchmark writes for synthetic embeddings.
 *
 * @param identities labels with at least one prepared image
 * @param images images prepared (equal to {@code counts.prepared})
 * @param labels label → identity name of every prepared label
 */
@JsonPropertyOrder(alphabetic = true)
public record PrepareManifest(
    Counts counts,
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String facesieveVersion,
    String fingerprint,
    int identities,
    long images,
    SortedMap<Integer, Long> imagesPerLabel,
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Input input,
    SortedMap<Integer, String> labels,
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String note,
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Options options,
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Outputs outputs,
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String runner,
    String stage) {

  /** The file name inside a prepare output folder. */
  public static final String FILE = "manifest.json";

  /** The value of {@code stage}. */
  public static final String STAGE = "prepare";

  /**
   * Records read, prepared and quarantined (by reason), aligned, RecordIO metadata records seen,
   * and ground-truth kinds of every record read.
   */
  @JsonPropertyOrder(alphabetic = true)
  public record Counts(
      long aligned,
      long metadataRecords,
      long prepared,
      long quarantined,
      SortedMap<String, Long> quarantinedByReason,
      long read,
      SortedMap<String, Long> truth) {}

  /**
   * The input as planned.
   *
   * @param skipped entries that are not records, by kind (see {@code InputPlan#skipped})
   */
  @JsonPropertyOrder(alphabetic = true)
  public record Input(
      List<InputFile> files,
      String format,
      String path,
      long plannedRecords,
      int shards,
      SortedMap<String, Long> skipped) {}

  /**
   * One input file with its size and hash, or an image folder with a hash of its listing (relative
   * path and size of every planned image).
   */
  @JsonPropertyOrder(alphabetic = true)
  public record InputFile(
      @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Long bytes,
      @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String listingSha256,
      String path,
      @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String sha256) {

    public static InputFile ofFile(String path, long bytes, String sha256) {
      return new InputFile(bytes, null, path, sha256);
    }

    public static InputFile ofFolder(String path, String listingSha256) {
      return new InputFile(null, listingSha256, path, null);
    }
  }

  /**
   * The options that decide the output.
   *
   * <p>Keys are spelled out because {@code facesieve run} also hashes this record, with a mapper
   * that has no naming strategy, into the prepare stage's key.
   *
   * @param columns the Parquet column mapping as {@code ColumnMapping#toString()}
   * @param landmarks absolute path of the landmarks file, or null
   * @param maxBytes {@code --max-bytes}; null (and left out, so that their bytes and fingerprint
   *     stay as they were) in manifests written before the option existed
   * @param truth absolute path of the truth file given, or null (a {@code truth.csv} found beside
   *     the input is not an option)
   */
  @JsonPropertyOrder(alphabetic = true)
  public record Options(
      @JsonProperty("align") boolean align,
      @JsonProperty("columns") String columns,
      @JsonProperty("format") String format,
      @JsonProperty("landmarks") @Nullable String landmarks,
      @JsonProperty("max_bytes") @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Long maxBytes,
      @JsonProperty("max_pixels") long maxPixels,
      @JsonProperty("shard_size") int shardSize,
      @JsonProperty("truth") @Nullable String truth) {}

  /** The Parquet files written, per output folder. */
  @JsonPropertyOrder(alphabetic = true)
  public record Outputs(List<OutputFile> faces, List<OutputFile> quarantine) {}

  /**
   * One written Parquet file.
   *
   * @param file path relative to the prepare output folder
   */
  @JsonPropertyOrder(alphabetic = true)
  public record OutputFile(long bytes, String file, long rows) {}

  /**
   * The data's fingerprint: SHA-256 of the JSON of the input files, the options and the version.
   *
   * <p>The outputs are a function of these, so later stages record this hash instead of hashing
   * gigabytes of Parquet. The JSON text is that of the list {@code [files, options, version]}.
   */
  public static String fingerprint(List<InputFile> files, Options options, String version) {
    return LocalFiles.sha256(StageJson.write(List.of(files, options, version)));
  }

  /**
   * Reads {@code manifest.json} of a prepare output folder.
   *
   * @throws InputException when the folder has no manifest (an unfinished or foreign folder) or it
   *     cannot be read
   */
  public static PrepareManifest read(Path preparedDir) {
    Path file = preparedDir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new InputException(
          preparedDir, "not a finished 'facesieve prepare' output (no manifest.json)");
    }
    try {
      return StageJson.read(file, PrepareManifest.class);
    } catch (IOException e) {
      throw new InputException(file, "cannot read: " + e.getMessage(), e);
    }
  }
}
