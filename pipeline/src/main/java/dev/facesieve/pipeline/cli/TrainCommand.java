package dev.facesieve.pipeline.cli;

import dev.facesieve.model.ModelJson;
import dev.facesieve.model.Trainer;
import dev.facesieve.pipeline.Location;
import dev.facesieve.pipeline.TrainJob;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code facesieve train}: sub-center ArcFace on prepared faces. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    optionListHeading = "Input and output:%n",
    description = {
      "Trains a backbone and a sub-center ArcFace head on prepared faces (or only the head on a"
          + " frozen ONNX embedder) and writes a model directory: model.json, centres.parquet,"
          + " parameters and a checkpoint. Ctrl-C or SIGTERM stops at the next step with a"
          + " checkpoint (exit 130 / 143); --resume continues from it."
    })
public final class TrainCommand implements Callable<Integer> {
  @Option(
      names = {"--input", "--data"},
      required = true,
      paramLabel = "<dir>",
      description =
          "The prepared faces: the folder 'facesieve prepare' wrote (its --output). A local path"
              + " or a URI of a file system Beam has (hdfs://namenode:port/path); remote faces are"
              + " streamed from there.")
  String data;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "<dir>",
      description =
          "Model directory to write, for clean to read as its --model. A local path or a URI"
              + " (trained in a local temporary folder, then copied there).")
  String output;

  @Option(
      names = "--resume",
      description = "Continue an interrupted training from the output's last checkpoint.")
  boolean resume;

  @Option(names = "--overwrite", description = "Replace a finished model directory.")
  boolean overwrite;

  @Option(
      names = "--embeddings",
      paramLabel = "<dir>",
      description =
          "Embedding store of a frozen --backbone onnx: embedded into on the first run, reused"
              + " (no inference) while the ONNX file, preprocessing and data are unchanged; pass"
              + " the same folder to 'facesieve clean --embeddings'. It holds only Parquet files;"
              + " its record is <folder>.json beside it. A local folder or a URI (hdfs://…).")
  String embeddings;

  @Mixin TrainOptions training;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    ModelJson model;
    // Ctrl-C and SIGTERM stop training at the next step, with a checkpoint, before the JVM exits
    try (StopSignals signals = StopSignals.install();
        ConsoleProgress progress = ConsoleProgress.forConsole(out)) {
      try {
        model =
            TrainJob.run(
                TrainJob.Settings.builder(
                        Location.parse(data), Location.parse(output), training.config())
                    .setResume(resume)
                    .setOverwrite(overwrite)
                    .setEmbeddings(embeddings == null ? null : Location.parse(embeddings))
                    .build(),
                progress,
                signals::received);
      } catch (Trainer.Stopped e) {
        progress.close(); // the interruption line goes below the bar
        return StopSignals.interrupted(out, signals, e, "train");
      }
    }
    List<Trainer.EpochMetrics> epochsRun = model.epochs();
    if (!epochsRun.isEmpty()) {
      Trainer.EpochMetrics last = epochsRun.get(epochsRun.size() - 1);
      out.printf("trained: final epoch loss %.3f, accuracy %.3f%n", last.loss(), last.accuracy());
    }
    out.printf("model: %s%n", Location.parse(output).resolve("model.json"));
    out.flush();
    return 0;
  }
}
