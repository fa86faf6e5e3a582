package dev.facesieve.pipeline.cli;

import dev.facesieve.model.Trainer;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns SIGINT (Ctrl-C) and SIGTERM into a request to stop, for as long as it is open.
 *
 * <p>The JVM's own handling of these signals runs the shutdown hooks and exits while other threads
 * keep running: during training that tore libtorch down under a running step (SIGSEGV, an {@code
 * hs_err_pid*.log}). While this is open the JVM does not start to exit on these signals; the
 * command polls {@link #received}, stops at a safe point, cleans up and returns {@link #exitCode}
 * (128 + the signal's number: 130, 143), and the process exits normally. A second signal while one
 * is pending halts the process at once with that code, for a user who will not wait. Handlers are
 * {@code sun.misc.Signal}'s, the only way to handle a signal in Java; where the JVM does not allow
 * one (run with {@code -Xrs}) the JVM's default stays. Closing restores the previous handlers.
 */
final class StopSignals implements AutoCloseable {
  private static final String[] NAMES = {"INT", "TERM"};

  private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
  private volatile Signal received;

  private StopSignals() {}

  /** Handles SIGINT and SIGTERM until closed. */
  static StopSignals install() {
    StopSignals s = new StopSignals();
    for (String name : NAMES) {
      Signal sig = new Signal(name);
      try {
        s.previous.put(sig, Signal.handle(sig, s::handle));
      } catch (IllegalArgumentException e) {
        // the JVM keeps this signal (-Xrs, or not on this OS): its default applies
      }
    }
    return s;
  }

  private void handle(Signal sig) {
    if (received != null) {
      Runtime.getRuntime().halt(128 + sig.getNumber());
    }
    received = sig;
  }

  /** Whether a signal arrived. */
  boolean received() {
    return received != null;
  }

  /** 128 + the number of the signal received (130 for SIGINT, 143 for SIGTERM). */
  int exitCode() {
    Signal s = received;
    return s == null ? 0 : 128 + s.getNumber();
  }

  /**
   * Ends a command whose training stopped on a signal: one line saying where and how to go on, and
   * the exit code.
   *
   * @param command {@code train}, {@code run} or {@code demo}
   */
  static int interrupted(PrintWriter out, StopSignals signals, Trainer.Stopped e, String command) {
    if (System.console() != null) {
      out.println(); // end the progress bar's line
    }
    out.printf(
        "%s: interrupted %sat step %d; checkpoint written, %s%n",
        command,
        command.equals("train") ? "" : "during training ",
        e.step(),
        command.equals("train")
            ? "continue with --resume"
            : "the same command again resumes from it");
    out.flush();
    return signals.exitCode();
  }

  @Override
  public void close() {
    previous.forEach(Signal::handle);
  }
}
