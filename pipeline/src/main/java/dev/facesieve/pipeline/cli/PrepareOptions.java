package dev.facesieve.pipeline.cli;

import dev.facesieve.datasets.input.ColumnMapping;
import dev.facesieve.datasets.input.FacePreparer;
import dev.facesieve.datasets.input.InputFormat;
import dev.facesieve.datasets.input.InputPlanner;
import dev.facesieve.datasets.input.ShardReader;
import dev.facesieve.pipeline.PrepareJob;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How inputs are read and checked; mixed into {@code prepare} and {@code run}. */
public final class PrepareOptions {
  @Option(
      names = "--format",
      description = "auto (detect from the input; the default), recordio, folder or parquet.")
  String format;

  @Option(
      names = "--max-pixels",
      defaultValue = "" + FacePreparer.DEFAULT_MAX_PIXELS,
      description = "Quarantine images declaring more pixels (decompression bombs).")
  long maxPixels;

  @Option(
      names = "--max-bytes",
      defaultValue = "" + ShardReader.DEFAULT_MAX_BYTES,
      description =
          "Quarantine image files and Parquet images larger than this many bytes, unread.")
  long maxBytes;

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

  @Option(
      names = "--shard-size",
      defaultValue = "" + InputPlanner.Spec.DEFAULT_SHARD_SIZE,
      description = "Records per shard.")
  int shardSize;

  @Option(
      names = "--image-column",
      defaultValue = ColumnMapping.IMAGE_COLUMN,
      description = "Parquet input: column of the encoded image (bytes, or a struct with bytes).")
  String imageColumn;

  @Option(
      names = "--label-column",
      defaultValue = ColumnMapping.LABEL_COLUMN,
      description = "Parquet input: integer class column.")
  String labelColumn;

  @Option(
      names = "--identity-column",
      defaultValue = ColumnMapping.IDENTITY_COLUMN,
      description = "Parquet input: identity name column (optional in the file).")
  String identityColumn;

  @Option(
      names = "--id-column",
      defaultValue = ColumnMapping.ID_COLUMN,
      description = "Parquet input: record id column (optional; else <file>#<row>).")
  String idColumn;

  PrepareJob.Settings settings(Path input, Path output, RunnerOptions runner, boolean overwrite) {
    PrepareJob.Settings.Builder b = PrepareJob.Settings.builder();
    if (format != null) {
      try {
        b.setFormat(InputFormat.parse(format));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--format must be auto, recordio, folder or parquet, got " + format);
      }
    }
    return b.setInput(input)
        .setOutput(output)
        .setMaxPixels(maxPixels)
        .setMaxBytes(maxBytes)
        .setAlign(align)
        .setLandmarks(landmarks)
        .setTruth(truth)
        .setShardSize(shardSize)
        .setColumns(
            new ColumnMapping(
                idColumn,
                labelColumn,
                identityColumn,
                imageColumn,
                ColumnMapping.LANDMARKS_COLUMN,
                ColumnMapping.TRUTH_COLUMN,
                ColumnMapping.TRUE_IDENTITY_COLUMN))
        .setRunner(runner.choice())
        .setOverwrite(overwrite)
        .build();
  }
}
