package dev.facesieve.model;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.facesieve.datasets.image.Images;
import java.awt.image.BufferedImage;
import java.io.Serializable;
import java.util.Locale;

/**
 * How an embedder wants its input: size, channel order and normalisation {@code (x − mean) /
 * scale}, channels-first. Declared per model (in {@code model.json}), never assumed.
 */
@JsonPropertyOrder(alphabetic = true)
public record Preprocessing(int size, String channels, float mean, float scale)
    implements Serializable {
  public Preprocessing {
    checkArgument(size > 0, "input size must be > 0, got %s", size);
    channels = channels.toUpperCase(Locale.ROOT);
    checkArgument(
        channels.equals("RGB") || channels.equals("BGR"),
        "channels must be RGB or BGR, got %s",
        channels);
    checkArgument(scale != 0, "scale must not be 0");
  }

  /** insightface's training preprocessing: 112×112 RGB, {@code (x − 127.5) / 128}. */
  public static final Preprocessing ARCFACE = new Preprocessing(112, "RGB", 127.5f, 128f);

  /** The shared MobileFaceNet ONNX export: 112×112 BGR, {@code (x − 127.5) / 128}. */
  public static final Preprocessing ARCFACE_BGR = new Preprocessing(112, "BGR", 127.5f, 128f);

  /**
   * Converts images to a {@code (B, 3, size, size)} float tensor, resizing bilinearly when an image
   * is not {@code size × size}; {@code flip[i]} mirrors image {@code i} horizontally.
   */
  public NDArray toTensor(NDManager manager, BufferedImage[] images, boolean[] flip) {
    int n = images.length;
    float[] data = new float[n * 3 * size * size];
    int plane = size * size;
    boolean bgr = channels.equals("BGR");
    for (int i = 0; i < n; i++) {
      BufferedImage img = resized(images[i]);
      int[] px = img.getRGB(0, 0, size, size, null, 0, size);
      int base = i * 3 * plane;
      boolean mirror = flip != null && flip[i];
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          int c = px[y * size + (mirror ? size - 1 - x : x)];
          float r = ((c >> 16) & 0xff);
          float g = ((c >> 8) & 0xff);
          float b = (c & 0xff);
          int o = y * size + x;
          data[base + o] = ((bgr ? b : r) - mean) / scale;
          data[base + plane + o] = (g - mean) / scale;
          data[base + 2 * plane + o] = ((bgr ? r : b) - mean) / scale;
        }
      }
    }
    return manager.create(data, new Shape(n, 3, size, size));
  }

  BufferedImage resized(BufferedImage img) {
    if (img.getWidth() == size
        && img.getHeight() == size
        && img.getType() == BufferedImage.TYPE_INT_RGB) {
      return img;
    }
    return Images.resize(img, size, size);
  }
}
