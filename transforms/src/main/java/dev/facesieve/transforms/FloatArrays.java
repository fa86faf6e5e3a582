package dev.facesieve.transforms;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.VarIntCoder;

/** Float-array helpers for coders and Avro lists. */
final class FloatArrays {
  private FloatArrays() {}

  static void encode(float[] v, OutputStream out) throws IOException {
    VarIntCoder.of().encode(v.length, out);
    DataOutputStream d = new DataOutputStream(out);
    for (float f : v) {
      d.writeFloat(f);
    }
    d.flush();
  }

  static float[] decode(InputStream in) throws IOException {
    int n = VarIntCoder.of().decode(in);
    DataInputStream d = new DataInputStream(in);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = d.readFloat();
    }
    return v;
  }

  static List<Float> toList(float[] v) {
    List<Float> l = new ArrayList<>(v.length);
    for (float f : v) {
      l.add(f);
    }
    return l;
  }

  static float[] fromList(Object o) {
    List<?> l = (List<?>) o;
    float[] v = new float[l.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = ((Number) l.get(i)).floatValue();
    }
    return v;
  }
}
