package dev.facesieve.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DuplicateIdentitiesTest {
  static float[][] randomUnit(int n, int d, long seed) {
    Random r = new Random(seed);
    float[][] v = new float[n][d];
    for (float[] row : v) {
      double s = 0;
      for (int k = 0; k < d; k++) {
        row[k] = (float) r.nextGaussian();
        s += row[k] * row[k];
      }
      for (int k = 0; k < d; k++) {
        row[k] /= (float) Math.sqrt(s);
      }
    }
    return v;
  }

  /** Brute force over all pairs, double precision. */
  static List<String> bruteForce(float[][] v, double maxDeg) {
    List<String> out = new ArrayList<>();
    double minCos = Math.cos(Math.toRadians(maxDeg));
    for (int i = 0; i < v.length; i++) {
      for (int j = i + 1; j < v.length; j++) {
        if (DuplicateIdentities.dot(v[i], v[j]) >= minCos) {
          out.add(i + "-" + j);
        }
      }
    }
    out.sort(null);
    return out;
  }

  @Test
  void blockedProductFindsExactlyTheBruteForcePairs() {
    // 300 random 16-d vectors and planted near-copies that cross block boundaries
    float[][] v = randomUnit(300, 16, 5);
    for (int[] p : new int[][] {{0, 299}, {17, 18}, {100, 250}, {63, 64}}) {
      float[] src = v[p[0]];
      float[] dst = v[p[1]];
      double s = 0;
      for (int k = 0; k < src.length; k++) {
        dst[k] = src[k] + 0.05f * dst[k];
        s += dst[k] * dst[k];
      }
      for (int k = 0; k < src.length; k++) {
        dst[k] /= (float) Math.sqrt(s);
      }
    }
    List<String> expected = bruteForce(v, 45);
    for (int block : new int[] {1, 7, 64, 256, 1000}) {
      List<String> got = new ArrayList<>();
      for (DuplicateIdentities.Pair p : DuplicateIdentities.find(v, 45, block)) {
        got.add(p.a() + "-" + p.b());
      }
      got.sort(null);
      assertEquals(expected, got, "block " + block);
    }
    assertEquals(true, expected.contains("63-64") && expected.contains("0-299"));
  }

  @Test
  void closestPairsComeFirst() {
    float[][] v = {{1, 0, 0}, {0.8f, 0.6f, 0}, {0.99f, 0.141067f, 0}, {0, 0, 1}};
    List<DuplicateIdentities.Pair> p = DuplicateIdentities.find(v, 40);
    assertEquals(3, p.size());
    assertEquals(0, p.get(0).a());
    assertEquals(2, p.get(0).b());
    assertEquals(Math.toDegrees(Math.acos(0.8)), p.get(2).angleDeg(), 1e-4);
  }

  @Test
  void rejectsBadSettings() {
    float[][] v = {{1, 0}, {0, 1}};
    assertThrows(IllegalArgumentException.class, () -> DuplicateIdentities.find(v, 200));
    assertThrows(IllegalArgumentException.class, () -> DuplicateIdentities.find(v, 10, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> DuplicateIdentities.find(new float[][] {{1, 0}, {1}}, 10));
  }
}
