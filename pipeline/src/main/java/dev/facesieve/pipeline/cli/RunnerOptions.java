package dev.facesieve.pipeline.cli;

import dev.facesieve.pipeline.Runners;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Where Beam stages run; mixed into every stage command. */
public final class RunnerOptions {
  @Option(
      names = "--runner",
      defaultValue = "auto",
      paramLabel = "<runner>",
      description =
          "Beam runner: auto (each stage on direct below "
              + Runners.AUTO_FLINK_FROM_FACES
              + " faces in its input (prepare: records read, clean: prepared faces), else on"
              + " flink, embedded unless --flink-master names a cluster),"
              + " direct (in this process), flink (an embedded or a running Flink cluster) or"
              + " dataflow (a build with -Pdataflow); Beam's names DirectRunner, FlinkRunner and"
              + " DataflowRunner work too, in any case.")
  String runner;

  @Option(
      names = "--flink-master",
      defaultValue = "[local]",
      paramLabel = "<host:port>",
      description =
          "Where flink runs (--runner flink, or auto on a large input): [local] starts an"
              + " embedded Flink cluster, host:port submits to a running one.")
  String flinkMaster;

  @Option(
      names = "--parallelism",
      defaultValue = "0",
      paramLabel = "<n>",
      description = "Worker threads (direct) or Flink slots (flink); 0 means one per core.")
  int parallelism;

  @Option(
      names = "--pipeline-arg",
      paramLabel = "<--name=value>",
      showDefaultValue = CommandLine.Help.Visibility.NEVER,
      description =
          "A Beam pipeline option passed to the runner as is, e.g. --pipeline-arg=--project=my-proj"
              + " (repeatable).")
  List<String> pipelineArgs = new ArrayList<>();

  Runners.Choice choice() {
    int p = parallelism > 0 ? parallelism : Math.max(2, Runtime.getRuntime().availableProcessors());
    return new Runners.Choice(runner, flinkMaster, p, pipelineArgs);
  }
}
