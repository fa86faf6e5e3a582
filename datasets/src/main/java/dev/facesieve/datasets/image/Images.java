package dev.facesieve.datasets.image;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.regex.Pattern;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Decoding, probing and encoding of face images.
 *
 * <p>{@link #decode} reads the declared size from the header first and refuses images with more
 * than {@code maxPixels} pixels before allocating anything: a 50-byte PNG can declare a 100,000 ×
 * 100,000 image (a decompression bomb).
 *
 * <p>JPEG, WebP and TIFF are decoded by TwelveMonkeys ImageIO, which the JDK's own reader lacks for
 * CMYK/YCCK JPEGs and embedded colour profiles. A JPEG cut short decodes without an exception (the
 * missing rows grey); the reader's warning about the premature end makes it undecodable here. The
 * WebP reader warns of nothing and decodes a header without image data as a black image, so a
 * WebP's container is checked before it is decoded ({@link WebpContainer}).
 */
public final class Images {
  private Images() {}

  static {
    ImageIO.setUseCache(false);
    // ImageIO finds plugins through the class loader of the thread that first used it; register
    // the ones next to this class (TwelveMonkeys) in case that was another loader (a runner's).
    IIORegistry.getDefaultInstance()
        .registerServiceProviders(
            ServiceLoader.load(ImageReaderSpi.class, Images.class.getClassLoader()).iterator());
  }

  /** Reader warnings that mean the data ended early: the image is partly grey fill. */
  private static final Pattern TRUNCATED =
      Pattern.compile("premature end|truncated|missing eoi", Pattern.CASE_INSENSITIVE);

  /** A decoded image and what was learned about its bytes. */
  public record Decoded(ImageFormat format, BufferedImage image) {
    public int width() {
      return image.getWidth();
    }

    public int height() {
      return image.getHeight();
    }
  }

  /**
   * Decodes image bytes of any supported format.
   *
   * @throws ImageDecodeException if the bytes are empty, of an unknown format, corrupt, or declare
   *     more than {@code maxPixels} pixels
   */
  public static Decoded decode(byte[] bytes, long maxPixels) throws ImageDecodeException {
    if (bytes.length == 0) {
      throw new ImageDecodeException("zero-byte image", false);
    }
    ImageFormat format =
        ImageFormat.sniff(bytes)
            .orElseThrow(
                () ->
                    new ImageDecodeException(
                        "not a JPEG, PNG, BMP, PGM, WebP or TIFF image", false));
    if (format == ImageFormat.PGM) {
      return new Decoded(format, Pgm.decode(bytes, maxPixels));
    }
    if (format == ImageFormat.WEBP) {
      WebpContainer.check(bytes);
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new ImageDecodeException("no decoder for " + format.wireName(), false);
      }
      ImageReader reader = preferred(readers);
      List<String> warnings = new ArrayList<>();
      reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
      try {
        reader.setInput(in, true, true);
        long w = reader.getWidth(0);
        long h = reader.getHeight(0);
        if (w <= 0 || h <= 0) {
          throw new ImageDecodeException("image declares size " + w + "x" + h, false);
        }
        if (w * h > maxPixels) {
          throw new ImageDecodeException(
              "image declares " + w + "x" + h + " = " + w * h + " pixels, more than " + maxPixels,
              true);
        }
        BufferedImage img = reader.read(0);
        for (String warning : warnings) {
          if (TRUNCATED.matcher(warning).find()) {
            throw new ImageDecodeException(
                "truncated " + format.wireName() + " (the reader says: " + warning + ")", false);
          }
        }
        return new Decoded(format, img);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      throw new ImageDecodeException(
          "cannot decode " + format.wireName() + ": " + String.valueOf(e.getMessage()), false);
    }
  }

  /** The TwelveMonkeys reader if there is one (ImageIO usually orders it first anyway). */
  private static ImageReader preferred(Iterator<ImageReader> readers) {
    ImageReader first = readers.next();
    if (first.getClass().getName().startsWith("com.twelvemonkeys.")) {
      return first;
    }
    while (readers.hasNext()) {
      ImageReader r = readers.next();
      if (r.getClass().getName().startsWith("com.twelvemonkeys.")) {
        first.dispose();
        return r;
      }
      r.dispose();
    }
    return first;
  }

  /** Encodes as baseline JPEG with the given quality (0–1); deterministic for the same input. */
  public static byte[] jpeg(BufferedImage img, float quality) {
    BufferedImage rgb = toRgb(img);
    ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
      w.setOutput(ios);
      ImageWriteParam p = w.getDefaultWriteParam();
      p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      p.setCompressionQuality(quality);
      w.write(null, new IIOImage(rgb, null, null), p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      w.dispose();
    }
    return out.toByteArray();
  }

  /** Encodes as PNG. */
  public static byte[] png(BufferedImage img) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16384);
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Scales an image to {@code width} × {@code height} with bilinear interpolation, as a new {@link
   * BufferedImage#TYPE_INT_RGB} image (the one resize of the project: model input, report
   * thumbnails).
   */
  public static BufferedImage resize(BufferedImage img, int width, int height) {
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(img, 0, 0, width, height, null);
    g.dispose();
    return out;
  }

  /** Returns the image as {@link BufferedImage#TYPE_INT_RGB}, converting when needed. */
  public static BufferedImage toRgb(BufferedImage img) {
    if (img.getType() == BufferedImage.TYPE_INT_RGB) {
      return img;
    }
    BufferedImage out =
        new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = out.createGraphics();
    g.drawImage(img, 0, 0, null);
    g.dispose();
    return out;
  }
}
