package dev.facesieve.datasets;

/**
 * Why a record was set aside instead of entering the dataset: by {@code prepare}, or, for {@link
 * #EMBEDDING_INVALID}, by {@code clean}.
 */
public enum QuarantineReason {
  /** The image bytes could not be decoded. */
  UNDECODABLE_IMAGE,
  /** The record has no image bytes. */
  EMPTY_IMAGE,
  /** The image declares more pixels than {@code --max-pixels} (decompression-bomb guard). */
  IMAGE_TOO_LARGE,
  /** A RecordIO record ends before its declared length, or its header is short. */
  TRUNCATED_RECORD,
  /** A RecordIO record does not start with the magic word {@code 0xCED7230A}. */
  BAD_MAGIC,
  /** A {@code .idx} offset points past the end of the {@code .rec} file. */
  OFFSET_PAST_EOF,
  /** The label is negative, not an integer, or not below the declared class count. */
  LABEL_OUT_OF_RANGE,
  /** A {@code .idx} key appears more than once; later occurrences are quarantined. */
  DUPLICATE_KEY,
  /** Landmarks were given but are not 10 finite numbers, or the alignment failed. */
  BAD_LANDMARKS,
  /** A file or row could not be read. */
  UNREADABLE,
  /**
   * The face's embedding has a value that is not finite, is all zeros or has another dimension than
   * the model's: {@code clean} neither keeps it nor judges it noise.
   */
  EMBEDDING_INVALID
}
