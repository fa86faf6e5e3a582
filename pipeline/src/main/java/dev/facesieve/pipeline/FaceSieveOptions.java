package dev.facesieve.pipeline;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * What a FaceSieve pipeline reads and writes, carried in its Beam options.
 *
 * <p>No FaceSieve code reads them back: workers get their settings through the transforms'
 * constructors. They are set so that a runner's view of the job (its options and display data, for
 * example on Dataflow's job page or Flink's web UI) says which stage input and output it is.
 */
public interface FaceSieveOptions extends PipelineOptions {
  @Description("Input of the stage: a .rec file or its folder, image folders, Parquet files.")
  String getInput();

  void setInput(String value);

  @Description("Output folder of the stage.")
  String getOutput();

  void setOutput(String value);
}
