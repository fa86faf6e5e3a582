package dev.facesieve.datasets.input;

import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.QuarantineReason;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.SourceRef;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.datasets.recordio.IRHeader;
import dev.facesieve.datasets.recordio.RecordIOException;
import dev.facesieve.datasets.recordio.RecordIOReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.avro.generic.GenericRecord;

/**
 * Reads one {@link InputShard} and hands every record it holds to a {@link ShardSink}: as a {@link
 * RawFace} to check, or quarantined with a reason. Nothing is dropped silently.
 */
public final class ShardReader {
  private final Map<Integer, String> identityNames;

  /**
   * @param identityNames label → identity name for inputs whose records carry no names (RecordIO);
   *     other labels are named by their decimal label
   */
  public ShardReader(Map<Integer, String> identityNames) {
    this.identityNames = identityNames;
  }

  /**
   * Reads the shard. Only failures to read a Parquet file escape, as {@link IOException}; a {@code
   * .rec} file that cannot be opened quarantines each of the shard's entries.
   */
  public void read(InputShard shard, ShardSink sink) throws IOException {
    if (shard instanceof InputShard.RecordIO r) {
      readRecordIO(r, sink);
    } else if (shard instanceof InputShard.Folder f) {
      readFolder(f, sink);
    } else if (shard instanceof InputShard.Parquet p) {
      readParquet(p, sink);
    }
  }

  private String nameOf(int label) {
    String n = identityNames.get(label);
    return n != null ? n : Integer.toString(label);
  }

  private void readRecordIO(InputShard.RecordIO s, ShardSink sink) throws IOException {
    String idxName = s.recName().replaceFirst("\\.rec$", "") + ".idx";
    for (int i = 0; i < s.duplicateKeys().length; i++) {
      String id = Long.toString(s.duplicateKeys()[i]);
      sink.quarantine(
          QuarantineRecord.of(
              id,
              new SourceRef(s.recName(), s.duplicateOffsets()[i]),
              QuarantineReason.DUPLICATE_KEY,
              "key " + id + " appears more than once in " + idxName + "; the first is used",
              null,
              null,
              null,
              s.side().truthOf(id)));
    }
    RecordIOReader reader;
    try {
      reader = new RecordIOReader(Path.of(s.recFile()));
    } catch (IOException e) {
      // the file went away after planning: every entry is still accounted for
      for (int i = 0; i < s.keys().length; i++) {
        String id = Long.toString(s.keys()[i]);
        sink.quarantine(
            QuarantineRecord.of(
                id,
                new SourceRef(s.recName(), s.offsets()[i]),
                QuarantineReason.UNREADABLE,
                "cannot open " + s.recName() + ": " + e.getMessage(),
                null,
                null,
                null,
                s.side().truthOf(id)));
      }
      return;
    }
    try (reader) {
      for (int i = 0; i < s.keys().length; i++) {
        long key = s.keys()[i];
        String id = Long.toString(key);
        SourceRef src = new SourceRef(s.recName(), s.offsets()[i]);
        NoiseKind truth = s.side().truthOf(id);
        byte[] payload;
        try {
          payload = reader.read(s.offsets()[i]);
        } catch (RecordIOException e) {
          QuarantineReason reason =
              switch (e.kind()) {
                case OFFSET_PAST_EOF -> QuarantineReason.OFFSET_PAST_EOF;
                case BAD_MAGIC -> QuarantineReason.BAD_MAGIC;
                case TRUNCATED -> QuarantineReason.TRUNCATED_RECORD;
              };
          sink.quarantine(
              QuarantineRecord.of(id, src, reason, e.getMessage(), null, null, null, truth));
          continue;
        } catch (IOException e) {
          sink.quarantine(
              QuarantineRecord.of(
                  id,
                  src,
                  QuarantineReason.UNREADABLE,
                  "cannot read: " + e.getMessage(),
                  null,
                  null,
                  null,
                  truth));
          continue;
        }
        IRHeader.Unpacked u;
        try {
          u = IRHeader.unpack(payload);
        } catch (IllegalArgumentException e) {
          sink.quarantine(
              QuarantineRecord.of(
                  id,
                  src,
                  QuarantineReason.TRUNCATED_RECORD,
                  e.getMessage(),
                  null,
                  null,
                  payload,
                  truth));
          continue;
        }
        if (isMetadata(s, key, u)) {
          sink.metadata(key);
          continue;
        }
        float l = u.header().label();
        String bad = labelProblem(l, s.numClasses());
        if (bad != null) {
          sink.quarantine(
              QuarantineRecord.of(
                  id, src, QuarantineReason.LABEL_OUT_OF_RANGE, bad, null, null, u.image(), truth));
          continue;
        }
        int label = (int) l;
        sink.face(
            new RawFace(id, label, nameOf(label), u.image(), src, s.side().landmarksOf(id), truth));
      }
    }
  }

