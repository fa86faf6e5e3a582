package dev.facesieve.datasets.image;

/** Image bytes that cannot be used, with whether they were merely too large. */
public final class ImageDecodeException extends Exception {
  private final boolean tooLarge;

  public ImageDecodeException(String message, boolean tooLarge) {
    super(message);
    this.tooLarge = tooLarge;
  }

  /** True when the image is well-formed so far but exceeds the pixel limit. */
  public boolean tooLarge() {
    return tooLarge;
  }
}
