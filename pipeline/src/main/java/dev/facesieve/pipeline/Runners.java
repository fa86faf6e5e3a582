package dev.facesieve.pipeline;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Locale;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptions;

/** Chooses and configures the Beam runner from the command line's {@code --runner}. */
public final class Runners {
  private Runners() {}

  /** Where a pipeline runs. */
  public record Choice(String runner, String flinkMaster, int parallelism) {
    public Choice {
      runner = runner.toLowerCase(Locale.ROOT);
      checkArgument(
          runner.equals("direct") || runner.equals("flink"),
          "--runner must be direct or flink, got %s",
          runner);
      checkArgument(parallelism > 0, "--parallelism must be > 0, got %s", parallelism);
    }

    /** The DirectRunner with one worker thread per core. */
    public static Choice direct() {
      return new Choice(
          "direct", "[local]", Math.max(2, Runtime.getRuntime().availableProcessors()));
    }
  }

  /**
   * Applies the choice to options. {@code flinkMaster = [local]} starts an embedded Flink
   * mini-cluster in this JVM; {@code host:port} submits to a running cluster.
   */
  public static void configure(PipelineOptions options, Choice c) {
    if (c.runner().equals("flink")) {
      options.setRunner(FlinkRunner.class);
      FlinkPipelineOptions f = options.as(FlinkPipelineOptions.class);
      f.setFlinkMaster(c.flinkMaster());
      f.setParallelism(c.parallelism());
      f.setMaxParallelism(Math.max(c.parallelism(), 2));
      f.setObjectReuse(false);
      f.setAttachedMode(true);
    } else {
      options.setRunner(DirectRunner.class);
      DirectOptions d = options.as(DirectOptions.class);
      d.setTargetParallelism(c.parallelism());
      // Records are immutable by construction; re-checking every byte[] costs a copy per element.
      d.setEnforceImmutability(false);
      d.setEnforceEncodability(false);
    }
    options.as(FaceSieveOptions.class).setRunnerName(c.runner());
  }
}
