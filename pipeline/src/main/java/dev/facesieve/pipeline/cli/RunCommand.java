package dev.facesieve.pipeline.cli;

import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.model.BackboneSpec;
import dev.facesieve.model.Trainer;
import dev.facesieve.pipeline.Location;
import dev.facesieve.pipeline.RunFolder;
import dev.facesieve.pipeline.RunJob;
import dev.facesieve.reports.ReportJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code facesieve run}: prepare, train, clean and report in one go. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    optionListHeading = "Input and output:%n",
    description = {
      "Runs prepare -> train -> clean -> report into <output>/prepared, <output>/model and"
          + " <output>/clean. A second run skips every stage whose outputs are complete and were"
          + " made from the same input and options (recorded in <output>/run.json); an interrupted"
          + " training resumes from its checkpoint."
    })
public final class RunCommand implements Callable<Integer> {
  @Option(
      names = "--input",
      required = true,
      paramLabel = "<path>",
      description =
          "The dataset: an InsightFace .rec file or its folder, a folder of identity folders, or"
              + " Parquet file(s); a local path or a URI (hdfs://…, see docs/runners.md,"
              + " \"Distributed file systems\").")
  String input;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "<dir>",
      description = "Output folder of the whole run: prepared/, model/ and clean/ go there.")
  String output;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description =
          "Clean into <output>/clean-NAME (with its own report) instead of <output>/clean,"
              + " reusing prepared/, model/ and embeddings/: cleanings with other thresholds or"
              + " policies side by side. Letters, digits, '.', '_' and '-'.")
  String name;

  @Mixin PrepareOptions preparing;

  @Mixin TrainOptions training;

  @Mixin CleanOptions cleaning;

  @Mixin ReportOptions report;

  @Mixin RunnerOptions runner;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Location in = Location.parse(input);
    Location to = Location.parse(output);
    RunJob.Settings s =
        RunJob.Settings.builder(
                in,
                to,
                preparing.settings(in, RunFolder.prepared(to), runner, true),
                training.config())
            .setPolicy(cleaning.policy())
            .setEmitRecordIO(cleaning.emitRecordIO)
            .setReport(report.options())
            .setRunner(runner.choice())
            .setAllowForeignModel(cleaning.allowForeignModel)
            .setName(name)
            .setInterClass(cleaning.interClass())
            .setExcludeIdentitiesOf(cleaning.excludeIdentitiesOf)
            .build();
    boolean chosen = spec.commandLine().getParseResult().hasMatchedOption("--backbone");
    return execute(out, s, "run", backboneLine(s.train().backbone(), chosen));
  }

  /**
   * The line that says which backbone trains and why: a trained one, the default or not, comes with
   * the advice that a pretrained ONNX embedder is the recommended path.
   */
  static String backboneLine(BackboneSpec b, boolean chosen) {
    if (b instanceof BackboneSpec.FrozenOnnx) {
      return "backbone: " + b + " (a pretrained embedder: only the sub-centre head is trained)";
    }
    return "backbone: "
        + b
        + (chosen ? " (trained from scratch" : " (the default, trained from scratch")
        + "; a pretrained ONNX embedder, --backbone onnx:<file>, is the recommended path)";
  }

  /**
   * Runs {@code s} with progress on {@code out}, stopping its training stage on SIGINT/SIGTERM (one
   * line, exit 130/143), then prints the outcome and where the kept set and the drops are.
   *
   * @param command the command's name for the interruption line ({@code run}, {@code demo})
   * @param backbone the first line: which backbone trains and why
   * @return the exit code
   */
  static int execute(PrintWriter out, RunJob.Settings s, String command, String backbone)
      throws IOException {
    out.println(backbone);
    out.flush();
    RunJob.Outcome o;
    // Ctrl-C and SIGTERM stop training at the next step, with a checkpoint, before the JVM exits
    try (StopSignals signals = StopSignals.install();
        ConsoleProgress progress = ConsoleProgress.forConsole(out)) {
      try {
        o = RunJob.run(s, progress, progress, progress::print, signals::received);
      } catch (Trainer.Stopped e) {
        progress.close(); // the interruption line goes below the bar
        return StopSignals.interrupted(out, signals, e, command);
      }
    }
    print(out, o);
    Location clean = absolute(s.cleanDir());
    out.println(
        "kept faces: "
            + clean.resolve("kept")
            + ", review the drops: "
            + clean.resolve("dropped.csv"));
    out.flush();
    return 0;
  }

  /** Stages run or skipped, then the headline numbers and where the report is. */
  static void print(PrintWriter out, RunJob.Outcome o) {
    StringBuilder sb = new StringBuilder("stages:");
    o.stages().forEach((k, v) -> sb.append(' ').append(k).append(' ').append(v).append(';'));
    out.println(sb.substring(0, sb.length() - 1));
    CleanSummary s = o.summary();
    ReportJson.NoiseRate noise = o.report().noiseRate();
    out.printf(
        Locale.ROOT,
        "input %s: kept %s, dropped %s %s, quarantined %s; classes %s -> %s%n",
        Plural.of(s.input(), "record", "records"),
        s.kept(),
        s.dropped(),
        s.droppedByReason(),
        CleanCommand.quarantined(s),
        s.classesBefore(),
        s.classesAfter());
    CleanCommand.printDecisions(out, s);
    out.printf(
        Locale.ROOT,
        "noise found: %.1f%% of input (dropped + quarantined), %.1f%% of the faces cleaned%n",
        100 * noise.removedShareOfInput(),
        100 * noise.droppedShareOfPrepared());
    ReportJson.Quality q = o.report().qualityVsTruth();
    if (q != null) {
      out.printf(
          Locale.ROOT,
          "against ground truth: precision %.3f, recall %.3f, F1 %.3f, angle ROC AUC %.3f%n",
          q.precision(),
          q.recall(),
          q.f1(),
          q.angleRocAuc());
    }
    CleanCommand.printAcrossClassesTruth(out, s);
    out.printf("report: %s%n", absolute(o.reportHtml()));
    out.flush();
  }

  /** A local path made absolute, for lines the user copies; a URI as it is. */
  static Location absolute(Location l) {
    return l.isLocal() ? Location.of(l.local("a path").toAbsolutePath()) : l;
  }
}
