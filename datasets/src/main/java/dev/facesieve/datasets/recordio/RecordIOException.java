package dev.facesieve.datasets.recordio;

import java.io.IOException;

/** A record that cannot be read from a RecordIO file, with what is wrong. */
public final class RecordIOException extends IOException {
  /** What is wrong with the record. */
  public enum Kind {
    OFFSET_PAST_EOF,
    BAD_MAGIC,
    TRUNCATED,
    /** Its chunk headers declare more bytes than the reader was allowed to read. */
    TOO_LARGE
  }

  private final Kind kind;
  private final long declaredLength;

  public RecordIOException(Kind kind, String message) {
    this(kind, message, -1);
  }

  /**
   * @param declaredLength the record's length as its chunk headers declare it, or -1 when unknown
   */
  public RecordIOException(Kind kind, String message, long declaredLength) {
    super(message);
    this.kind = kind;
    this.declaredLength = declaredLength;
  }

  public Kind kind() {
    return kind;
  }

  /** The record's length as its chunk headers declare it, or -1 when they were not all read. */
  public long declaredLength() {
    return declaredLength;
  }
}
