package dev.facesieve.pipeline;

import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.hdfs.HadoopFileSystemOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.hadoop.conf.Configuration;

/**
 * Registers Beam's Hadoop file system ({@code hdfs://}, {@code webhdfs://} and the scheme of {@code
 * fs.defaultFS}) with the Hadoop configuration of the environment, for the driver's own file
 * operations ({@link Location}) and for every pipeline a stage builds ({@link Runners#options}).
 *
 * <p>The configuration is the one Beam reads from {@code HADOOP_CONF_DIR} / {@code YARN_CONF_DIR}
 * ({@code core-site.xml}, {@code hdfs-site.xml}); without those, none, which reaches a name node
 * named in full ({@code hdfs://host:port/path}). Its values are copied into a configuration without
 * Hadoop's default resources, and an {@code fs.defaultFS} that is missing or {@code file:///} is
 * set to {@code hdfs:///}. Beam registers its Hadoop file system for the scheme of {@code
 * fs.defaultFS} only (and for {@code hdfs}, {@code webhdfs}, {@code viewfs} when {@code
 * dfs.nameservices} is set): with {@code file:///} it would claim {@code file} too and every
 * pipeline would fail ("Scheme: [file] has conflicting filesystems"), and a configuration with
 * default resources gets {@code core-default.xml}'s {@code file:///} back whenever Hadoop adds a
 * default resource (loading HDFS's client does). FaceSieve names every HDFS path in full, so the
 * default file system itself is never used. Other schemes ({@code gs://} with {@code -Pdataflow},
 * {@code s3://} with Beam's AWS module) register themselves from the pipeline options as usual.
 */
public final class DistributedFiles {
  private static final String DEFAULT_FS = "fs.defaultFS";

  @Nullable private static Configuration configuration;

  private DistributedFiles() {}

  /** The Hadoop configuration used for {@code hdfs://} paths. */
  public static synchronized Configuration configuration() {
    if (configuration == null) {
      List<Configuration> fromEnv =
          PipelineOptionsFactory.create().as(HadoopFileSystemOptions.class).getHdfsConfiguration();
      Configuration c = new Configuration(false);
      if (fromEnv != null && !fromEnv.isEmpty()) {
        for (Map.Entry<String, String> e : fromEnv.get(0)) {
          c.set(e.getKey(), e.getValue());
        }
      }
      String defaultFs = c.get(DEFAULT_FS);
      if (defaultFs == null || defaultFs.startsWith("file:")) {
        c.set(DEFAULT_FS, "hdfs:///");
      }
      configuration = c;
    }
    return configuration;
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
