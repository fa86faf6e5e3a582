package dev.facesieve.datasets.align;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class FaceAlignerTest {
  @Test
  void recoversAKnownSimilarityExactly() {
    SimilarityTransform truth =
        new SimilarityTransform(1.5 * Math.cos(0.3), 1.5 * Math.sin(0.3), 12, -7);
    float[] src = {10, 20, 40, 22, 25, 35, 12, 50, 38, 49};
    float[] dst = new float[10];
    for (int i = 0; i < 5; i++) {
      double[] p = truth.apply(src[2 * i], src[2 * i + 1]);
      dst[2 * i] = (float) p[0];
      dst[2 * i + 1] = (float) p[1];
    }
    SimilarityTransform m = SimilarityTransform.estimate(src, dst);
    assertEquals(1.5, m.scale(), 1e-5);
    assertEquals(0.3, m.rotation(), 1e-5);
    assertEquals(12, m.tx(), 1e-3);
    assertEquals(-7, m.ty(), 1e-3);
    double[] back = m.inverse().apply(dst[0], dst[1]);
    assertEquals(10, back[0], 1e-3);
    assertEquals(20, back[1], 1e-3);
  }

  @Test
  void leastSquaresOnNoisyPointsAveragesTheError() {
    // Hand-made: the template shifted by (+2, 0) and the nose moved by 5 px: the fit keeps
    // scale 1 and rotation close to 0 and spreads the nose error over translation.
    float[] t = FaceAligner.ARCFACE_TEMPLATE;
    float[] src = t.clone();
    for (int i = 0; i < 5; i++) {
      src[2 * i] += 2;
    }
    src[4] += 5;
    SimilarityTransform m = SimilarityTransform.estimate(src, t);
    assertEquals(-3.0, m.tx() + (m.a() - 1) * 56, 0.6);
    assertEquals(1.0, m.scale(), 0.02);
  }

  @Test
  void warpsMarkedEyesOntoTheTemplate() {
    // A 250×250 image with red dots where the "eyes" are, rotated and scaled vs the template.
    BufferedImage img = new BufferedImage(250, 250, BufferedImage.TYPE_INT_RGB);
    SimilarityTransform place =
        new SimilarityTransform(2 * Math.cos(0.2), 2 * Math.sin(0.2), 20, 10);
    float[] lm = new float[10];
    for (int i = 0; i < 5; i++) {
      double[] p =
          place.apply(FaceAligner.ARCFACE_TEMPLATE[2 * i], FaceAligner.ARCFACE_TEMPLATE[2 * i + 1]);
      lm[2 * i] = (float) p[0];
      lm[2 * i + 1] = (float) p[1];
    }
    Graphics2D g = img.createGraphics();
    g.setColor(Color.RED);
    g.fillOval(Math.round(lm[0]) - 4, Math.round(lm[1]) - 4, 9, 9);
    g.setColor(Color.GREEN);
    g.fillOval(Math.round(lm[2]) - 4, Math.round(lm[3]) - 4, 9, 9);
    g.dispose();
    BufferedImage out = FaceAligner.align(img, lm);
    assertEquals(112, out.getWidth());
    assertEquals(112, out.getHeight());
    int left = out.getRGB(38, 52);
    int right = out.getRGB(74, 52);
    assertTrue(((left >> 16) & 0xff) > 200 && ((left >> 8) & 0xff) < 60, Integer.toHexString(left));
    assertTrue(
        ((right >> 8) & 0xff) > 200 && ((right >> 16) & 0xff) < 60, Integer.toHexString(right));
    assertEquals(0, out.getRGB(56, 100) & 0xffffff);
  }

  @Test
  void degenerateLandmarksAreRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> SimilarityTransform.estimate(new float[10], FaceAligner.ARCFACE_TEMPLATE));
    float[] nan = FaceAligner.ARCFACE_TEMPLATE.clone();
    nan[3] = Float.NaN;
    assertThrows(
        IllegalArgumentException.class,
        () -> SimilarityTransform.estimate(nan, FaceAligner.ARCFACE_TEMPLATE));
  }
}
