package dev.facesieve.transforms;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.values.TypeDescriptor;

/** A face's id, label and unit-length embedding: what per-class scoring groups (no image bytes). */
public record FaceEmbedding(String id, int label, float[] vector) {
  @Override
  public boolean equals(Object o) {
    return o instanceof FaceEmbedding e
        && id.equals(e.id)
        && label == e.label
        && Arrays.equals(vector, e.vector);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  /** Its coder: id, label, dimension, then the floats. */
  public static final class Coder extends AtomicCoder<FaceEmbedding> {
    private static final Coder INSTANCE = new Coder();

    public static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(FaceEmbedding e, OutputStream out) throws IOException {
      StringUtf8Coder.of().encode(e.id(), out);
      VarIntCoder.of().encode(e.label(), out);
      FloatArrays.encode(e.vector(), out);
    }

    @Override
    public FaceEmbedding decode(InputStream in) throws IOException {
      return new FaceEmbedding(
          StringUtf8Coder.of().decode(in), VarIntCoder.of().decode(in), FloatArrays.decode(in));
    }

    @Override
    public TypeDescriptor<FaceEmbedding> getEncodedTypeDescriptor() {
      return TypeDescriptor.of(FaceEmbedding.class);
    }
  }
}
