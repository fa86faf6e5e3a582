package dev.facesieve.pipeline;

import dev.facesieve.transforms.ProgressCounter;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.joda.time.Duration;

/**
 * Progress of a running Beam stage, read from one of its counters while the pipeline runs.
 *
 * <p>The pipeline is started on a thread of its own. While its {@code run()} has not returned (it
 * blocks until the end on embedded Flink) the driver reads the counter as counted in this JVM
 * ({@link ProgressCounter}: embedded Flink's workers share it); once it has (at once on the
 * DirectRunner, which is started without blocking, {@link Runners#configure}), it reads the
 * counter's attempted value from the {@code PipelineResult}. Either is read once a second and
 * handed to the job's {@link ProgressListener}. On a remote cluster only the end is reported.
 */
public final class StageProgress {
  private StageProgress() {}

  private static final long POLL_MILLIS = 1000;

  /**
   * Runs {@code p} and waits for it, reporting counter {@code namespace/name} against {@code total}
   * to {@code listener}.
   *
   * @throws IOException when the pipeline ends in any state but DONE
   */
  public static void run(
      Pipeline p,
      String stage,
      Class<?> namespace,
      String name,
      long total,
      ProgressListener listener)
      throws IOException {
    long[] last = {-1};
    ProgressListener once = // the result's counter repeats what this JVM's count last said
        (st, done, t) -> {
          if (done != last[0]) {
            listener.update(st, done, t);
            last[0] = done;
          }
        };
    await(
        run(p::run, stage, namespace, name, total, once, POLL_MILLIS),
        stage,
        namespace,
        name,
        total,
        once);
  }

  /**
   * Starts the pipeline with {@code start} on its own thread and reports the in-JVM count until
   * {@code start} returns. A listener that throws is not called again; the exception is thrown once
   * the pipeline has ended (a pipeline left running would go on writing into a staging folder that
   * the caller deletes).
   */
  static PipelineResult run(
      Callable<PipelineResult> start,
      String stage,
      Class<?> namespace,
      String name,
      long total,
      ProgressListener listener,
      long pollMillis)
      throws IOException {
    long base = ProgressCounter.countedInThisJvm(namespace, name);
    CompletableFuture<PipelineResult> started = new CompletableFuture<>();
    Thread runner =
        new Thread(
            () -> {
              try {
                started.complete(start.call());
              } catch (Throwable t) {
                started.completeExceptionally(t);
              }
            },
            "facesieve-" + stage.replaceAll("[^A-Za-z0-9]+", "-"));
    runner.setContextClassLoader(Thread.currentThread().getContextClassLoader());
    runner.setDaemon(true);
    runner.start();
    RuntimeException thrown = null;
    long last = -1;
    while (true) {
      try {
        PipelineResult result = started.get(pollMillis, TimeUnit.MILLISECONDS);
        if (thrown != null) {
          cancel(result);
          throw thrown;
        }
        return result;
      } catch (TimeoutException e) {
        long done = Math.min(total, ProgressCounter.countedInThisJvm(namespace, name) - base);
        if (thrown == null && done != last && done > 0) {
          try {
            listener.update(stage, done, total);
          } catch (RuntimeException x) {
            thrown = x;
          }
          last = done;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(stage + ": interrupted while the pipeline ran", e);
      } catch (ExecutionException e) {
        if (thrown != null) {
          throw thrown;
        }
        Throwable c = e.getCause();
        if (c instanceof IOException io) {
          throw io;
        }
        if (c instanceof RuntimeException r) {
          throw r;
        }
        if (c instanceof Error err) {
          throw err;
        }
        throw new IOException(stage + ": " + c, c);
      }
    }
  }

  /**
   * Waits for a started {@code result}, reporting counter {@code namespace/name} against {@code
   * total} to {@code listener}.
   *
   * @throws IOException when the pipeline ends in any state but DONE
   */
  static void await(
      PipelineResult result,
      String stage,
      Class<?> namespace,
      String name,
      long total,
      ProgressListener listener)
      throws IOException {
    MetricsFilter filter =
        MetricsFilter.builder().addNameFilter(MetricNameFilter.named(namespace, name)).build();
    PipelineResult.State state;
    long last = -1;
    while ((state = result.waitUntilFinish(Duration.standardSeconds(1))) == null
        || !state.isTerminal()) {
      long done = counter(result, filter);
      if (done != last) {
        try {
          listener.update(stage, done, total);
        } catch (RuntimeException | Error e) {
          // a pipeline left running would go on writing into a staging folder that the caller
          // deletes, or that its next run has made again
          cancel(result);
          throw e;
        }
        last = done;
      }
    }
    if (state != PipelineResult.State.DONE) {
      throw new IOException(stage + ": pipeline ended in state " + state);
    }
    if (last != total) {
      listener.update(stage, total, total);
    }
  }

  /** Cancels the pipeline and waits until it has stopped. */
  private static void cancel(PipelineResult result) {
    try {
      result.cancel();
    } catch (IOException | UnsupportedOperationException e) {
      // it may have finished meanwhile; wait for it all the same
    }
    result.waitUntilFinish();
  }

  private static long counter(PipelineResult result, MetricsFilter filter) {
    try {
      MetricQueryResults q = result.metrics().queryMetrics(filter);
      long sum = 0;
      for (MetricResult<Long> c : q.getCounters()) {
        Long v = c.getAttempted();
        sum += v == null ? 0 : v;
      }
      return sum;
    } catch (RuntimeException e) {
      return 0; // a runner without live metrics: only the end is reported
    }
  }
}
