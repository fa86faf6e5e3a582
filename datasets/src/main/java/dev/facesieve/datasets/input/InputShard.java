package dev.facesieve.datasets.input;

import java.io.Serializable;
import java.util.List;
import javax.annotation.Nullable;

/**
 * A slice of an input that one worker reads on its own: a range of {@code .idx} entries, a group of
 * image files, or a range of Parquet row groups. Shards are planned by {@link InputPlanner} on the
 * driver and carry everything their reader needs, so they can be shuffled to any worker.
 */
public sealed interface InputShard extends Serializable
    permits InputShard.RecordIO, InputShard.Folder, InputShard.Parquet {

  /** Side-file facts for this shard's records. */
  SideInfo side();

  /** A short description for logs and errors. */
  String describe();

  /**
   * {@code .idx} entries {@code keys[i] → offsets[i]} of one {@code .rec} file.
   *
   * @param recFile path of the {@code .rec} file, or its URI on a Hadoop file system ({@code
   *     hdfs://…}), read there through {@link dev.facesieve.datasets.recordio.RecordIOReader#open}
   * @param recName the name recorded in {@code source.file}
   * @param numClasses the class count from {@code property}, or null when unknown
   * @param identityKeyStart first key of InsightFace identity records as record 0 declares it
   *     ({@code Long.MAX_VALUE} when the file has no header record); every key is read and a record
   *     is metadata only by its content, see {@link ShardReader}
   * @param identityKeySlack how far from {@code identityKeyStart} the float32 bound may be off
   * @param duplicateKeys keys of entries whose key appeared earlier in the index, quarantined as
   *     {@code DUPLICATE_KEY} (plain arrays: the shard is Java-serialised)
   * @param duplicateOffsets the offsets of those entries
   */
  record RecordIO(
      String recFile,
      String recName,
      long[] keys,
      long[] offsets,
      @Nullable Integer numClasses,
      long identityKeyStart,
      long identityKeySlack,
      long[] duplicateKeys,
      long[] duplicateOffsets,
      SideInfo side)
      implements InputShard {
    @Override
    public String describe() {
      return recName + " keys " + (keys.length == 0 ? "-" : keys[0] + ".." + keys[keys.length - 1]);
    }
  }

  /**
   * Image files under {@code root}, each with its label and identity.
   *
   * @param root the folder's absolute local path, or its URI on a Hadoop file system ({@code
   *     hdfs://…}), read there through Hadoop's {@code FileSystem}
   */
  record Folder(String root, List<FolderEntry> entries, SideInfo side) implements InputShard {
    @Override
    public String describe() {
      return root + " (" + entries.size() + " files from " + entries.get(0).relativePath() + ")";
    }
  }

  /** One image file of an identity folder. */
  record FolderEntry(String relativePath, int label, String identity) implements Serializable {}

  /**
   * The row groups of one Parquet file whose middle lies in {@code [start, end)}.
   *
   * @param firstRow index in the file of the first row of this range (for ids of foreign files)
   */
  record Parquet(
      String file,
      String fileName,
      long start,
      long end,
      long firstRow,
      ColumnMapping columns,
      @Nullable Integer numClasses,
      SideInfo side)
      implements InputShard {
    @Override
    public String describe() {
      return fileName + " rows from " + firstRow;
    }
  }
}
