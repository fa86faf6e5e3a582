package dev.facesieve.pipeline.cli;

import dev.facesieve.datasets.input.ColumnMapping;
import dev.facesieve.datasets.input.InputFormat;
import dev.facesieve.pipeline.PrepareJob;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
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
    description = {
      "Reads InsightFace RecordIO, identity folders or Parquet; writes <output>/faces/*.parquet,"
          + " <output>/quarantine/*.parquet and <output>/manifest.json."
    })
public final class PrepareCommand implements Callable<Integer> {
  @Option(
      names = "--input",
      required = true,
      description =
          "A .rec file or its folder, a " + "folder of identity folders, or Parquet file(s).")
  Path input;

  @Option(names = "--output", required = true, description = "Output folder.")
  Path output;

  @Option(
      names = "--format",
      defaultValue = "auto",
      description = "auto, recordio, folder or parquet.")
  String format;

  @Option(
      names = "--max-pixels",
      defaultValue = "16777216",
      description = "Quarantine images declaring more pixels (decompression bombs).")
  long maxPixels;

  @Option(
      names = "--align",
      description =
          "Warp images with 5-point landmarks to the ArcFace "
              + "112x112 template (images already 112x112 pass through).")
  boolean align;

  @Option(names = "--landmarks", description = "Side file of id,x1,y1,...,x5,y5 lines.")
  Path landmarks;

  @Option(
      names = "--truth",
      description =
          "Ground truth id,truth CSV (default: truth.csv " + "beside the input when present).")
  Path truth;

  @Option(names = "--shard-size", defaultValue = "1024", description = "Records per shard.")
  int shardSize;

  @Option(
      names = "--image-column",
      defaultValue = "image",
      description = "Parquet input: column of the encoded image (bytes, or a struct with bytes).")
  String imageColumn;

  @Option(
      names = "--label-column",
      defaultValue = "label",
      description = "Parquet input: integer class column.")
  String labelColumn;

  @Option(
      names = "--identity-column",
      defaultValue = "identity",
      description = "Parquet input: identity name column (optional in the file).")
  String identityColumn;

  @Option(
      names = "--id-column",
      defaultValue = "id",
      description = "Parquet input: record id column (optional; else <file>#<row>).")
  String idColumn;

  @Option(names = "--overwrite", description = "Replace an existing output folder.")
  boolean overwrite;

  @Mixin RunnerOptions runner;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    InputFormat f;
    try {
      f = InputFormat.parse(format);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--format must be auto, recordio, folder or parquet, got " + format);
    }
    ColumnMapping columns =
        new ColumnMapping(idColumn, labelColumn, identityColumn, imageColumn, "landmarks", "truth");
    PrepareJob.Settings s =
        new PrepareJob.Settings(
            input,
            f,
            output,
            maxPixels,
            align,
            landmarks,
            truth,
            shardSize,
            columns,
            runner.choice(),
            overwrite);
    Map<String, Object> m = PrepareJob.run(s);
    print(spec.commandLine().getOut(), m, output);
    return 0;
  }

  @SuppressWarnings("unchecked")
  static void print(PrintWriter out, Map<String, Object> manifest, Path output) {
    Map<String, Object> counts = (Map<String, Object>) manifest.get("counts");
    out.printf(
        "prepared %s images of %s identities; quarantined %s %s%n",
        counts.get("prepared"),
        manifest.get("identities"),
        counts.get("quarantined"),
        counts.get("quarantined_by_reason"));
    out.printf("output: %s%n", output.resolve(PrepareJob.MANIFEST));
    out.flush();
  }
}
