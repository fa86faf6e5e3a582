package dev.facesieve.datasets;

import java.util.Locale;

/** Ground-truth kind of a record, known only for synthetic or noise-injected collections. */
public enum NoiseKind {
  /** The image shows the labelled identity. */
  CLEAN,
  /** The image shows another identity of the same collection. */
  CLOSE_SET,
  /** The image shows an identity that is not in the collection. */
  OPEN_SET,
  /** The bytes are not a usable image. */
  CORRUPT;

  /** The lower-case name used in files ({@code close_set}). */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@link #wireName()} (case-insensitive); throws on an unknown name. */
  public static NoiseKind parse(String s) {
    return valueOf(s.trim().toUpperCase(Locale.ROOT));
  }

  /** True for every kind except {@link #CLEAN}. */
  public boolean isNoise() {
    return this != CLEAN;
  }
}
