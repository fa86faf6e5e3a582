package dev.facesieve.datasets.recordio;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * MXNet's image-record header ({@code mx.recordio.IRHeader}) and the payload that follows it.
 *
 * <p>Layout (little-endian, 24 bytes): {@code uint32 flag, float32 label, uint64 id, uint64 id2}.
 * When {@code flag > 0} the header's label field is unused and {@code flag} float32 labels follow
 * the header; the first of them is the class. Then come the image bytes (empty for InsightFace's
 * metadata records).
 *
 * @param labels the labels: one element when {@code flag == 0} (the header's label field), else the
 *     {@code flag} labels that follow the header
 */
public record IRHeader(int flag, float[] labels, long id, long id2) {
  /** Size of the fixed part of the header. */
  public static final int SIZE = 24;

  /** The most labels a header may announce; {@link #unpack} refuses more. */
  public static final int MAX_LABELS = (1 << 20) - 1;

  /**
   * The most bytes a header and its labels take: a record is at most this longer than its image.
   */
  public static final long MAX_SIZE = SIZE + 4L * MAX_LABELS;

  /** A header with a single scalar label stored in the header ({@code flag = 0}). */
  public static IRHeader scalar(float label, long id) {
    return new IRHeader(0, new float[] {label}, id, 0);
  }

  /** A header with {@code labels.length} labels stored after it ({@code flag = labels.length}). */
  public static IRHeader vector(float[] labels, long id) {
    checkArgument(labels.length > 0, "vector header needs labels");
    return new IRHeader(labels.length, labels.clone(), id, 0);
  }

  /** The class label (the first label). */
  public float label() {
    return labels[0];
  }

  /** Serialises the header, its labels and the image bytes into one record payload. */
  public byte[] pack(byte[] image) {
    int extra = flag > 0 ? 4 * flag : 0;
    ByteBuffer b = ByteBuffer.allocate(SIZE + extra + image.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(flag);
    b.putFloat(flag > 0 ? 0f : labels[0]);
    b.putLong(id);
    b.putLong(id2);
    if (flag > 0) {
      for (float l : labels) {
        b.putFloat(l);
      }
    }
    b.put(image);
    return b.array();
  }

  /** A parsed record payload: its header and the image bytes behind it. */
  public record Unpacked(IRHeader header, byte[] image) {}

  /**
   * Parses a record payload.
   *
   * @throws IllegalArgumentException if the payload is shorter than its header says
   */
  public static Unpacked unpack(byte[] payload) {
    checkArgument(
        payload.length >= SIZE,
        "record is %s bytes, shorter than its 24-byte header",
        payload.length);
    ByteBuffer b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
    int flag = b.getInt();
    float label = b.getFloat();
    long id = b.getLong();
    long id2 = b.getLong();
    float[] labels;
    if (flag > 0) {
      long need = SIZE + 4L * Integer.toUnsignedLong(flag);
      checkArgument(
          flag <= MAX_LABELS && payload.length >= need,
          "header announces %s labels but the record is %s bytes",
          Integer.toUnsignedLong(flag),
          payload.length);
      labels = new float[flag];
      for (int i = 0; i < flag; i++) {
        labels[i] = b.getFloat();
      }
    } else {
      labels = new float[] {label};
    }
    byte[] image = Arrays.copyOfRange(payload, b.position(), payload.length);
    return new Unpacked(new IRHeader(flag, labels, id, id2), image);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IRHeader h
        && flag == h.flag
        && id == h.id
        && id2 == h.id2
        && Arrays.equals(labels, h.labels);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(id) * 31 + flag;
  }
}
