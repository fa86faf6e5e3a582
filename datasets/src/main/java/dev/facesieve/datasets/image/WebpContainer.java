package dev.facesieve.datasets.image;

import java.nio.charset.StandardCharsets;

/**
 * Checks that a WebP file's RIFF container holds the image data it declares, before it is decoded.
 *
 * <p>TwelveMonkeys' WebP reader decodes a VP8X header with no image chunk, or a VP8L header
 * followed by zero bytes, as an all-black image without a warning, and decodes some cut-short
 * lossless files to wrong pixels. So the container must hold all the bytes its RIFF size declares,
 * every chunk must end inside it, and there must be a VP8 or VP8L chunk (at the top level or in
 * each animation frame) holding more than its header, a VP8 chunk its whole first partition, and
 * not only zero bytes: no valid VP8L bitstream is all zeros (every prefix code would be empty), and
 * zeros in VP8 decode to a flat grey frame.
 */
final class WebpContainer {
  private WebpContainer() {}

  /** Bytes of a VP8L chunk before its bitstream: the signature and the packed size. */
  private static final int VP8L_HEADER = 5;

  /** Bytes of a VP8 key frame before its first partition: tag, start code and size. */
  private static final int VP8_HEADER = 10;

  /** Bytes of an ANMF chunk before the chunks of its frame. */
  private static final int ANMF_HEADER = 16;

  /**
   * Checks the container of {@code b}, which starts {@code RIFF....WEBP}.
   *
   * @throws ImageDecodeException if the data ends before the RIFF size or a chunk says, or no chunk
   *     holds image data
   */
  static void check(byte[] b) throws ImageDecodeException {
    long end = 8 + u32(b, 4);
    if (end > b.length) {
      throw new ImageDecodeException(
          "truncated webp: its RIFF header declares " + end + " bytes but there are " + b.length,
          false);
    }
    if (images(b, 12, (int) end, true) == 0) {
      throw new ImageDecodeException("webp holds no image data (no VP8 or VP8L chunk)", false);
    }
  }

  /**
   * Checks the chunks in {@code [from, to)} and counts those holding image data: VP8 and VP8L
   * chunks and, at the top level, animation frames.
   */
  private static int images(byte[] b, int from, int to, boolean topLevel)
      throws ImageDecodeException {
    int images = 0;
    long pos = from;
    while (pos + 8 <= to) {
      int at = (int) pos;
      String fourcc = new String(b, at, 4, StandardCharsets.US_ASCII);
      long size = u32(b, at + 4);
      if (pos + 8 + size > to) {
        throw new ImageDecodeException(
            "truncated webp: chunk '"
                + fourcc
                + "' at offset "
                + at
                + " declares "
                + size
                + " bytes, past the end of the data",
            false);
      }
      int data = at + 8;
      int len = (int) size;
      switch (fourcc) {
        case "VP8 " -> images += checkVp8(b, data, len);
        case "VP8L" -> images += checkBitstream(b, data, len, VP8L_HEADER, "VP8L");
        case "ANMF" -> {
          if (topLevel) {
            images += checkFrame(b, data, len, at);
          }
        }
        default -> {}
      }
      pos += 8 + size + (size & 1);
    }
    return images;
  }

  private static int checkFrame(byte[] b, int data, int len, int at) throws ImageDecodeException {
    if (len < ANMF_HEADER || images(b, data + ANMF_HEADER, data + len, false) == 0) {
      throw new ImageDecodeException(
          "webp animation frame at offset " + at + " holds no image data", false);
    }
    return 1;
  }

  /** A VP8 key frame must hold its first partition, whose size is in the frame tag. */
  private static int checkVp8(byte[] b, int data, int len) throws ImageDecodeException {
    checkBitstream(b, data, len, VP8_HEADER, "VP8");
    int tag = (b[data] & 0xff) | (b[data + 1] & 0xff) << 8 | (b[data + 2] & 0xff) << 16;
    int partition = tag >>> 5;
    if (partition == 0) {
      throw new ImageDecodeException(
          "webp holds no image data: its VP8 frame's first partition is empty", false);
    }
    if (VP8_HEADER + (long) partition > len) {
      throw new ImageDecodeException(
          "truncated webp: the VP8 frame's first partition of "
              + partition
              + " bytes runs past the end of its "
              + len
              + "-byte chunk",
          false);
    }
    return 1;
  }

  /** A bitstream chunk must hold more than its header, and not zero bytes only. */
  private static int checkBitstream(byte[] b, int data, int len, int header, String name)
      throws ImageDecodeException {
    if (len <= header) {
      throw new ImageDecodeException(
          "webp holds no image data: its " + len + "-byte " + name + " chunk is only a header",
          false);
    }
    for (int i = data + header; i < data + len; i++) {
      if (b[i] != 0) {
        return 1;
      }
    }
    throw new ImageDecodeException(
        "webp holds no image data: its " + name + " bitstream is zero bytes only", false);
  }

  private static long u32(byte[] b, int at) {
    return (b[at] & 0xffL)
        | (b[at + 1] & 0xffL) << 8
        | (b[at + 2] & 0xffL) << 16
        | (b[at + 3] & 0xffL) << 24;
  }
}
