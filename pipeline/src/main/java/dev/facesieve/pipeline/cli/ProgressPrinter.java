package dev.facesieve.pipeline.cli;

import dev.facesieve.model.Trainer;
import dev.facesieve.pipeline.ProgressListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of long stages (prepare, train, clean): a redrawn bar with count, rate and ETA on a
 * terminal, plain lines (one every 10% or 30 s) otherwise, so that logs of batch jobs stay
 * readable. The commands hand it to their jobs as both the Beam stages' {@link ProgressListener}
 * and training's {@link Trainer.Listener}.
 */
final class ProgressPrinter implements Trainer.Listener, ProgressListener {
  private final PrintWriter out;
  private final boolean terminal;
  private String stage = "";
  private long started = System.nanoTime();
  private long lastLine;
  private long lastDecile = -1;

  ProgressPrinter(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** A printer to {@code out} that redraws its bar when this process has a terminal. */
  static ProgressPrinter forConsole(PrintWriter out) {
    return new ProgressPrinter(out, System.console() != null);
  }

  @Override
  public synchronized void onStep(Trainer.StepInfo i) {
    restartIfNew("train");
    double frac = (double) i.step() / i.totalSteps();
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
            duration(eta(frac)));
    render(frac, stats, i.step() == i.totalSteps());
  }

  @Override
  public synchronized void update(String name, long done, long total) {
    restartIfNew(name);
    double frac = total <= 0 ? 1 : Math.min(1, (double) done / total);
    double elapsed = (System.nanoTime() - started) / 1e9;
    String stats =
        String.format(
            Locale.ROOT,
            "%d/%d images  %.0f img/s  ETA %s",
            done,
            total,
            elapsed >= 1 ? done / elapsed : 0,
            duration(eta(frac)));
    render(frac, stats, done >= total);
  }

  @Override
  public void onMessage(String message) {
    out.println("train: " + message);
    out.flush();
  }

  private void restartIfNew(String name) {
    if (!name.equals(stage)) {
      stage = name;
      started = System.nanoTime();
      lastDecile = -1;
      lastLine = 0;
    }
  }

  private double eta(double frac) {
    double elapsed = (System.nanoTime() - started) / 1e9;
    return frac > 0 ? elapsed * (1 - frac) / frac : 0;
  }

  private void render(double frac, String stats, boolean last) {
    if (terminal) {
      int width = 30;
      int done = (int) Math.round(frac * width);
      out.print("\r" + stage + " [" + "#".repeat(done) + " ".repeat(width - done) + "] " + stats);
      if (last) {
        out.println();
      }
      out.flush();
      return;
    }
    long decile = (long) Math.floor(frac * 10);
    long now = System.nanoTime();
    if (decile != lastDecile || now - lastLine > 30_000_000_000L || last) {
      lastDecile = decile;
      lastLine = now;
      out.println(stage + ": " + stats);
      out.flush();
    }
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
        : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
  }
}
