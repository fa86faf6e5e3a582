package dev.facesieve.datasets.input;

import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.QuarantineReason;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.SourceRef;
import dev.facesieve.datasets.parquet.ParquetFiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import javax.annotation.Nullable;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;

/**
 * Reads a Parquet shard's rows into faces (by the shard's column mapping) or quarantine records.
 *
 * <p>Parquet's reader holds a row group's column chunk in memory whole, so one group whose image
 * column is gigabytes (one huge image, or a writer's very large row groups) would exhaust the
 * worker's heap and lose the whole prepare; {@code --max-bytes} checks each image only after its
 * group is read. A group whose image column holds more than a quarter of the heap (and never more
 * than the largest array) is therefore not read: each of its rows is quarantined {@code
 * IMAGE_TOO_LARGE} with its place in the file (its id is unknown unread, so it is {@code
 * file#row}). Rewriting the file with smaller row groups reads it.
 */
final class ParquetShardReader {
  private final long maxBytes;
  private final long rowGroupLimit;
  private final IntFunction<String> nameOf;

  /**
   * @param maxBytes images of more bytes are quarantined {@code IMAGE_TOO_LARGE}
   * @param rowGroupLimit row groups of more image bytes are quarantined unread
   * @param nameOf a label's identity name, for rows without an identity column
   */
  ParquetShardReader(long maxBytes, long rowGroupLimit, IntFunction<String> nameOf) {
    this.maxBytes = maxBytes;
    this.rowGroupLimit = rowGroupLimit;
    this.nameOf = nameOf;
  }

  /** A column's value, or null when the column is not named or not in the file. */
  @Nullable
  private static Object column(GenericRecord r, @Nullable String name) {
    return name != null && r.getSchema().getField(name) != null ? r.get(name) : null;
  }

  /**
   * Reads a Parquet shard, except its row groups whose image column holds more bytes than a worker
   * may hold: their rows are quarantined unread.
   */
  void read(InputShard.Parquet s, ShardSink sink) throws IOException {
    List<ParquetFiles.ColumnInGroup> groups =
        inShard(s.file(), s.columns().image(), s.start(), s.end());
    if (groups.stream().allMatch(g -> g.columnBytes() <= rowGroupLimit)) {
      readParquetRows(s, s.start(), s.end(), s.firstRow(), sink);
      return;
    }
    long row = s.firstRow();
    for (ParquetFiles.ColumnInGroup g : groups) {
      ParquetFiles.RowGroup rg = g.group();
      if (g.columnBytes() > rowGroupLimit) {
        quarantineUnread(s, g, row, rowGroupLimit, sink);
      } else {
        readParquetRows(s, rg.start(), rg.start() + rg.length(), row, sink);
      }
      row += rg.rows();
    }
  }

  /** Reads the rows of the row groups whose middle lies in {@code [start, end)}. */
  private void readParquetRows(
      InputShard.Parquet s, long start, long end, long firstRow, ShardSink sink)
      throws IOException {
    ColumnMapping c = s.columns();
    long[] row = {firstRow};
    ParquetFiles.read(
        s.file(),
        start,
        end,
        (GenericRecord r) -> {
          long rowIndex = row[0]++;
          Object idValue = column(r, c.id());
          String id = idValue != null ? idValue.toString() : s.fileName() + "#" + rowIndex;
          SourceRef src = new SourceRef(s.fileName(), rowIndex);
          // a truth file naming the record wins over the file's own truth columns
          NoiseKind truth = s.side().truthOf(id);
          String trueIdentity = s.side().trueIdentityOf(id);
          String trueDuplicateOf = s.side().trueDuplicateOf(id);
          if (truth == null) {
            if (column(r, c.truth()) != null) {
              try {
                truth = NoiseKind.parse(column(r, c.truth()).toString());
              } catch (IllegalArgumentException e) {
                truth = null;
              }
            }
            Object trueIdentityValue = column(r, c.trueIdentity());
            trueIdentity = trueIdentityValue == null ? null : trueIdentityValue.toString();
            Object copyOfValue = column(r, c.trueDuplicateOf());
            trueDuplicateOf = copyOfValue == null ? null : copyOfValue.toString();
          }
          Object img = r.get(c.image());
          if (img instanceof GenericRecord struct && struct.getSchema().getField("bytes") != null) {
            img = struct.get("bytes");
          }
          byte[] bytes =
              img == null
                  ? new byte[0]
                  : img instanceof GenericFixed fixed ? fixed.bytes() : FaceSchemas.bytes(img);
          if (bytes.length > maxBytes) {
            sink.quarantine(
                new QuarantineRecord(
                    id,
                    src,
                    QuarantineReason.IMAGE_TOO_LARGE,
                    "image of " + ShardReader.tooLarge(bytes.length, maxBytes),
                    null,
                    null,
                    null,
                    bytes.length,
                    truth));
            return;
          }
          Object lv = r.get(c.label());
          Integer label = null;
          String bad;
          if (lv instanceof Number n) {
            bad = ShardReader.labelProblem(n.doubleValue(), s.numClasses());
            label = bad == null ? n.intValue() : null;
          } else {
            bad =
                "label column '" + c.label() + "' holds " + (lv == null ? "null" : "a non-number");
          }
          if (bad != null) {
            sink.quarantine(
                QuarantineRecord.of(
                    id, src, QuarantineReason.LABEL_OUT_OF_RANGE, bad, null, null, bytes, truth));
            return;
          }
          Object identityValue = column(r, c.identity());
          String identity = identityValue != null ? identityValue.toString() : nameOf.apply(label);
          float[] lm = s.side().landmarksOf(id);
          if (lm == null
              && column(r, c.landmarks()) instanceof List<?> l
              && l.size() == 10
              && l.stream().allMatch(Number.class::isInstance)) {
            lm = new float[10];
            for (int i = 0; i < 10; i++) {
              lm[i] = ((Number) l.get(i)).floatValue();
            }
          }
          sink.face(
              new RawFace(
                  id, label, identity, bytes, src, lm, truth, trueIdentity, trueDuplicateOf));
        });
  }

  /** A quarter of the heap, and at most the largest array Java allocates. */
  static long defaultRowGroupLimit() {
    return Math.min(ShardReader.LARGEST_MAX_BYTES, Runtime.getRuntime().maxMemory() / 4);
  }

  /**
   * The row groups of {@code file} whose middle lies in {@code [start, end)} (a shard's range,
   * {@code end} 0 for the whole file), with the bytes of the column {@code image}.
   */
  private static List<ParquetFiles.ColumnInGroup> inShard(
      String file, String image, long start, long end) throws IOException {
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
  private static void quarantineUnread(
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
