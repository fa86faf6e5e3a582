package dev.facesieve.pipeline.cli;

import dev.facesieve.model.Trainer;
import dev.facesieve.pipeline.ProgressListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.function.IntSupplier;
import javax.annotation.Nullable;
import me.tongfei.progressbar.DefaultProgressBarRenderer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;
import me.tongfei.progressbar.ProgressState;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The command line's progress display: one {@code me.tongfei:progressbar} bar per pass over the
 * data (prepare, training's embedding pass, training, clean's embedding), with percentage, count,
 * elapsed time, time left and rate; the commands hand it to their jobs as the Beam stages' {@link
 * ProgressListener} and training's {@link Trainer.Listener}.
 *
 * <p>On a terminal the bar is redrawn in place once a second, one column narrower than the terminal
 * (asked anew at every redraw, through JLine without taking its signals, so Ctrl-C still reaches
 * {@link StopSignals}); otherwise it prints a plain line at the start, every {@link
 * #LOG_INTERVAL_MILLIS} while it advances, and at the end, so that logs of batch jobs stay
 * readable. Time left shows {@code ?} and the rate is left out until something was done. Messages
 * and per-epoch training lines are printed above a live bar, never into it.
 */
final class ConsoleProgress implements ProgressListener, Trainer.Listener, AutoCloseable {
  /** Width of the plain lines written when the output is not a terminal. */
  static final int LOG_WIDTH = 80;

  /** Time between plain lines when the output is not a terminal. */
  static final int LOG_INTERVAL_MILLIS = 30_000;

  private static final int REDRAW_MILLIS = 1_000;

  private final PrintWriter out;
  private final boolean terminal;
  private final IntSupplier width;
  private final int intervalMillis;
  @Nullable private Terminal jline;

  /** Guards the bar and the stage; never held by the library's thread. */
  private final Object state = new Object();

  /** Guards what is on screen; the library's thread takes it to draw. */
  private final Object screen = new Object();

  @Nullable private ProgressBar bar;
  private String stage = "";
  private boolean drawn; // a redrawn bar's line is on screen, without a newline after it
  private int epoch = -1;
  private double lossSum;
  private double accSum;
  private double imagesPerSecond;
  private int steps;

  /**
   * A display on {@code out}.
   *
   * @param terminal redraw the bar in place; else print plain lines
   * @param width the columns a line may take, asked at every render
   * @param intervalMillis time between renders
   */
  ConsoleProgress(PrintWriter out, boolean terminal, IntSupplier width, int intervalMillis) {
    this(out, terminal, width, intervalMillis, null);
  }

  private ConsoleProgress(
      PrintWriter out,
      boolean terminal,
      IntSupplier width,
      int intervalMillis,
      @Nullable Terminal jline) {
    this.out = out;
    this.terminal = terminal;
    this.width = width;
    this.intervalMillis = intervalMillis;
    this.jline = jline;
  }

  /** A display on {@code out} that redraws its bar when this process has a terminal. */
  static ConsoleProgress forConsole(PrintWriter out) {
    if (System.console() == null) {
      return new ConsoleProgress(out, false, () -> LOG_WIDTH, LOG_INTERVAL_MILLIS);
    }
    Terminal t;
    try {
      t = TerminalBuilder.builder().system(true).nativeSignals(false).dumb(true).build();
    } catch (IOException | RuntimeException e) {
      t = null;
    }
    Terminal term = t;
    // the library's own margin: a line as wide as the terminal wraps on some terminals
    IntSupplier w =
        () -> term == null || term.getWidth() < 10 ? LOG_WIDTH - 1 : term.getWidth() - 1;
    return new ConsoleProgress(out, true, w, REDRAW_MILLIS, term);
  }

  @Override
  public void update(String name, long done, long total) {
    synchronized (state) {
      if (!name.equals(stage) || bar == null) {
        start(name, total, 0, " img");
      }
      bar.maxHint(total);
      bar.stepTo(Math.min(done, total));
      if (done >= total) {
        finish();
      }
    }
  }

  @Override
  public void onEmbedded(long done, long total) {
    update("train: embedding", done, total);
  }

  @Override
  public void onEmbeddingsRead(long done, long total) {
    update("train: stored embeddings", done, total);
  }

  @Override
  public void onStep(Trainer.StepInfo i) {
    synchronized (state) {
      if (!"train".equals(stage) || bar == null) {
        start("train", i.totalSteps(), i.step() - 1, " steps");
      }
      if (i.epoch() != epoch) {
        epoch = i.epoch();
        lossSum = 0;
        accSum = 0;
        steps = 0;
      }
      lossSum += i.loss();
      accSum += i.accuracy();
      imagesPerSecond = i.imagesPerSecond();
      steps++;
      bar.stepTo(i.step());
      boolean last = i.step() == i.totalSteps();
      if (last) {
        finish();
      }
      if (last || i.step() % i.stepsPerEpoch() == 0) {
        print(
            String.format(
                Locale.ROOT,
                "train: epoch %d/%d: loss %.3f, accuracy %.3f, %.0f img/s",
                i.epoch() + 1,
                i.totalSteps() / i.stepsPerEpoch(),
                lossSum / steps,
                accSum / steps,
                imagesPerSecond));
      }
    }
  }

  @Override
  public void onRunner(String stage, String line) {
    print(stage + ": " + line);
  }

  @Override
  public void onNote(String stage, String line) {
    print(stage + ": " + line);
  }

  @Override
  public void onMessage(String message) {
    print("train: " + message);
  }

  /** Ends a bar left open by a stage that failed, so that what follows starts on its own line. */
  @Override
  public void close() {
    synchronized (state) {
      finish();
      if (jline != null) {
        try {
          jline.close();
        } catch (IOException e) {
          // nothing to restore
        }
        jline = null;
      }
    }
  }

  /** Prints {@code text} on its own line, above a live bar. */
  void print(String text) {
    synchronized (screen) {
      if (drawn) {
        out.print("\r" + " ".repeat(Math.max(0, width.getAsInt())) + "\r");
        drawn = false;
      }
      out.println(text);
      out.flush();
    }
  }

  private void start(String name, long total, long from, String unit) {
    finish();
    stage = name;
    bar =
        new ProgressBarBuilder()
            .setTaskName(name)
            .setInitialMax(total)
            .startsFrom(Math.max(0, from), Duration.ZERO)
            .setUpdateIntervalMillis(intervalMillis)
            .setConsumer(new Consumer())
            .setRenderer(
                new Renderer(
                    terminal ? ProgressBarStyle.UNICODE_BLOCK : ProgressBarStyle.ASCII, unit))
            .build();
  }

  private void finish() {
    if (bar != null) {
      // renders the final state on the library's thread and waits for it: hold no screen lock
      bar.close();
      bar = null;
      synchronized (screen) {
        if (drawn) {
          out.println();
          out.flush();
          drawn = false;
        }
      }
    }
  }

  /** Where the library's rendered lines go: redrawn in place, or printed one per line. */
  private final class Consumer implements ProgressBarConsumer {
    @Override
    public int getMaxRenderedLength() {
      return width.getAsInt();
    }

    @Override
    public void accept(String rendered) {
      synchronized (screen) {
        if (terminal) {
          out.print("\r" + rendered);
          drawn = true;
        } else {
          out.println(rendered.stripTrailing());
        }
        out.flush();
      }
    }

    @Override
    public void close() {}
  }

  /** The library's renderer, without a rate until something was done in a measurable time. */
  static final class Renderer extends DefaultProgressBarRenderer {
    Renderer(ProgressBarStyle style, String unit) {
      super(
          style,
          unit,
          1,
          true,
          new DecimalFormat("0.0", DecimalFormatSymbols.getInstance(Locale.ROOT)),
          ChronoUnit.SECONDS,
          true,
          Renderer::eta);
    }

    @Override
    protected String speed(ProgressState p) {
      return p.getCurrent() == p.getStart() || p.getElapsedAfterStart().getSeconds() == 0
          ? ""
          : super.speed(p);
    }

    /** Linear in what was done since the bar started; unknown until something was. */
    private static java.util.Optional<Duration> eta(ProgressState p) {
      long done = p.getCurrent() - p.getStart();
      if (p.getMax() <= 0 || p.isIndefinite() || done <= 0) {
        return java.util.Optional.empty();
      }
      return java.util.Optional.of(
          p.getElapsedAfterStart().dividedBy(done).multipliedBy(p.getMax() - p.getCurrent()));
    }
  }
}
