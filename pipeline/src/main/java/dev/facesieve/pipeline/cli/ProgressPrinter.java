package dev.facesieve.pipeline.cli;

import dev.facesieve.model.Trainer;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Training progress: a redrawn bar on a terminal, plain lines (one every 10% or 30 s) otherwise, so
 * that logs of batch jobs stay readable.
 */
final class ProgressPrinter implements Trainer.Listener {
  private final PrintWriter out;
  private final boolean terminal;
  private final long started = System.nanoTime();
  private long lastLine;
  private long lastDecile = -1;

  ProgressPrinter(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  static ProgressPrinter forConsole(PrintWriter out) {
    return new ProgressPrinter(out, System.console() != null);
  }

  @Override
  public void onStep(Trainer.StepInfo i) {
    double frac = (double) i.step() / i.totalSteps();
    double elapsed = (System.nanoTime() - started) / 1e9;
    double eta = frac > 0 ? elapsed * (1 - frac) / frac : 0;
    String stats =
        String.format(
            Locale.ROOT,
            "epoch %d step %d/%d  loss %.3f  acc %.3f  lr %.4f  %.0f img/s  ETA %s",
            i.epoch() + 1,
            i.step(),
            i.totalSteps(),
            i.loss(),
            i.accuracy(),
            i.learningRate(),
            i.imagesPerSecond(),
            duration(eta));
    if (terminal) {
      int width = 30;
      int done = (int) Math.round(frac * width);
      out.print("\r[" + "#".repeat(done) + " ".repeat(width - done) + "] " + stats);
      if (i.step() == i.totalSteps()) {
        out.println();
      }
      out.flush();
      return;
    }
    long decile = (long) Math.floor(frac * 10);
    long now = System.nanoTime();
    if (decile != lastDecile || now - lastLine > 30_000_000_000L || i.step() == i.totalSteps()) {
      lastDecile = decile;
      lastLine = now;
      out.println("train: " + stats);
      out.flush();
    }
  }

  @Override
  public void onMessage(String message) {
    out.println("train: " + message);
    out.flush();
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
        : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
  }
}
