package dev.facesieve.pipeline;

import dev.facesieve.datasets.input.FacePreparer;
import dev.facesieve.datasets.input.InputPlanner;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/**
 * Pipeline options of FaceSieve's Beam stages. The command line fills them from its own flags; they
 * also travel to workers, so every stage setting a worker needs is here.
 */
public interface FaceSieveOptions extends PipelineOptions {
  @Description("Input: a .rec file or its folder, an identity-per-folder tree, or Parquet files.")
  @Validation.Required
  String getInput();

  void setInput(String value);

  @Description("Input layout: auto, recordio, folder or parquet.")
  @Default.String("auto")
  String getInputFormat();

  void setInputFormat(String value);

  @Description("Output folder of the stage.")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  @Description("Images declaring more pixels than this are quarantined (decompression bombs).")
  @Default.Long(FacePreparer.DEFAULT_MAX_PIXELS)
  Long getMaxPixels();

  void setMaxPixels(Long value);

  @Description("Warp records that carry 5-point landmarks to the ArcFace 112x112 template.")
  @Default.Boolean(false)
  Boolean getAlign();

  void setAlign(Boolean value);

  @Description("Records per input shard (one unit of parallel reading).")
  @Default.Integer(InputPlanner.Spec.DEFAULT_SHARD_SIZE)
  Integer getShardSize();

  void setShardSize(Integer value);

  @Description("Which runner executes the pipeline: direct (in process) or flink.")
  @Default.String("direct")
  String getRunnerName();

  void setRunnerName(String value);
}
