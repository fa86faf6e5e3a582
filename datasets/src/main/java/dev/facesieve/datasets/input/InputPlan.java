package dev.facesieve.datasets.input;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import javax.annotation.Nullable;

/**
 * What the driver learned about an input before any image is read.
 *
 * @param files the input files whose size and hash go into the manifest (for image folders, the
 *     root only: per-image hashes are in the records)
 * @param identityNames label → identity name when known up front (folders, {@code identities.tsv});
 *     records of other labels are named by their label
 * @param skipped entries that are not records, by kind (e.g. {@code top_level_files}); counted, not
 *     read
 */
public record InputPlan(
    InputFormat format,
    Path input,
    List<InputShard> shards,
    List<Path> files,
    @Nullable Integer numClasses,
    SortedMap<Integer, String> identityNames,
    Map<String, Long> skipped) {

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
