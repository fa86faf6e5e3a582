package dev.facesieve.datasets;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * A record that could not enter the dataset, with the reason and a human-readable message.
 *
 * <p>The original bytes are kept (up to {@link #MAX_KEPT_BYTES}) so that a person can inspect what
 * went wrong; larger payloads are dropped and {@code imageBytes} records their size. Of an
 * undecodable image only the first {@link #UNDECODABLE_KEPT_BYTES} are kept: enough to see what the
 * file is, without copying the contents of a file that may not be an image at all.
 */
public record QuarantineRecord(
    String id,
    SourceRef source,
    QuarantineReason reason,
    String message,
    @Nullable Integer label,
    @Nullable String identity,
    @Nullable byte[] image,
    long imageBytes,
    @Nullable NoiseKind truth) {

  /** Payloads above this size are not copied into the quarantine output. */
  public static final int MAX_KEPT_BYTES = 1 << 20;

  /** Of an {@link QuarantineReason#UNDECODABLE_IMAGE}, only this many leading bytes are kept. */
  public static final int UNDECODABLE_KEPT_BYTES = 4096;

  public QuarantineRecord {
    checkNotNull(id, "id");
    checkNotNull(source, "source");
    checkNotNull(reason, "reason");
    checkNotNull(message, "message");
  }

  /**
   * Builds a quarantine entry, keeping the bytes (or their head) only when they are small enough.
   */
  public static QuarantineRecord of(
      String id,
      SourceRef source,
      QuarantineReason reason,
      String message,
      @Nullable Integer label,
      @Nullable String identity,
      @Nullable byte[] image,
      @Nullable NoiseKind truth) {
    long n = image == null ? 0 : image.length;
    byte[] kept;
    if (image == null) {
      kept = null;
    } else if (reason == QuarantineReason.UNDECODABLE_IMAGE
        && image.length > UNDECODABLE_KEPT_BYTES) {
      kept = Arrays.copyOf(image, UNDECODABLE_KEPT_BYTES);
    } else {
      kept = image.length <= MAX_KEPT_BYTES ? image : null;
    }
    return new QuarantineRecord(id, source, reason, message, label, identity, kept, n, truth);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QuarantineRecord r
        && id.equals(r.id)
        && source.equals(r.source)
        && reason == r.reason
        && message.equals(r.message)
        && Objects.equals(label, r.label)
        && Objects.equals(identity, r.identity)
        && Arrays.equals(image, r.image)
        && imageBytes == r.imageBytes
        && truth == r.truth;
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, reason);
  }
}
