package dev.facesieve.datasets;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.Serializable;

/**
 * Where a record came from: a file (as given on the command line or relative to the input root) and
 * a byte offset in it ({@code -1} when the record is a whole file, or a row index for Parquet
 * input, see {@link #offset()}).
 */
public record SourceRef(String file, long offset) implements Serializable {
  public SourceRef {
    checkNotNull(file, "file");
  }

  @Override
  public String toString() {
    return offset < 0 ? file : file + "@" + offset;
  }
}
