package dev.facesieve.transforms;

import dev.facesieve.datasets.clean.DropReason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import javax.annotation.Nullable;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;

/**
 * The cleaning decision for one face: its nearest and its class's dominant sub-centre, the angle
 * the decision was made on, the cosine to each sub-centre, the drop reason (null when kept) and,
 * for a face moved to another class, that class, its name and the face's angle to its centroid.
 *
 * <p>A face of a class merged into its duplicate-identity group's keeper has {@code merged} set,
 * the keeper as {@code target} and its name as {@code targetIdentity}; it is not a relabelled face.
 * A copy of a picture kept once in its class names that copy's id in {@code duplicateOf}, with
 * {@code angleToDuplicateDeg} and whether the bytes are the same ({@code exactDuplicate}); it is
 * dropped ({@code DUPLICATE_IMAGE}) unless duplicate images are only reported.
 */
public record Decision(
    String id,
    int label,
    int nearest,
    int dominant,
    double angleDeg,
    float[] cosines,
    @Nullable DropReason reason,
    int target,
    @Nullable String targetIdentity,
    double angleToTargetDeg,
    boolean merged,
    @Nullable String duplicateOf,
    double angleToDuplicateDeg,
    boolean exactDuplicate) {

  /** A decision that may move a face, without merges or duplicate images. */
  public Decision(
      String id,
      int label,
      int nearest,
      int dominant,
      double angleDeg,
      float[] cosines,
      @Nullable DropReason reason,
      int target,
      @Nullable String targetIdentity,
      double angleToTargetDeg) {
    this(
        id,
        label,
        nearest,
        dominant,
        angleDeg,
        cosines,
        reason,
        target,
        targetIdentity,
        angleToTargetDeg,
        false,
        null,
        Double.NaN,
        false);
  }

  /** A decision that moves nothing. */
  public Decision(
      String id,
      int label,
      int nearest,
      int dominant,
      double angleDeg,
      float[] cosines,
      @Nullable DropReason reason) {
    this(id, label, nearest, dominant, angleDeg, cosines, reason, label, null, Double.NaN);
  }

  public boolean kept() {
    return reason == null;
  }

  /** True when the face was moved to another class (not by a merge of its class). */
  public boolean relabelled() {
    return reason == null && target != label && !merged;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Decision d
        && id.equals(d.id)
        && label == d.label
        && nearest == d.nearest
        && dominant == d.dominant
        && angleDeg == d.angleDeg
        && Arrays.equals(cosines, d.cosines)
        && reason == d.reason
        && target == d.target
        && java.util.Objects.equals(targetIdentity, d.targetIdentity)
        && Double.compare(angleToTargetDeg, d.angleToTargetDeg) == 0
        && merged == d.merged
        && java.util.Objects.equals(duplicateOf, d.duplicateOf)
        && Double.compare(angleToDuplicateDeg, d.angleToDuplicateDeg) == 0
        && exactDuplicate == d.exactDuplicate;
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Nullable
  private static DropReason reasonOf(@Nullable String name) {
    return name == null ? null : DropReason.valueOf(name);
  }

  /** Its coder. */
  public static final class Coder extends AtomicCoder<Decision> {
    private static final Coder INSTANCE = new Coder();
    private static final NullableCoder<String> REASON = NullableCoder.of(StringUtf8Coder.of());
    private static final NullableCoder<String> TEXT = REASON;

    public static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(Decision d, OutputStream out) throws IOException {
      StringUtf8Coder.of().encode(d.id(), out);
      VarIntCoder.of().encode(d.label(), out);
      VarIntCoder.of().encode(d.nearest(), out);
      VarIntCoder.of().encode(d.dominant(), out);
      DoubleCoder.of().encode(d.angleDeg(), out);
      FloatArrays.encode(d.cosines(), out);
      REASON.encode(d.reason() == null ? null : d.reason().name(), out);
      VarIntCoder.of().encode(d.target(), out);
      TEXT.encode(d.targetIdentity(), out);
      DoubleCoder.of().encode(d.angleToTargetDeg(), out);
      BooleanCoder.of().encode(d.merged(), out);
      TEXT.encode(d.duplicateOf(), out);
      DoubleCoder.of().encode(d.angleToDuplicateDeg(), out);
      BooleanCoder.of().encode(d.exactDuplicate(), out);
    }

    @Override
    public Decision decode(InputStream in) throws IOException {
      return new Decision(
          StringUtf8Coder.of().decode(in),
          VarIntCoder.of().decode(in),
          VarIntCoder.of().decode(in),
          VarIntCoder.of().decode(in),
          DoubleCoder.of().decode(in),
          FloatArrays.decode(in),
          reasonOf(REASON.decode(in)),
          VarIntCoder.of().decode(in),
          TEXT.decode(in),
          DoubleCoder.of().decode(in),
          BooleanCoder.of().decode(in),
          TEXT.decode(in),
          DoubleCoder.of().decode(in),
          BooleanCoder.of().decode(in));
    }
  }
}
