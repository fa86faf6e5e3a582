package dev.facesieve.pipeline;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import java.util.Locale;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.PipelineRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** Chooses and configures the Beam runner from the command line's {@code --runner}. */
public final class Runners {
  private Runners() {}

  /** The Dataflow runner's class; on the class path only in a build with {@code -Pdataflow}. */
  static final String DATAFLOW_RUNNER = "org.apache.beam.runners.dataflow.DataflowRunner";

  /**
   * Where a pipeline runs.
   *
   * @param pipelineArgs raw Beam pipeline options ({@code --project=…}, {@code --region=…}) given
   *     to the runner as they are; how Dataflow's project, region and staging are set
   */
  public record Choice(
      String runner, String flinkMaster, int parallelism, List<String> pipelineArgs) {
    public Choice {
      String given = runner;
      runner = name(runner);
      checkArgument(
          runner.equals("direct") || runner.equals("flink") || runner.equals("dataflow"),
          "--runner must be direct, flink or dataflow (or Beam's DirectRunner, FlinkRunner,"
              + " DataflowRunner), got %s",
          given);
      checkArgument(parallelism > 0, "--parallelism must be > 0, got %s", parallelism);
      pipelineArgs = List.copyOf(pipelineArgs);
      for (String a : pipelineArgs) {
        checkArgument(a.startsWith("--"), "--pipeline-arg must look like --name=value, got %s", a);
      }
    }

    public Choice(String runner, String flinkMaster, int parallelism) {
      this(runner, flinkMaster, parallelism, List.of());
    }

    /**
     * FaceSieve's name of a runner given as FaceSieve or Beam names it, in any case: {@code
     * FlinkRunner} and {@code org.apache.beam.runners.flink.FlinkRunner} are {@code flink}.
     */
    static String name(String runner) {
      String n = runner.strip().toLowerCase(Locale.ROOT);
      n = n.substring(n.lastIndexOf('.') + 1);
      return n.endsWith("runner") && n.length() > "runner".length()
          ? n.substring(0, n.length() - "runner".length())
          : n;
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
    if (c.runner().equals("dataflow")) {
      try {
        @SuppressWarnings("unchecked")
        Class<? extends PipelineRunner<?>> runner =
            (Class<? extends PipelineRunner<?>>) Class.forName(DATAFLOW_RUNNER);
        options.setRunner(runner);
      } catch (ClassNotFoundException e) {
        throw new IllegalArgumentException(
            "--runner dataflow needs a build with the Dataflow runner: mvn -Pdataflow install");
      }
    } else if (c.runner().equals("flink")) {
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
      // run() returns at once so that the driver can report progress (StageProgress.await)
      d.setBlockOnRun(false);
    }
  }

  /**
   * Refuses a choice no stage could run with (a runner missing from this build, pipeline arguments
   * Beam cannot parse) before any stage starts.
   */
  public static void check(Choice c) {
    options(c, "facesieve-check");
  }

  /** Options for one stage's pipeline: the choice's raw pipeline arguments, then the choice. */
  public static FaceSieveOptions options(Choice c, String jobName) {
    FaceSieveOptions o =
        PipelineOptionsFactory.fromArgs(c.pipelineArgs().toArray(String[]::new))
            .withoutStrictParsing()
            .as(FaceSieveOptions.class);
    o.setJobName(jobName);
    configure(o, c);
    DistributedFiles.configure(o);
    return o;
  }
}
