package dev.facesieve.pipeline;

/**
 * Hears how far a running Beam stage ({@code prepare}, {@code clean}) has got.
 *
 * <p>A job receives its listener from its caller and calls it from the driver thread only; the
 * command line passes its console printer, tests and library callers {@link #NONE}.
 */
@FunctionalInterface
public interface ProgressListener {
  /** Hears nothing. */
  ProgressListener NONE = (stage, done, total) -> {};

  /** {@code done} of {@code total} units of {@code stage}; {@code done} never decreases. */
  void update(String stage, long done, long total);

  /** The runner {@code --runner auto} chose for {@code stage}, as one line for people. */
  default void onRunner(String stage, String line) {}

  /** Something about {@code stage} a person should know (a store rebuilt, and why), one line. */
  default void onNote(String stage, String line) {}
}
