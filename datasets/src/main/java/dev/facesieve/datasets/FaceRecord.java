package dev.facesieve.datasets;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * One labelled face image as it flows through FaceSieve and is stored in Parquet ({@link
 * FaceSchemas#FACE}).
 *
 * <p>{@code image} holds the original encoded bytes; they are only re-encoded when {@code prepare
 * --align} warped the face. {@code id} is stable across runs: the {@code .idx} key as a decimal
 * string for RecordIO input, the path relative to the root for image folders.
 *
 * @param landmarks five (x, y) points, eyes, nose tip, mouth corners, as {@code x1,y1,...,x5,y5}
 * @param truth ground-truth noise kind when the collection is synthetic or noise-injected
 * @param trueIdentity the identity the image really shows, when the ground truth names it: {@code
 *     identity} for a clean face, another identity of the collection for close-set noise, one
 *     outside it for open-set noise. A face relabelled to another class is right exactly when the
 *     new class's identity equals this.
 * @param trueDuplicateOf the id of the face this image is a copy of, when the ground truth says it
 *     is one; two faces are the same picture when one is a copy of the other or both copy the same
 *     face
 */
public record FaceRecord(
    String id,
    int label,
    String identity,
    byte[] image,
    String format,
    int width,
    int height,
    String sha256,
    SourceRef source,
    @Nullable float[] landmarks,
    @Nullable NoiseKind truth,
    @Nullable String trueIdentity,
    @Nullable String trueDuplicateOf) {

  public FaceRecord {
    checkNotNull(id, "id");
    checkNotNull(identity, "identity");
    checkNotNull(image, "image");
    checkNotNull(format, "format");
    checkNotNull(sha256, "sha256");
    checkNotNull(source, "source");
    checkArgument(landmarks == null || landmarks.length == 10, "landmarks must hold 10 floats");
  }

  /** A copy with another label and identity (used when labels are remapped). */
  public FaceRecord withLabel(int newLabel, String newIdentity) {
    return new FaceRecord(
        id,
        newLabel,
        newIdentity,
        image,
        format,
        width,
        height,
        sha256,
        source,
        landmarks,
        truth,
        trueIdentity,
        trueDuplicateOf);
  }

  /** A copy whose image was replaced (alignment), with the new format, size and hash. */
  public FaceRecord withImage(byte[] newImage, String newFormat, int w, int h, String hash) {
    return new FaceRecord(
        id,
        label,
        identity,
        newImage,
        newFormat,
        w,
        h,
        hash,
        source,
        null,
        truth,
        trueIdentity,
        trueDuplicateOf);
  }

  /** A copy carrying a ground-truth kind and true identity. */
  public FaceRecord withTruth(@Nullable NoiseKind kind, @Nullable String newTrueIdentity) {
    return new FaceRecord(
        id,
        label,
        identity,
        image,
        format,
        width,
        height,
        sha256,
        source,
        landmarks,
        kind,
        newTrueIdentity,
        trueDuplicateOf);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FaceRecord r
        && label == r.label
        && width == r.width
        && height == r.height
        && id.equals(r.id)
        && identity.equals(r.identity)
        && Arrays.equals(image, r.image)
        && format.equals(r.format)
        && sha256.equals(r.sha256)
        && source.equals(r.source)
        && Arrays.equals(landmarks, r.landmarks)
        && truth == r.truth
        && Objects.equals(trueIdentity, r.trueIdentity)
        && Objects.equals(trueDuplicateOf, r.trueDuplicateOf);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, label, sha256);
  }

  @Override
  public String toString() {
    return "FaceRecord{id="
        + id
        + ", label="
        + label
        + ", identity="
        + identity
        + ", format="
        + format
        + ", "
        + width
        + "x"
        + height
        + ", bytes="
        + image.length
        + ", truth="
        + truth
        + ", trueIdentity="
        + trueIdentity
        + (trueDuplicateOf == null ? "" : ", trueDuplicateOf=" + trueDuplicateOf)
        + "}";
  }
}
