package dev.facesieve.pipeline.cli;

import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.pipeline.Location;
import dev.facesieve.pipeline.PrepareJob;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code facesieve prepare}: reads an input into checked Parquet faces plus a quarantine. */
@Command(
    name = "prepare",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    optionListHeading = "Input and output:%n",
    description = {
      "Reads InsightFace RecordIO, identity folders or Parquet; writes <output>/faces/*.parquet,"
          + " <output>/quarantine/*.parquet and <output>/manifest.json."
    })
public final class PrepareCommand implements Callable<Integer> {
  @Option(
      names = "--input",
      required = true,
      paramLabel = "<path>",
      description =
          "The dataset: an InsightFace .rec file or its folder, a folder of identity folders, or"
              + " Parquet file(s). Each may also be named by a URI"
              + " (hdfs://namenode:port/path); side files stay local.")
  String input;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "<dir>",
      description =
          "Output folder: the prepared faces, for train and clean to read. A local path or a URI"
              + " of a file system Beam has (hdfs://namenode:port/path; gs:// with -Pdataflow).")
  String output;

  @Option(names = "--overwrite", description = "Replace an earlier 'facesieve prepare' output.")
  boolean overwrite;

  @Mixin PrepareOptions preparing;

  @Mixin RunnerOptions runner;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Location out = Location.parse(output);
    PrepareJob.Settings s = preparing.settings(Location.parse(input), out, runner, overwrite);
    PrepareManifest m;
    try (ConsoleProgress progress = ConsoleProgress.forConsole(spec.commandLine().getOut())) {
      m = PrepareJob.run(s, progress);
    }
    print(spec.commandLine().getOut(), m, out);
    return 0;
  }

  static void print(PrintWriter out, PrepareManifest manifest, Location output) {
    out.printf(
        "prepared %s of %s; quarantined %s %s%n",
        Plural.of(manifest.counts().prepared(), "image", "images"),
        Plural.of(manifest.identities(), "identity", "identities"),
        manifest.counts().quarantined(),
        manifest.counts().quarantinedByReason());
    out.printf("output: %s%n", output.resolve(PrepareJob.MANIFEST));
    out.flush();
  }
}
