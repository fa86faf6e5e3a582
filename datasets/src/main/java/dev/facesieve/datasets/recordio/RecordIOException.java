package dev.facesieve.datasets.recordio;

import java.io.IOException;

/** A record that cannot be read from a RecordIO file, with what is wrong. */
public final class RecordIOException extends IOException {
  /** What is wrong with the record. */
  public enum Kind {
    OFFSET_PAST_EOF,
    BAD_MAGIC,
    TRUNCATED
  }

  private final Kind kind;

  public RecordIOException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
