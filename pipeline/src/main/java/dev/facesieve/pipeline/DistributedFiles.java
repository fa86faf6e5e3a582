package dev.facesieve.pipeline;

import java.util.List;
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
 * ({@code core-site.xml}, {@code hdfs-site.xml}); without those, Hadoop's defaults, which reach a
 * name node named in full ({@code hdfs://host:port/path}). An {@code fs.defaultFS} of {@code
 * file:///} is left out: the local file system stays Beam's own. Other schemes ({@code gs://} with
 * {@code -Pdataflow}, {@code s3://} with Beam's AWS module) register themselves from the pipeline
 * options as usual.
 */
public final class DistributedFiles {
  @Nullable private static Configuration configuration;
  @Nullable private static PipelineOptions registered;

  private DistributedFiles() {}

  /** The Hadoop configuration used for {@code hdfs://} paths. */
  public static synchronized Configuration configuration() {
    if (configuration == null) {
      List<Configuration> fromEnv =
          PipelineOptionsFactory.create().as(HadoopFileSystemOptions.class).getHdfsConfiguration();
      Configuration c = fromEnv == null || fromEnv.isEmpty() ? new Configuration() : fromEnv.get(0);
      String defaultFs = c.get("fs.defaultFS");
      if (defaultFs != null && defaultFs.startsWith("file:")) {
        c.unset("fs.defaultFS");
      }
      configuration = c;
    }
    return configuration;
  }

  /**
   * Uses {@code c} from now on (a test's {@code MiniDFSCluster}, or an embedding application's
   * configuration) and registers it.
   */
  public static synchronized void use(Configuration c) {
    configuration = c;
    registered = null;
    register();
  }

  /** Gives {@code options} the Hadoop configuration unless they carry one already. */
  static void configure(PipelineOptions options) {
    HadoopFileSystemOptions h = options.as(HadoopFileSystemOptions.class);
    if (h.getHdfsConfiguration() == null || h.getHdfsConfiguration().isEmpty()) {
      h.setHdfsConfiguration(List.of(configuration()));
    }
  }

  /** Registers Beam's file systems for the driver's own operations, once. */
  static synchronized void register() {
    if (registered == null) {
      PipelineOptions o = PipelineOptionsFactory.create();
      configure(o);
      FileSystems.setDefaultPipelineOptions(o);
      registered = o;
    }
  }
}
