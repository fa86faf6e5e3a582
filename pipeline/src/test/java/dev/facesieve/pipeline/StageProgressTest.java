package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.transforms.ProgressCounter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricResults;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;

/** Progress while a runner's {@code run()} blocks until the end, as embedded Flink's does. */
class StageProgressTest {
  private static final String NAME = "test_progress";

  /** A run that counts {@code steps} in this JVM, waiting for the driver to see each step. */
  private static PipelineResult countingRun(int steps, List<Long> seen) throws Exception {
    ProgressCounter c = ProgressCounter.of(StageProgressTest.class, NAME);
    for (int i = 0; i < steps; i++) {
      c.inc(10);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      synchronized (seen) {
        while (seen.size() <= i && System.nanoTime() < deadline) {
          seen.wait(50);
        }
      }
    }
    return new Done();
  }

  @Test
  void reportsTheInJvmCountWhileRunBlocks() throws Exception {
    List<Long> seen = new ArrayList<>();
    ProgressCounter.of(StageProgressTest.class, NAME).inc(7); // an earlier stage's count
    PipelineResult r =
        StageProgress.run(
            () -> countingRun(3, seen),
            "stage",
            StageProgressTest.class,
            NAME,
            30,
            (stage, done, total) -> {
              synchronized (seen) {
                seen.add(done);
                seen.notifyAll();
              }
            },
            20);
    assertTrue(r instanceof Done);
    assertEquals(List.of(10L, 20L, 30L), seen, "each step, counted from the stage's start");
  }

  @Test
  void aListenerThatThrowsIsRethrownOnlyAfterTheRunEnds() throws Exception {
    AtomicBoolean ended = new AtomicBoolean();
    CountDownLatch thrown = new CountDownLatch(1);
    IllegalStateException stop = new IllegalStateException("stop");
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                StageProgress.run(
                    () -> {
                      ProgressCounter.of(StageProgressTest.class, NAME).inc(1);
                      assertTrue(thrown.await(10, TimeUnit.SECONDS));
                      Thread.sleep(100);
                      ended.set(true);
                      return new Done();
                    },
                    "stage",
                    StageProgressTest.class,
                    NAME,
                    5,
                    (stage, done, total) -> {
                      thrown.countDown();
                      throw stop;
                    },
                    20));
    assertSame(stop, e);
    assertTrue(ended.get(), "the run had ended when the listener's exception came back");
  }

  @Test
  void aRunThatFailsToStartFailsTheStage() {
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                StageProgress.run(
                    () -> {
                      throw new IOException("no runner");
                    },
                    "stage",
                    StageProgressTest.class,
                    NAME,
                    5,
                    (stage, done, total) -> {},
                    20));
    assertEquals("no runner", e.getMessage());
  }

  /** A pipeline that has finished. */
  private static final class Done implements PipelineResult {
    @Override
    public State getState() {
      return State.DONE;
    }

    @Override
    public State cancel() {
      return State.DONE;
    }

    @Override
    public State waitUntilFinish(Duration duration) {
      return State.DONE;
    }

    @Override
    public State waitUntilFinish() {
      return State.DONE;
    }

    @Override
    public MetricResults metrics() {
      throw new UnsupportedOperationException();
    }
  }
}
