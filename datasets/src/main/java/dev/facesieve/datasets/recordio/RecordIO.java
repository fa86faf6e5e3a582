package dev.facesieve.datasets.recordio;

/**
 * Constants and helpers of dmlc-core's RecordIO framing, as used by MXNet and InsightFace.
 *
 * <p>Each chunk on disk is {@code uint32 magic, uint32 lrec, payload, zero padding to 4 bytes},
 * little-endian, with {@code lrec = cflag << 29 | length}. The writer splits a record wherever the
 * magic word occurs 4-byte aligned inside the payload: the pieces are chunks with cflag 1 (first),
 * 2 (middle) and 3 (last), the magic word itself is dropped and the reader puts it back between
 * pieces. A record that needs no split is a single chunk with cflag 0.
 */
public final class RecordIO {
  private RecordIO() {}

  /** The magic word {@code 0xCED7230A}. */
  public static final int MAGIC = 0xCED7230A;

  /** Records must be shorter than 2^29 bytes (the length field has 29 bits). */
  public static final int MAX_LENGTH = (1 << 29) - 1;

  static int encodeLrec(int cflag, int length) {
    return (cflag << 29) | length;
  }

  static int cflag(int lrec) {
    return (lrec >>> 29) & 7;
  }

  static int length(int lrec) {
    return lrec & MAX_LENGTH;
  }

  static int pad4(int n) {
    return (n + 3) & ~3;
  }
}
