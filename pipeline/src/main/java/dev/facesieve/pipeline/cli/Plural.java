package dev.facesieve.pipeline.cli;

/** Counts in the command line's output, with their noun in the number the count takes. */
final class Plural {
  private Plural() {}

  /** {@code "1 pair"}, {@code "0 pairs"}, {@code "2 pairs"}. */
  static String of(long n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }
}
