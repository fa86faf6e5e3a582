package dev.facesieve.datasets.input;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import javax.annotation.Nullable;

/**
 * What the driver learned about an input before any image is read.
 *
 * @param input the input as it was named: a path, or a URI for an input on a Hadoop file system
 * @param files the local input files whose size and hash go into the manifest (for image folders,
 *     the root only: per-image hashes are in the records)
 * @param identityNames label → identity name when known up front (folders, {@code identities.tsv});
 *     records of other labels are named by their label
 * @param skipped entries that are not records, by kind (e.g. {@code top_level_files}); counted, not
 *     read
 * @param remoteFiles the input files on a Hadoop file system ({@code hdfs://…}) whose size and hash
 *     go into the manifest, for an input named by a URI (for image folders, the root only); {@code
 *     files} is then empty
 * @param listingSha256 for an image folder, the SHA-256 of its listing as planned (the relative
 *     path and size of every planned image), which the manifest records instead of per-file hashes;
 *     null for other inputs
 */
public record InputPlan(
    InputFormat format,
    String input,
    List<InputShard> shards,
    List<Path> files,
    @Nullable Integer numClasses,
    SortedMap<Integer, String> identityNames,
    Map<String, Long> skipped,
    List<URI> remoteFiles,
    @Nullable String listingSha256) {

  /** The plan of an input that is not an image folder. */
  public InputPlan(
      InputFormat format,
      String input,
      List<InputShard> shards,
      List<Path> files,
      @Nullable Integer numClasses,
      SortedMap<Integer, String> identityNames,
      Map<String, Long> skipped,
      List<URI> remoteFiles) {
    this(format, input, shards, files, numClasses, identityNames, skipped, remoteFiles, null);
  }

  /**
   * Number of index entries or files the shards hold (before reading): for RecordIO every line of
   * the {@code .idx} file, metadata records included; 0 for Parquet, whose rows are counted from
   * the files' footers.
   */
  public long plannedRecords() {
    long n = 0;
    for (InputShard s : shards) {
      if (s instanceof InputShard.RecordIO r) {
        n += r.keys().length + r.duplicateKeys().length;
      } else if (s instanceof InputShard.Folder f) {
        n += f.entries().size();
      }
    }
    return n;
  }
}
