package dev.facesieve.transforms;

import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.FaceSchemas;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * One row of a model's head: sub-centre {@code index} (0…K−1) of class {@code label}, a unit
 * vector; a row of {@code centres.parquet} ({@link CleanSchemas#CENTRES}).
 */
public record SubCentre(int label, int index, float[] vector) {
  /** From a {@code centres.parquet} row. */
  public static SubCentre fromAvro(GenericRecord r) {
    return new SubCentre(
        (Integer) r.get("class"),
        (Integer) r.get("sub_center"),
        FaceSchemas.floats(r.get("vector")));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SubCentre c
        && label == c.label
        && index == c.index
        && Arrays.equals(vector, c.vector);
  }

  @Override
  public int hashCode() {
    return 31 * label + index;
  }

  /** Its coder: label, index, dimension, then the floats. */
  public static final class Coder extends AtomicCoder<SubCentre> {
    private static final Coder INSTANCE = new Coder();

    public static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(SubCentre c, OutputStream out) throws IOException {
      VarIntCoder.of().encode(c.label(), out);
      VarIntCoder.of().encode(c.index(), out);
      FloatArrays.encode(c.vector(), out);
    }

    @Override
    public SubCentre decode(InputStream in) throws IOException {
      return new SubCentre(
          VarIntCoder.of().decode(in), VarIntCoder.of().decode(in), FloatArrays.decode(in));
    }

    @Override
    public TypeDescriptor<SubCentre> getEncodedTypeDescriptor() {
      return TypeDescriptor.of(SubCentre.class);
    }
  }
}
