package dev.facesieve.datasets;

import dev.facesieve.datasets.image.Images;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

/** Small deterministic images for tests. */
public final class TestImages {
  private TestImages() {}

  public static BufferedImage square(int w, int h, int shade) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(shade, 255 - shade, (shade * 7) % 256));
    g.fillRect(0, 0, w, h);
    g.setColor(Color.WHITE);
    g.fillOval(w / 4, h / 4, w / 2, h / 2);
    g.dispose();
    return img;
  }

  public static byte[] jpeg(int shade) {
    return Images.jpeg(square(112, 112, shade), 0.9f);
  }

  public static byte[] png(int w, int h) {
    return Images.png(square(w, h, 40));
  }
}
