package dev.facesieve.datasets.image;

import java.util.Locale;
import java.util.Optional;

/** Image formats FaceSieve reads, recognised by their leading bytes. */
public enum ImageFormat {
  JPEG("jpg", "jpeg"),
  PNG("png"),
  BMP("bmp"),
  PGM("pgm");

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
    return Optional.empty();
  }

  /** The format a file name's extension names, if any. */
  public static Optional<ImageFormat> fromFileName(String name) {
    int dot = name.lastIndexOf('.');
    if (dot < 0) {
      return Optional.empty();
    }
    String ext = name.substring(dot + 1).toLowerCase(Locale.ROOT);
    for (ImageFormat f : values()) {
      for (String e : f.extensions) {
        if (e.equals(ext)) {
          return Optional.of(f);
        }
      }
    }
    return Optional.empty();
  }
}
