package dev.facesieve.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class EmbeddersTest {
  static Path shared(String rel) {
    for (String base : new String[] {"../../shared", "../shared"}) {
      Path p = Path.of(base).resolve(rel);
      if (Files.exists(p)) {
        return p;
      }
    }
    return null;
  }

  @Test
  void backbonesMapFacesToEmbeddings() {
    for (String name : new String[] {"small", "mobilefacenet", "iresnet18"}) {
      try (NDManager m = NDManager.newBaseManager()) {
        Block b = Backbones.create(name, 64);
        b.setInitializer(new XavierInitializer(), ai.djl.nn.Parameter.Type.WEIGHT);
        b.initialize(m, DataType.FLOAT32, new Shape(2, 3, 112, 112));
        NDList out =
            b.forward(
                new ParameterStore(m, false),
                new NDList(m.randomNormal(new Shape(2, 3, 112, 112))),
                true);
        assertEquals(new Shape(2, 64), out.head().getShape(), name);
      }
    }
    assertThrows(IllegalArgumentException.class, () -> Backbones.create("vgg", 8));
  }

  @Test
  void sphericalKMeansSeparatesTwoModes() {
    float[][] x = new float[20][];
    for (int i = 0; i < 20; i++) {
      double a = (i < 14 ? 0.0 : Math.PI / 2) + 0.05 * Math.sin(i);
      x[i] = new float[] {(float) Math.cos(a), (float) Math.sin(a)};
    }
    float[][] c = SphericalKMeans.fit(x, 2, 20, 3);
    int big = SphericalKMeans.nearest(x[0], c);
    int small = SphericalKMeans.nearest(x[19], c);
    assertTrue(big != small);
    for (int i = 0; i < 20; i++) {
      assertEquals(i < 14 ? big : small, SphericalKMeans.nearest(x[i], c), "sample " + i);
    }
    // the modes lie at 0° and 90° (± 3°): each centre lands on its own mode
    assertTrue(
        degrees(c[big], new float[] {1, 0}) < 2,
        "big mode centre " + degrees(c[big], new float[] {1, 0}));
    assertTrue(
        degrees(c[small], new float[] {0, 1}) < 2,
        "small mode centre " + degrees(c[small], new float[] {0, 1}));
  }

  private static double degrees(float[] u, float[] v) {
    double cos = SphericalKMeans.dot(u, v) / Math.sqrt(SphericalKMeans.dot(u, u));
    return Math.toDegrees(Math.acos(Math.min(1, cos)));
  }

  @Test
  void onnxEmbedderSeparatesIdentitiesOnLfw() throws Exception {
    Path onnx = shared("models/mobilefacenet-512.onnx");
    Path lfw = shared("data/lfw-min10-112");
    assumeTrue(onnx != null && lfw != null, "../shared model or LFW is not present");
    BufferedImage[] imgs = {
      ImageIO.read(lfw.resolve("Colin_Powell/Colin_Powell_0001.jpg").toFile()),
      ImageIO.read(lfw.resolve("Colin_Powell/Colin_Powell_0002.jpg").toFile()),
      ImageIO.read(lfw.resolve("Tony_Blair/Tony_Blair_0001.jpg").toFile())
    };
    try (OnnxEmbedder e = OnnxEmbedder.load(onnx, Preprocessing.ARCFACE_BGR, true)) {
      assertEquals(512, e.dimension());
      float[][] v = e.embed(imgs);
      assertEquals(1.0, SphericalKMeans.dot(v[0], v[0]), 1e-4);
      double same = SphericalKMeans.dot(v[0], v[1]);
      double diff = SphericalKMeans.dot(v[0], v[2]);
      assertTrue(same > diff + 0.2, "same=" + same + " diff=" + diff);
      // a session on one thread computes the same embeddings
      try (OnnxEmbedder one = OnnxEmbedder.load(onnx, Preprocessing.ARCFACE_BGR, true, 1)) {
        float[][] w = one.embed(imgs);
        for (int i = 0; i < v.length; i++) {
          assertEquals(1.0, SphericalKMeans.dot(v[i], w[i]), 1e-5, "image " + i);
        }
      }
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> OnnxEmbedder.load(Path.of("nope.onnx"), Preprocessing.ARCFACE_BGR, true));
  }
}
