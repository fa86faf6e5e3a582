package dev.facesieve.transforms;

import java.io.Serializable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * A Beam counter of a stage's progress that also counts in the JVM it runs in.
 *
 * <p>Beam's counters can be read while a pipeline runs only from a {@code PipelineResult}, and a
 * runner whose {@code run()} blocks until the end (embedded Flink) hands that over only when the
 * stage is done. Where the workers share the driver's JVM (embedded Flink, the DirectRunner) the
 * driver reads the in-JVM count instead, as the difference from its value when the stage started;
 * two stages counting the same name at once in one JVM would share it, which moves only the
 * progress bar, never a result. On a remote cluster the in-JVM count stays still and only the
 * stage's end is reported.
 */
public final class ProgressCounter implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ConcurrentHashMap<String, AtomicLong> IN_THIS_JVM =
      new ConcurrentHashMap<>();

  private final Counter counter;
  private final String key;

  private ProgressCounter(Class<?> namespace, String name) {
    this.counter = Metrics.counter(namespace, name);
    this.key = key(namespace, name);
  }

  /** The counter {@code namespace/name}. */
  public static ProgressCounter of(Class<?> namespace, String name) {
    return new ProgressCounter(namespace, name);
  }

  /** Adds {@code n} to the Beam counter and to this JVM's count. */
  public void inc(long n) {
    counter.inc(n);
    inThisJvm(key).addAndGet(n);
  }

  public void inc() {
    inc(1);
  }

  /** Takes one back (a record counted twice on its way). */
  public void dec() {
    inc(-1);
  }

  /** What this JVM has counted under {@code namespace/name} since it started. */
  public static long countedInThisJvm(Class<?> namespace, String name) {
    return inThisJvm(key(namespace, name)).get();
  }

  private static AtomicLong inThisJvm(String key) {
    return IN_THIS_JVM.computeIfAbsent(key, k -> new AtomicLong());
  }

  private static String key(Class<?> namespace, String name) {
    return namespace.getName() + "/" + name;
  }
}
