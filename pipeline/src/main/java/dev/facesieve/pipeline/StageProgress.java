package dev.facesieve.pipeline;

import java.io.IOException;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.joda.time.Duration;

/**
 * Progress of a running Beam stage, read from one of its counters while the pipeline runs.
 *
 * <p>The DirectRunner is started without blocking ({@link Runners#configure}), so the driver polls
 * the counter's attempted value once a second and hands it to the job's {@link ProgressListener};
 * runners whose {@code run()} blocks until the end (embedded Flink in attached mode) report only
 * the end.
 */
public final class StageProgress {
  private StageProgress() {}

  /**
   * Waits for {@code result}, reporting counter {@code namespace/name} against {@code total} to
   * {@code listener}.
   *
   * @throws IOException when the pipeline ends in any state but DONE
   */
  public static void await(
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
