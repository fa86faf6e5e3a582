package dev.facesieve.transforms;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
}