  /**
   * Whether a record is InsightFace metadata rather than an image: the header record (key 0, which
   * the planner found to be one) or an identity record (two labels, no image) at or past the
   * header's identity key. Anything else is an image record, whatever its key: im2rec's multi-label
   * records ({@code flag} labels after the header) are images whose class is the first label.
   */
  private static boolean isMetadata(InputShard.RecordIO s, long key, IRHeader.Unpacked u) {
    if (s.identityKeyStart() == Long.MAX_VALUE || u.image().length != 0) {
      return false;
    }
    return key == 0
        ? RecordIOPlanner.isHeader(u)
        : key >= s.identityKeyStart() - s.identityKeySlack() && u.header().flag() == 2;
  }

  /** Why a float label is unusable, or null when it is a valid class index. */
  @Nullable
  static String labelProblem(double label, @Nullable Integer numClasses) {
    if (!Double.isFinite(label) || label != Math.rint(label)) {
      return "label " + label + " is not an integer";
    }
    if (label < 0) {
      return "label " + (long) label + " is negative";
    }
    if (label > Integer.MAX_VALUE - 1 || (numClasses != null && label >= numClasses)) {
      return "label "
          + (long) label
          + " is not below the class count "
          + (numClasses == null ? Integer.MAX_VALUE : numClasses);
    }
    return null;
  }

  private void readFolder(InputShard.Folder s, ShardSink sink) {
    Path root = Path.of(s.root());
    for (InputShard.FolderEntry e : s.entries()) {
      SourceRef src = new SourceRef(e.relativePath(), -1);
      NoiseKind truth = s.side().truthOf(e.relativePath());
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(root.resolve(e.relativePath()));
      } catch (NoSuchFileException ex) {
        sink.quarantine(
            QuarantineRecord.of(
                e.relativePath(),
                src,
                QuarantineReason.UNREADABLE,
                "file disappeared after it was listed",
                e.label(),
                e.identity(),
                null,
                truth));
        continue;
      } catch (IOException ex) {
        sink.quarantine(
            QuarantineRecord.of(
                e.relativePath(),
                src,
                QuarantineReason.UNREADABLE,
                "cannot read: " + ex.getMessage(),
                e.label(),
                e.identity(),
                null,
                truth));
        continue;
      }
      sink.face(
          new RawFace(
              e.relativePath(),
              e.label(),
              e.identity(),
              bytes,
              src,
              s.side().landmarksOf(e.relativePath()),
              truth));
    }
  }

  private void readParquet(InputShard.Parquet s, ShardSink sink) throws IOException {
    ColumnMapping c = s.columns();
    long[] row = {s.firstRow()};
    ParquetFiles.read(
        Path.of(s.file()),
        s.start(),
        s.end(),
        (GenericRecord r) -> {
          long rowIndex = row[0]++;
          String id =
              c.id() != null && r.get(c.id()) != null
                  ? r.get(c.id()).toString()
                  : s.fileName() + "#" + rowIndex;
          SourceRef src = new SourceRef(s.fileName(), rowIndex);
          NoiseKind truth = s.side().truthOf(id);
          if (truth == null
              && c.truth() != null
              && r.getSchema().getField(c.truth()) != null
              && r.get(c.truth()) != null) {
            try {
              truth = NoiseKind.parse(r.get(c.truth()).toString());
            } catch (IllegalArgumentException e) {
              truth = null;
            }
          }
          Object img = r.get(c.image());
          if (img instanceof GenericRecord struct && struct.getSchema().getField("bytes") != null) {
            img = struct.get("bytes");
          }
          byte[] bytes = img == null ? new byte[0] : FaceSchemas.bytes(img);
          Object lv = r.get(c.label());
          Integer label = null;
          String bad;
          if (lv instanceof Number n) {
            bad = labelProblem(n.doubleValue(), s.numClasses());
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
          String identity =
              c.identity() != null
                      && r.getSchema().getField(c.identity()) != null
                      && r.get(c.identity()) != null
                  ? r.get(c.identity()).toString()
                  : nameOf(label);
          float[] lm = s.side().landmarksOf(id);
          if (lm == null
              && c.landmarks() != null
              && r.getSchema().getField(c.landmarks()) != null
              && r.get(c.landmarks()) instanceof List<?> l
              && l.size() == 10) {
            lm = new float[10];
            for (int i = 0; i < 10; i++) {
              lm[i] = ((Number) l.get(i)).floatValue();
            }
          }
          sink.face(new RawFace(id, label, identity, bytes, src, lm, truth));
        });
  }
}
