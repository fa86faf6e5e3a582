package dev.facesieve.datasets.input;

import static com.google.common.base.Preconditions.checkArgument;

import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.QuarantineReason;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.align.FaceAligner;
import dev.facesieve.datasets.image.ImageDecodeException;
import dev.facesieve.datasets.image.Images;
import dev.facesieve.datasets.io.LocalFiles;
import java.awt.image.BufferedImage;
import java.io.Serializable;

/**
 * Turns a {@link RawFace} into a checked {@link FaceRecord}, or a {@link QuarantineRecord} saying
 * why it cannot be used: empty, undecodable, too many pixels, or bad landmarks.
 *
 * <p>Landmarks, when a record has them, must be ten finite numbers inside the image (give or take
 * {@link #LANDMARK_MARGIN} of its size, for faces cut by the border), aligned or not: points far
 * outside would warp a blank face.
 *
 * <p>Every image is fully decoded once here so that later stages never meet a corrupt one. With
 * {@code align}, records that carry landmarks and are not already 112×112 are warped to the ArcFace
 * template and re-encoded as JPEG (quality 95); all others keep their original bytes.
 */
public final class FacePreparer implements Serializable {
  /** Images declaring more pixels than this are quarantined unless told otherwise (4096²). */
  public static final long DEFAULT_MAX_PIXELS = 4096L * 4096L;

  /** How far outside the image a landmark may lie, as a share of the image's width or height. */
  public static final double LANDMARK_MARGIN = 0.1;

  private final long maxPixels;
  private final boolean align;

  public FacePreparer(long maxPixels, boolean align) {
    checkArgument(maxPixels > 0, "max pixels must be > 0, got %s", maxPixels);
    this.maxPixels = maxPixels;
    this.align = align;
  }

  /** The result of preparing one record: exactly one of the two is set. */
  public record Outcome(FaceRecord face, QuarantineRecord quarantined, boolean aligned) {}

  public Outcome prepare(RawFace raw) {
    if (raw.image().length == 0) {
      return bad(raw, QuarantineReason.EMPTY_IMAGE, "zero-byte image");
    }
    Images.Decoded d;
    try {
      d = Images.decode(raw.image(), maxPixels);
    } catch (ImageDecodeException e) {
      return bad(
          raw,
          e.tooLarge() ? QuarantineReason.IMAGE_TOO_LARGE : QuarantineReason.UNDECODABLE_IMAGE,
          e.getMessage());
    }
    if (raw.landmarks() != null) {
      String problem = landmarkProblem(raw.landmarks(), d.width(), d.height());
      if (problem != null) {
        return bad(raw, QuarantineReason.BAD_LANDMARKS, problem);
      }
    }
    FaceRecord face =
        new FaceRecord(
            raw.id(),
            raw.label(),
            raw.identity(),
            raw.image(),
            d.format().wireName(),
            d.width(),
            d.height(),
            LocalFiles.sha256(raw.image()),
            raw.source(),
            raw.landmarks(),
            raw.truth(),
            raw.trueIdentity(),
            raw.trueDuplicateOf());
    if (align && raw.landmarks() != null && !(d.width() == 112 && d.height() == 112)) {
      BufferedImage warped;
      try {
        warped = FaceAligner.align(d.image(), raw.landmarks());
      } catch (IllegalArgumentException e) {
        return bad(raw, QuarantineReason.BAD_LANDMARKS, e.getMessage());
      }
      byte[] jpg = Images.jpeg(warped, 0.95f);
      return new Outcome(face.withImage(jpg, "jpeg", 112, 112, LocalFiles.sha256(jpg)), null, true);
    }
    return new Outcome(face, null, false);
  }

  /** What is wrong with the landmarks of a {@code width}×{@code height} image, or null. */
  static String landmarkProblem(float[] lm, int width, int height) {
    if (lm.length != 10) {
      return "expected 10 landmark coordinates, got " + lm.length;
    }
    double mx = LANDMARK_MARGIN * width;
    double my = LANDMARK_MARGIN * height;
    for (int i = 0; i < 5; i++) {
      float x = lm[2 * i];
      float y = lm[2 * i + 1];
      if (!Float.isFinite(x) || !Float.isFinite(y)) {
        return "landmark " + (i + 1) + " is not a finite number (" + x + ", " + y + ")";
      }
      if (x < -mx || x > width + mx || y < -my || y > height + my) {
        return "landmark "
            + (i + 1)
            + " ("
            + x
            + ", "
            + y
            + ") lies outside the "
            + width
            + "x"
            + height
            + " image";
      }
    }
    return null;
  }

  private static Outcome bad(RawFace raw, QuarantineReason reason, String message) {
    return new Outcome(
        null,
        QuarantineRecord.of(
            raw.id(),
            raw.source(),
            reason,
            message,
            raw.label(),
            raw.identity(),
            raw.image(),
            raw.truth()),
        false);
  }
}
