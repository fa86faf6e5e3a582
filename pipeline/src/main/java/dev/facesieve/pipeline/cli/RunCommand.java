package dev.facesieve.pipeline.cli;

import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.model.Trainer;
import dev.facesieve.pipeline.RunJob;
import dev.facesieve.reports.ReportJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
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
      description = "A .rec file or its folder, a folder of identity folders, or Parquet file(s).")
  Path input;

  @Option(names = "--output", required = true, description = "Output folder of the whole run.")
  Path output;

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
    RunJob.Settings s =
        new RunJob.Settings(
            input,
            output,
            preparing.settings(input, RunJob.prepared(output), runner, true),
            training.config(),
            cleaning.policy(),
            cleaning.emitRecordIO,
            report.options(),
            runner.choice(),
            cleaning.allowForeignModel,
            name);
    return execute(out, s, "run");
  }

  /**
   * Runs {@code s} with progress on {@code out}, stopping its training stage on SIGINT/SIGTERM (one
   * line, exit 130/143), then prints the outcome and where the kept set and the drops are.
   *
   * @param command the command's name for the interruption line ({@code run}, {@code demo})
   * @return the exit code
   */
  static int execute(PrintWriter out, RunJob.Settings s, String command) throws IOException {
    ProgressPrinter progress = ProgressPrinter.forConsole(out);
    RunJob.Outcome o;
    // Ctrl-C and SIGTERM stop training at the next step, with a checkpoint, before the JVM exits
    try (StopSignals signals = StopSignals.install()) {
      try {
        o =
            RunJob.run(
                s,
                progress,
                progress,
                line -> {
                  out.println(line);
                  out.flush();
                },
                signals::received);
      } catch (Trainer.Stopped e) {
        return StopSignals.interrupted(out, signals, e, command);
      }
    }
    print(out, o);
    Path clean = s.cleanDir().toAbsolutePath();
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
        s.quarantined(),
        s.classesBefore(),
        s.classesAfter());
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
    ReportJson.Duplicates dup = o.report().duplicateIdentities();
    out.printf(
        "suspected duplicate identities: %s within %s°%n",
        Plural.of(dup.pairsFound(), "pair", "pairs"), dup.thresholdDeg());
    out.printf("report: %s%n", o.reportHtml().toAbsolutePath());
    out.flush();
  }
}
