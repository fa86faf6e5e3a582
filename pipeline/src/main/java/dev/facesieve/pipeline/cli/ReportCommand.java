package dev.facesieve.pipeline.cli;

import dev.facesieve.pipeline.OwnedFiles;
import dev.facesieve.reports.NoiseReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code facesieve report}: regenerates report.json and report.html of a clean run. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    optionListHeading = "Input and output:%n",
    description = {
      "Regenerates report.json and report.html from a 'facesieve clean' output without running"
          + " the model ('clean' writes them at the end of every run)."
    })
public final class ReportCommand implements Callable<Integer> {
  @Option(
      names = {"--input", "--clean"},
      required = true,
      paramLabel = "<dir>",
      description = "The clean run: the folder 'facesieve clean' wrote (its --output).")
  Path clean;

  @Option(
      names = "--truth",
      paramLabel = "<csv>",
      description =
          "Ground truth as CSV with 'id' and 'truth' columns (clean, close_set, open_set, ...),"
              + " replacing the truth column of the records.")
  Path truth;

  @Mixin ReportOptions report;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    NoiseReport.regenerate(clean, report.options().toBuilder().setTruthCsv(truth).build());
    // the report's files were written again (and the pages may be new to the folder): record them
    OwnedFiles.recordReport(clean);
    print(spec.commandLine().getOut(), clean);
    return 0;
  }

  static void print(PrintWriter out, Path dir) {
    out.printf("report: %s%n", dir.resolve(NoiseReport.HTML_FILE).toAbsolutePath());
    out.flush();
  }
}
