package dev.facesieve.pipeline.cli;

import dev.facesieve.datasets.input.ColumnMapping;
import dev.facesieve.datasets.input.FacePreparer;
import dev.facesieve.datasets.input.InputFormat;
import dev.facesieve.datasets.input.InputPlanner;
import dev.facesieve.datasets.input.ShardReader;
import dev.facesieve.pipeline.Location;
import dev.facesieve.pipeline.PrepareJob;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How inputs are read and checked; mixed into {@code prepare} and {@code run}. */
public final class PrepareOptions {
  @Option(
      names = "--format",
      defaultValue = "auto",
      paramLabel = "<format>",
      description =
          "Input layout: auto (detected from the input), recordio, folder (one folder per"
              + " identity) or parquet.")
  String format;

  @Option(
      names = "--max-pixels",
      defaultValue = "" + FacePreparer.DEFAULT_MAX_PIXELS,
      paramLabel = "<pixels>",
      description =
          "Quarantine images whose header declares more pixels (width x height) than this,"
              + " before decoding them (decompression bombs).")
  long maxPixels;

  @Option(
      names = "--max-bytes",
      defaultValue = "" + ShardReader.DEFAULT_MAX_BYTES,
      paramLabel = "<bytes>",
      description =
          "Quarantine image files and Parquet images larger than this many bytes, unread.")
  long maxBytes;

  @Option(
      names = "--align",
      description =
          "Warp images with 5-point landmarks to the ArcFace 112x112 template (images already"
              + " 112x112 pass through).")
  boolean align;

  @Option(
      names = "--landmarks",
      paramLabel = "<csv>",
      description = "Side file of id,x1,y1,...,x5,y5 lines (pixels) for --align.")
  Path landmarks;

  @Option(
      names = "--truth",
      paramLabel = "<csv>",
      description =
          "Ground truth as an id,truth CSV (when not given: truth.csv beside the input, if"
              + " present); the report then scores the cleaning against it.")
  Path truth;

  @Option(
      names = "--shard-size",
      defaultValue = "" + InputPlanner.Spec.DEFAULT_SHARD_SIZE,
      paramLabel = "<faces>",
      description = "Faces per Parquet file (shard) of the prepared output.")
  int shardSize;

  @Option(
      names = "--image-column",
      defaultValue = ColumnMapping.IMAGE_COLUMN,
      paramLabel = "<column>",
      description = "Parquet input: column of the encoded image (bytes, or a struct with bytes).")
  String imageColumn;

  @Option(
      names = "--label-column",
      defaultValue = ColumnMapping.LABEL_COLUMN,
      paramLabel = "<column>",
      description = "Parquet input: column of the integer class label.")
  String labelColumn;

  @Option(
      names = "--identity-column",
      defaultValue = ColumnMapping.IDENTITY_COLUMN,
      paramLabel = "<column>",
      description = "Parquet input: column of the identity's name (optional in the file).")
  String identityColumn;

  @Option(
      names = "--id-column",
      defaultValue = ColumnMapping.ID_COLUMN,
      paramLabel = "<column>",
      description =
          "Parquet input: column of the record id (optional in the file; else <file>#<row>).")
  String idColumn;

  PrepareJob.Settings settings(
      Location input, Location output, RunnerOptions runner, boolean overwrite) {
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
                ColumnMapping.TRUE_IDENTITY_COLUMN,
                ColumnMapping.TRUE_DUPLICATE_OF_COLUMN))
        .setRunner(runner.choice())
        .setOverwrite(overwrite)
        .build();
  }
}
