package dev.facesieve.pipeline.cli;

import dev.facesieve.pipeline.Runners;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Where Beam stages run; mixed into every stage command. */
public final class RunnerOptions {
  @Option(
      names = "--runner",
      defaultValue = "direct",
      description =
          "Beam runner: direct (in this process), flink, or dataflow (a build with -Pdataflow)."
              + " Default: ${DEFAULT-VALUE}.")
  String runner;

  @Option(
      names = "--flink-master",
      defaultValue = "[local]",
      description =
          "With --runner flink: [local] starts an embedded Flink cluster; host:port submits to a "
              + "running one. Default: ${DEFAULT-VALUE}.")
  String flinkMaster;

  @Option(
      names = "--parallelism",
      defaultValue = "0",
      description = "Worker threads or Flink slots; 0 = one per core. Default: ${DEFAULT-VALUE}.")
  int parallelism;

  @Option(
      names = "--pipeline-arg",
      description =
          "A Beam pipeline option passed to the runner as is, e.g. --pipeline-arg=--project=my-proj"
              + " (repeatable).")
  List<String> pipelineArgs = new ArrayList<>();

  Runners.Choice choice() {
    int p = parallelism > 0 ? parallelism : Math.max(2, Runtime.getRuntime().availableProcessors());
    return new Runners.Choice(runner, flinkMaster, p, pipelineArgs);
  }
}
