package dev.facesieve.datasets.input;

import static com.google.common.base.Preconditions.checkArgument;

import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.QuarantineReason;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.SourceRef;
import dev.facesieve.datasets.recordio.IRHeader;
import dev.facesieve.datasets.recordio.RecordIOException;
import dev.facesieve.datasets.recordio.RecordIOReader;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * Reads one {@link InputShard} and hands every record it holds to a {@link ShardSink}: as a {@link
 * RawFace} to check, or quarantined with a reason. Nothing is dropped silently.
 */
public final class ShardReader {
  /**
   * Image files, Parquet images and RecordIO images larger than this many bytes (20 MB) are
   * quarantined as {@code IMAGE_TOO_LARGE} unless told otherwise. Files are not read at all, nor
   * RecordIO records whose chunk headers declare more than this plus the largest image header.
   */
  public static final long DEFAULT_MAX_BYTES = 20_000_000L;

  /** The largest byte limit a reader accepts: the largest array Java allocates. */
  public static final long LARGEST_MAX_BYTES = Integer.MAX_VALUE - 8;

  private final Map<Integer, String> identityNames;
  private final long maxBytes;
  private long rowGroupLimit;

  /** A reader with the {@link #DEFAULT_MAX_BYTES} limit. */
  public ShardReader(Map<Integer, String> identityNames) {
    this(identityNames, DEFAULT_MAX_BYTES);
  }

  /**
   * @param identityNames label → identity name for inputs whose records carry no names (RecordIO);
   *     other labels are named by their decimal label
   * @param maxBytes image files, Parquet images and RecordIO images larger than this are
   *     quarantined
   */
  public ShardReader(Map<Integer, String> identityNames, long maxBytes) {
    checkArgument(
        maxBytes > 0 && maxBytes <= LARGEST_MAX_BYTES,
        "--max-bytes must be between 1 and %s, got %s",
        LARGEST_MAX_BYTES,
        maxBytes);
    this.identityNames = identityNames;
    this.maxBytes = maxBytes;
    this.rowGroupLimit = ParquetShardReader.defaultRowGroupLimit();
  }

