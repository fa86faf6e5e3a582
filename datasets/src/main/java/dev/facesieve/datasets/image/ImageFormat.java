package dev.facesieve.datasets.image;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Image formats FaceSieve reads, recognised by their leading bytes. */
public enum ImageFormat {
  JPEG("jpg", "jpeg", "jpe", "jfif"),
  PNG("png"),
  BMP("bmp"),
  PGM("pgm"),
  WEBP("webp"),
  TIFF("tif", "tiff");

  /**
   * Extensions of image formats FaceSieve does not decode. Files named so are still records: {@code
   * prepare} quarantines them as {@code UNDECODABLE_IMAGE} instead of skipping them.
   */
  static final Set<String> UNSUPPORTED_EXTENSIONS =
      Set.of(
          "gif", "heic", "heif", "avif", "jxl", "jp2", "j2k", "jpf", "jpx", "psd", "ico", "ppm",
          "pbm", "pnm", "svg", "dng", "cr2", "nef", "arw");

  private final String[] extensions;

  ImageFormat(String... extensions) {
    this.extensions = extensions;
  }

  /** The lower-case name stored in {@code FaceRecord.format}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The format whose magic bytes start {@code b}, if any. */
  public static Optional<ImageFormat> sniff(byte[] b) {
    if (b.length >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF) {
      return Optional.of(JPEG);
    }
    if (b.length >= 8
        && (b[0] & 0xff) == 0x89
        && b[1] == 'P'
        && b[2] == 'N'
        && b[3] == 'G'
        && b[4] == 0x0D
        && b[5] == 0x0A) {
      return Optional.of(PNG);
    }
    if (b.length >= 2 && b[0] == 'B' && b[1] == 'M') {
      return Optional.of(BMP);
    }
    if (b.length >= 2 && b[0] == 'P' && (b[1] == '5' || b[1] == '2')) {
      return Optional.of(PGM);
    }
    if (b.length >= 12
        && b[0] == 'R'
        && b[1] == 'I'
        && b[2] == 'F'
        && b[3] == 'F'
        && b[8] == 'W'
        && b[9] == 'E'
        && b[10] == 'B'
        && b[11] == 'P') {
      return Optional.of(WEBP);
    }
    // little- or big-endian TIFF (42) and BigTIFF (43)
    if (b.length >= 4
        && ((b[0] == 'I' && b[1] == 'I' && (b[2] == 42 || b[2] == 43) && b[3] == 0)
            || (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && (b[3] == 42 || b[3] == 43)))) {
      return Optional.of(TIFF);
    }
    return Optional.empty();
  }

  /** The format a file name's extension names, if any. */
  public static Optional<ImageFormat> fromFileName(String name) {
    String ext = extension(name);
    for (ImageFormat f : values()) {
      for (String e : f.extensions) {
        if (e.equals(ext)) {
          return Optional.of(f);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Whether a file name says it holds an image, of a format FaceSieve reads or of another (GIF,
   * HEIC, ...): an input record either way, never a skipped file.
   */
  public static boolean isImageFileName(String name) {
    return fromFileName(name).isPresent() || UNSUPPORTED_EXTENSIONS.contains(extension(name));
  }

  private static String extension(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }
}
