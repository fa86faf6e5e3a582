package dev.facesieve.pipeline.cli;

import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.pipeline.CleanJob;
import dev.facesieve.pipeline.ModelMatch;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code facesieve clean}: drop faces far from their class's dominant sub-centre. */
@Command(
    name = "clean",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Scores every prepared face against its class's dominant sub-centre and writes kept/,"
          + " dropped/, dropped.csv, classes.parquet, report.json, report.html and, last,"
          + " summary.json."
    })
public final class CleanCommand implements Callable<Integer> {
  @Option(names = "--data", required = true, description = "A 'facesieve prepare' output.")
  Path data;

  @Option(names = "--model", required = true, description = "A 'facesieve train' output.")
  Path model;

  @Option(names = "--output", required = true, description = "Output folder.")
  Path output;

  @Option(
      names = "--embeddings",
      description =
          "Embedding cache folder: written on the first"
              + " run, reused (no inference) when model and data are unchanged. It holds only"
              + " Parquet files; its record is <folder>.json beside it.")
  Path embeddings;

  @Option(names = "--overwrite", description = "Replace an existing output folder.")
  boolean overwrite;

  @Mixin CleanOptions cleaning;

  @Mixin RunnerOptions runner;

  @Mixin ReportOptions report;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    CleanJob.Settings s =
        CleanJob.Settings.builder(data, model, output)
            .setPolicy(cleaning.policy())
            .setEmbeddings(embeddings)
            .setEmitRecordIO(cleaning.emitRecordIO)
            .setRunner(runner.choice())
            .setOverwrite(overwrite)
            .setReport(report.options())
            .setAllowForeignModel(cleaning.allowForeignModel)
            .build();
    PrintWriter out = spec.commandLine().getOut();
    String foreign = cleaning.allowForeignModel ? ModelMatch.classMapDifference(data, model) : null;
    if (foreign != null) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(
          "facesieve clean: warning: "
              + foreign
              + "; cleaning with it anyway (--allow-foreign-model)");
      err.flush();
    }
    print(out, CleanJob.run(s, ProgressPrinter.forConsole(out)), output);
    return 0;
  }

  static void print(PrintWriter out, CleanSummary s, Path output) {
    out.printf(
        Locale.ROOT,
        "input %s: kept %s, dropped %s %s, quarantined %s; classes %s -> %s" + "%n",
        s.input(),
        s.kept(),
        s.dropped(),
        s.droppedByReason(),
        s.quarantined(),
        s.classesBefore(),
        s.classesAfter());
    out.printf(
        Locale.ROOT,
        "estimated noise (share of prepared faces dropped): %.1f%%%n",
        100 * s.noiseRate());
    CleanSummary.QualityVsTruth q = s.qualityVsTruth();
    if (q != null) {
      out.printf(
          Locale.ROOT,
          "against ground truth: precision %.3f, recall %.3f, F1 %.3f%n",
          q.precision(),
          q.recall(),
          q.f1());
    }
    out.printf("output: %s%n", output.resolve(CleanJob.SUMMARY));
    out.printf("report: %s%n", output.resolve("report.html").toAbsolutePath());
    out.flush();
  }
}
