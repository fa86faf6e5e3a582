package dev.facesieve.datasets.input;

import dev.facesieve.datasets.QuarantineReason;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.SourceRef;
import dev.facesieve.datasets.parquet.ParquetFiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The limit on a Parquet row group's image bytes, applied from the footer before the group is read.
 *
 * <p>Parquet's reader holds a row group's column chunk in memory whole, so one group whose image
 * column is gigabytes (one huge image, or a writer's very large row groups) would exhaust the
 * worker's heap and lose the whole prepare; {@code --max-bytes} checks each image only after its
 * group is read. A group whose image column holds more than a quarter of the heap (and never more
 * than the largest array) is therefore not read: each of its rows is quarantined {@code
 * IMAGE_TOO_LARGE} with its place in the file (its id is unknown unread, so it is {@code
 * file#row}). Rewriting the file with smaller row groups reads it.
 */
final class ParquetRowGroups {
  private ParquetRowGroups() {}

  /** A quarter of the heap, and at most the largest array Java allocates. */
  static long defaultLimit() {
    return Math.min(ShardReader.LARGEST_MAX_BYTES, Runtime.getRuntime().maxMemory() / 4);
  }

  /**
   * The row groups of {@code file} whose middle lies in {@code [start, end)} (a shard's range,
   * {@code end} 0 for the whole file), with the bytes of the column {@code image}.
   */
  static List<ParquetFiles.ColumnInGroup> inShard(String file, String image, long start, long end)
      throws IOException {
    List<ParquetFiles.ColumnInGroup> out = new ArrayList<>();
    for (ParquetFiles.ColumnInGroup g : ParquetFiles.columnBytes(file, image)) {
      long mid = g.group().start() + g.group().length() / 2;
      if (end <= 0 || (mid >= start && mid < end)) {
        out.add(g);
      }
    }
    return out;
  }

  /** Quarantines every row of {@code g}, whose first row is {@code firstRow}, unread. */
  static void quarantineUnread(
      InputShard.Parquet s,
      ParquetFiles.ColumnInGroup g,
      long firstRow,
      long limit,
      ShardSink sink) {
    String why =
        "its row group holds "
            + g.columnBytes()
            + " bytes of images, more than the "
            + limit
            + " a worker may hold (a quarter of its heap); not read: write the file with smaller"
            + " row groups";
    for (long r = firstRow; r < firstRow + g.group().rows(); r++) {
      sink.quarantine(
          new QuarantineRecord(
              s.fileName() + "#" + r,
              new SourceRef(s.fileName(), r),
              QuarantineReason.IMAGE_TOO_LARGE,
              why,
              null,
              null,
              null,
              g.columnBytes(),
              null));
    }
  }
}
