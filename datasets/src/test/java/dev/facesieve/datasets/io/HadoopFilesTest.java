package dev.facesieve.datasets.io;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import org.junit.jupiter.api.Test;

class HadoopFilesTest {
  @Test
  void aUriWithoutANameNodeSaysWhatToDo() {
    assumeTrue(
        System.getenv("HADOOP_CONF_DIR") == null && System.getenv("YARN_CONF_DIR") == null,
        "a Hadoop configuration in the environment may name a name node");
    IOException e =
        assertThrows(
            IOException.class, () -> HadoopFiles.fileSystem(URI.create("hdfs:///data/faces")));
    assertTrue(e.getMessage().startsWith("Incomplete HDFS URI"), e.getMessage());
    assertTrue(e.getMessage().contains("set HADOOP_CONF_DIR"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void remoteMeansAUriWithASchemeOtherThanFile() {
    assertTrue(HadoopFiles.isRemote("hdfs://nn:8020/x"));
    assertTrue(HadoopFiles.isRemote("hdfs:///x"));
    assertFalse(HadoopFiles.isRemote("file:///tmp/x"));
    assertFalse(HadoopFiles.isRemote("/tmp/hdfs://x"));
    assertFalse(HadoopFiles.isRemote("relative/path"));
  }
}
