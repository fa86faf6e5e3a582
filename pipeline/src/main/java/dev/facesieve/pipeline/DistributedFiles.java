package dev.facesieve.pipeline;

import dev.facesieve.datasets.io.HadoopFiles;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.hdfs.HadoopFileSystemOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.hadoop.conf.Configuration;

/**
 * Registers Beam's Hadoop file system ({@code hdfs://}, {@code webhdfs://} and the scheme of {@code
 * fs.defaultFS}) with FaceSieve's Hadoop configuration ({@link HadoopFiles#configuration()}: the
 * environment's {@code core-site.xml} and {@code hdfs-site.xml} without Hadoop's default resources,
 * {@code fs.defaultFS} never {@code file:///}), for the driver's own file operations ({@link
 * Location}) and for every pipeline a stage builds ({@link Runners#options}).
 *
 * <p>Beam registers its Hadoop file system for the scheme of {@code fs.defaultFS} only (and for
 * {@code hdfs}, {@code webhdfs}, {@code viewfs} when {@code dfs.nameservices} is set): with {@code
 * file:///} it would claim {@code file} too and every pipeline would fail ("Scheme: [file] has
 * conflicting filesystems"); {@link HadoopFiles} says why the configuration avoids that. The input
 * planners and readers of {@code datasets} read an {@code hdfs://} input through Hadoop's {@code
 * FileSystem} with the same configuration. Other schemes ({@code gs://}, which Beam's Flink runner
 * brings into every build, {@code s3://} with Beam's AWS module) register themselves from the
 * pipeline options as usual; {@link BeamBackedFileSystem} makes them readable through Hadoop.
 */
public final class DistributedFiles {
  private DistributedFiles() {}

  /** The Hadoop configuration used for {@code hdfs://} paths. */
  public static Configuration configuration() {
    return HadoopFiles.configuration();
  }

  /**
   * Gives {@code options} the Hadoop configuration (Beam's own default, read from the same
   * environment, would keep a {@code file:///} {@code fs.defaultFS}).
   */
  static void configure(PipelineOptions options) {
    options.as(HadoopFileSystemOptions.class).setHdfsConfiguration(List.of(configuration()));
  }

  /**
   * Registers Beam's file systems for the driver's own operations unless {@code scheme} has one.
   * Beam keeps one registry per JVM, which every {@code Pipeline.create} replaces with its own
   * options' file systems, so this is asked before each operation, not once.
   */
  static synchronized void register(String scheme) {
    try {
      FileSystems.matchNewResource(scheme + "://registered/probe", false);
    } catch (IllegalArgumentException notRegistered) {
      PipelineOptions o = PipelineOptionsFactory.create();
      configure(o);
      FileSystems.setDefaultPipelineOptions(o);
    }
  }
}
