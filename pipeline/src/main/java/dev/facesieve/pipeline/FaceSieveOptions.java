package dev.facesieve.pipeline;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The stage settings a FaceSieve pipeline carries in its Beam options.
 *
 * <p>No FaceSieve code reads them back: workers get their settings through the transforms'
 * constructors. They are set so that a runner's view of the job (its options and display data, for
 * example on Dataflow's job page) says what the job reads, writes and checks.
 */
public interface FaceSieveOptions extends PipelineOptions {
  @Description("Input of the stage: a .rec file or its folder, image folders, Parquet files.")
  String getInput();

  void setInput(String value);

  @Description("Output folder of the stage.")
  String getOutput();

  void setOutput(String value);

  @Description("Images declaring more pixels than this are quarantined (decompression bombs).")
  Long getMaxPixels();

  void setMaxPixels(Long value);

  @Description("Warp records that carry 5-point landmarks to the ArcFace 112x112 template.")
  Boolean getAlign();

  void setAlign(Boolean value);

  @Description("Records per input shard (one unit of parallel reading).")
  Integer getShardSize();

  void setShardSize(Integer value);
}