  /** A reader whose Parquet row groups of more image bytes than {@code rowGroupLimit} go unread. */
  ShardReader(Map<Integer, String> identityNames, long maxBytes, long rowGroupLimit) {
    this(identityNames, maxBytes);
    checkArgument(rowGroupLimit > 0, "row group limit must be > 0, got %s", rowGroupLimit);
    this.rowGroupLimit = rowGroupLimit;
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
      new ParquetShardReader(maxBytes, rowGroupLimit, this::nameOf).read(p, sink);
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
      reader = RecordIOReader.open(s.recFile());
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
          // the limit applies from the chunk headers: a larger record is never read
          payload = reader.read(s.offsets()[i], maxBytes + IRHeader.MAX_SIZE);
        } catch (RecordIOException e) {
          sink.quarantine(unreadRecord(id, src, e, truth));
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
        if (u.image().length > maxBytes) {
          sink.quarantine(
              new QuarantineRecord(
                  id,
                  src,
                  QuarantineReason.IMAGE_TOO_LARGE,
                  "image of " + tooLarge(u.image().length),
                  null,
                  null,
                  null,
                  u.image().length,
                  truth));
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
            new RawFace(
                id,
                label,
                nameOf(label),
                u.image(),
                src,
                s.side().landmarksOf(id),
                truth,
                s.side().trueIdentityOf(id),
                s.side().trueDuplicateOf(id)));
      }
    }
  }

  /** The quarantine entry of a record that the RecordIO reader refused. */
  private QuarantineRecord unreadRecord(
      String id, SourceRef src, RecordIOException e, @Nullable NoiseKind truth) {
    QuarantineReason reason =
        switch (e.kind()) {
          case OFFSET_PAST_EOF -> QuarantineReason.OFFSET_PAST_EOF;
          case BAD_MAGIC -> QuarantineReason.BAD_MAGIC;
          case TRUNCATED -> QuarantineReason.TRUNCATED_RECORD;
          case TOO_LARGE -> QuarantineReason.IMAGE_TOO_LARGE;
        };
    if (reason == QuarantineReason.IMAGE_TOO_LARGE) {
      String message =
          "record of " + tooLarge(e.declaredLength()) + " (from its chunk headers); not read";
      return new QuarantineRecord(
          id, src, reason, message, null, null, null, e.declaredLength(), truth);
    }
    return QuarantineRecord.of(id, src, reason, e.getMessage(), null, null, null, truth);
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
    FolderFiles files = null;
    String realRoot = null;
    String rootProblem = null;
    try {
      files = FolderFiles.of(s.root());
      realRoot = files.realRoot();
    } catch (IOException ex) {
      rootProblem = "cannot resolve the input folder: " + ex.getMessage();
    }
    for (InputShard.FolderEntry e : s.entries()) {
      SourceRef src = new SourceRef(e.relativePath(), -1);
      NoiseKind truth = s.side().truthOf(e.relativePath());
      byte[] bytes;
      try {
        if (rootProblem != null) {
          throw new NotRead(QuarantineReason.UNREADABLE, rootProblem, 0);
        }
        bytes = readInside(files, realRoot, e.relativePath());
      } catch (NotRead ex) {
        sink.quarantine(
            new QuarantineRecord(
                e.relativePath(),
                src,
                ex.reason,
                ex.getMessage(),
                e.label(),
                e.identity(),
                null,
                ex.size,
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
              truth,
              s.side().trueIdentityOf(e.relativePath()),
              s.side().trueDuplicateOf(e.relativePath())));
    }
  }

  /** Why a file was not read: its quarantine reason, a message and its size when known. */
  private static final class NotRead extends Exception {
    final QuarantineReason reason;
    final long size;

    NotRead(QuarantineReason reason, String message, long size) {
      super(message, null, false, false);
      this.reason = reason;
      this.size = size;
    }
  }

  /**
   * Reads an image file whose real path lies inside {@code realRoot}, is a regular file and holds
   * at most {@code maxBytes}, on a local disk or a Hadoop file system alike.
   *
   * <p>The checks come before the file is opened: opening a FIFO blocks until a writer appears, and
   * a link may lead anywhere (a secret, {@code /dev/zero}, another file system). The read itself
   * stops after {@code maxBytes + 1} bytes, so a file that grows after the check cannot exhaust the
   * heap either.
   */
  private byte[] readInside(FolderFiles files, String realRoot, String relativePath)
      throws NotRead {
    FolderFiles.Found f;
    try {
      f = files.find(relativePath);
    } catch (IOException ex) {
      throw new NotRead(QuarantineReason.UNREADABLE, "cannot resolve: " + ex.getMessage(), 0);
    }
    if (f.kind() == FolderFiles.Kind.MISSING) {
      String problem =
          f.link() == null
              ? "file disappeared after it was listed"
              : f.link().isEmpty()
                  ? "link to a missing file"
                  : "link to a missing file: " + f.link();
      throw new NotRead(QuarantineReason.UNREADABLE, problem, 0);
    }
    if (!FolderFiles.inside(realRoot, f.real())) {
      throw new NotRead(
          QuarantineReason.UNREADABLE,
          "links to " + f.real() + ", outside the input folder " + realRoot + "; not read",
          0);
    }
    if (f.kind() != FolderFiles.Kind.FILE) {
      String kind = f.kind() == FolderFiles.Kind.FOLDER ? "a folder" : "a FIFO, socket or device";
      throw new NotRead(
          QuarantineReason.UNREADABLE, "not a regular file (" + kind + "); not read", 0);
    }
    if (f.size() > maxBytes) {
      throw new NotRead(
          QuarantineReason.IMAGE_TOO_LARGE,
          "file of " + tooLarge(f.size()) + "; not read",
          f.size());
    }
    byte[] bytes;
    try (InputStream in = files.open(f)) {
      bytes = in.readNBytes((int) maxBytes + 1);
    } catch (IOException ex) {
      throw new NotRead(QuarantineReason.UNREADABLE, "cannot read: " + ex.getMessage(), 0);
    }
    if (bytes.length > maxBytes) {
      throw new NotRead(
          QuarantineReason.IMAGE_TOO_LARGE,
          "file grew past --max-bytes " + maxBytes + " while it was read; not kept",
          bytes.length);
    }
    return bytes;
  }

  private String tooLarge(long size) {
    return tooLarge(size, maxBytes);
  }

  /** How a size over the limit is worded in a quarantine record's message. */
  static String tooLarge(long size, long maxBytes) {
    return size + " bytes, over --max-bytes " + maxBytes;
  }
}
