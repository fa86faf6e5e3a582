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

  /**
   * Faces from which {@code --runner auto} runs a stage on embedded Flink instead of the
   * DirectRunner: the records {@code prepare} plans to read, the prepared faces {@code clean}
   * reads.
   *
   * <p>Measured on 2 cores ({@code docs/benchmarks.md}): the DirectRunner keeps a stage's
   * collections in its heap. Its {@code clean} took 2.5 GB of RSS at 4,324 faces and 7.5 GB at
   * 9,899 (8 GB heap), and ran out of the heap at 1M; its {@code prepare} took 0.7 GB at 6K and 5.7
   * GB at 50K. Embedded Flink spills, and stayed under 5 GB from 100K to 200K faces. Its
   * mini-cluster costs 7–9 s more a job to start, which {@code prepare} repays from about 21K
   * faces, while {@code clean} was faster on it even at 586 faces. The line sits just above the
   * largest data the tests and the demo run (LFW, 4,324 faces), which stay on the DirectRunner as
   * before, and below 9,899, where the DirectRunner's {@code clean} neared its heap.
   */
  public static final long AUTO_FLINK_FROM_FACES = 5_000;

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
          runner.equals("auto")
              || runner.equals("direct")
              || runner.equals("flink")
              || runner.equals("dataflow"),
          "--runner must be auto, direct, flink or dataflow (or Beam's DirectRunner, FlinkRunner,"
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

    /** True for {@code --runner auto}: the runner is chosen per stage ({@link #forFaces}). */
    public boolean auto() {
      return runner.equals("auto");
    }

    /**
     * The runner a stage whose input holds {@code faces} faces runs on: for {@code auto} the
     * DirectRunner below {@link #AUTO_FLINK_FROM_FACES} and Flink ({@code --flink-master}, embedded
     * by default) from there on; any other choice as it is.
     */
    public Choice forFaces(long faces) {
      if (!auto()) {
        return this;
      }
      return new Choice(
          faces >= AUTO_FLINK_FROM_FACES ? "flink" : "direct",
          flinkMaster,
          parallelism,
          pipelineArgs);
    }

    /** The DirectRunner with one worker thread per core. */
    public static Choice direct() {
      return new Choice(
          "direct", "[local]", Math.max(2, Runtime.getRuntime().availableProcessors()));
    }
  }

  /**
   * The runner {@code stage} runs on ({@link Choice#forFaces}); when {@code --runner auto} chose
   * it, says which and why to {@code progress}, as one line.
   *
   * @param unit what {@code faces} counts, for that line: {@code prepare}'s input records include
   *     RecordIO's metadata records
   */
  public static Choice forStage(
      Choice c, String stage, long faces, String unit, ProgressListener progress) {
    Choice r = c.forFaces(faces);
    if (c.auto()) {
      progress.onRunner(
          stage,
          String.format(
              Locale.ROOT,
              "runner auto: %s (%,d %s, %s %,d)",
              r.runner().equals("direct")
                  ? "direct"
                  : r.flinkMaster().startsWith("[local") ? "flink, embedded" : "flink",
              faces,
              unit,
              r.runner().equals("direct") ? "under" : "from",
              AUTO_FLINK_FROM_FACES));
    }
    return r;
  }

  /**
   * Applies the choice to options. {@code flinkMaster = [local]} starts an embedded Flink
   * mini-cluster in this JVM; {@code host:port} submits to a running cluster.
   */
  public static void configure(PipelineOptions options, Choice c) {
    checkArgument(!c.auto(), "--runner auto is resolved per stage (Choice.forFaces) first");
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
      // run() returns at once so that the driver can report progress (StageProgress.run)
      d.setBlockOnRun(false);
    }
  }

  /**
   * Refuses a choice no stage could run with (a runner missing from this build, pipeline arguments
   * Beam cannot parse) before any stage starts.
   */
  public static void check(Choice c) {
    options(c.forFaces(0), "facesieve-check");
    options(c.forFaces(AUTO_FLINK_FROM_FACES), "facesieve-check");
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

  /**
   * Threads per worker's ONNX session: in this JVM (DirectRunner, embedded Flink) the cores shared
   * by {@code --parallelism} workers; on a cluster 1, because runners give each worker (Flink slot,
   * Dataflow harness thread) about a core of its own.
   */
  static int embedThreads(Choice c) {
    return inProcess(c)
        ? Math.max(1, Runtime.getRuntime().availableProcessors() / c.parallelism())
        : 1;
  }

  /** True for a runner whose workers run in this JVM (DirectRunner, embedded Flink). */
  static boolean inProcess(Choice c) {
    return c.runner().equals("direct")
        || (c.runner().equals("flink") && c.flinkMaster().startsWith("[local"));
  }
}
