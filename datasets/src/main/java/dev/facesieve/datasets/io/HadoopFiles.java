package dev.facesieve.datasets.io;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The one home of the Hadoop configuration for files named by a URI ({@code hdfs://host:port/…})
 * and of the few reads an input elsewhere needs: a file system for a URI, a SHA-256.
 *
 * <p>The configuration holds what {@code core-site.xml} and {@code hdfs-site.xml} of the first of
 * {@code HADOOP_CONF_DIR}, {@code YARN_CONF_DIR} that has one say (the folders Beam's Hadoop file
 * system reads), copied into a configuration without Hadoop's default resources, and an {@code
 * fs.defaultFS} that is missing or {@code file:///} becomes {@code hdfs:///}. A configuration with
 * default resources gets {@code core-default.xml}'s {@code file:///} back whenever Hadoop adds a
 * default resource (loading HDFS's client does), and with {@code file:///} Beam's Hadoop file
 * system claims the {@code file} scheme and every local pipeline fails ("Scheme: [file] has
 * conflicting filesystems"). FaceSieve names every remote path in full, so the default file system
 * itself is never used. Without those files a name node named in full is still reached.
 */
public final class HadoopFiles {
  private static final String DEFAULT_FS = "fs.defaultFS";
  private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://.*");

  @Nullable private static Configuration configuration;

  private HadoopFiles() {}

  /** True when {@code s} is a URI with a scheme, other than {@code file}. */
  public static boolean isRemote(String s) {
    return SCHEME.matcher(s).matches() && !s.startsWith("file:");
  }

  /** A name that starts like a URI's scheme: two or more letters, digits, {@code +.-}, a colon. */
  private static final Pattern SCHEME_LIKE = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]+:.*");

  /**
   * Refuses a name that starts with a scheme but is not a URI with an authority part ({@code
   * hdfs:/data/x}, {@code ftp:x}): taken as a local path it would become a folder named {@code
   * hdfs:}. One letter and a colon ({@code C:}) is a drive, not a scheme; {@code file:} names are
   * local paths and are left to their own parsing.
   *
   * @throws dev.facesieve.datasets.InputException naming {@code s} and how to write it
   */
  public static void checkNotMalformedUri(String s) {
    if (!isRemote(s) && !s.startsWith("file:") && SCHEME_LIKE.matcher(s).matches()) {
      String scheme = s.substring(0, s.indexOf(':'));
      throw new dev.facesieve.datasets.InputException(
          s,
          "starts like a URI but is not one: write "
              + scheme
              + ":///path or "
              + scheme
              + "://host:port/path, or ./"
              + s
              + " for a local path");
    }
  }

  /** The Hadoop configuration for remote paths (see the class comment). */
  public static synchronized Configuration configuration() {
    if (configuration == null) {
      Configuration c = new Configuration(false);
      for (Configuration fromEnv : fromEnvironment()) {
        for (Map.Entry<String, String> e : fromEnv) {
          c.set(e.getKey(), e.getValue());
        }
        break;
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
   * The configurations of {@code HADOOP_CONF_DIR} and {@code YARN_CONF_DIR}, as Beam reads them.
   */
  private static List<Configuration> fromEnvironment() {
    List<Configuration> out = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (String var : List.of("HADOOP_CONF_DIR", "YARN_CONF_DIR")) {
      String dirs = System.getenv(var);
      if (dirs == null || dirs.isBlank()) {
        continue;
      }
      for (String dir : dirs.split(File.pathSeparator)) {
        if (dir.isBlank() || seen.contains(dir) || !new File(dir).isDirectory()) {
          continue;
        }
        seen.add(dir);
        Configuration c = new Configuration(false);
        boolean loaded = false;
        for (String name : List.of("core-site.xml", "hdfs-site.xml")) {
          File f = new File(dir, name);
          if (f.isFile()) {
            c.addResource(new Path(f.getAbsolutePath()));
            loaded = true;
          }
        }
        if (loaded) {
          out.add(c);
        }
      }
    }
    return out;
  }

  /**
   * The Hadoop file system of a URI. A URI without a name node ({@code hdfs:///…}) when no
   * configuration names one gets Hadoop's "Incomplete HDFS URI, no host" with what to do about it.
   */
  public static FileSystem fileSystem(URI uri) throws IOException {
    try {
      return FileSystem.get(uri, configuration());
    } catch (IOException e) {
      if (String.valueOf(e.getMessage()).startsWith("Incomplete HDFS URI")) {
        throw new IOException(e.getMessage() + "; " + NO_NAME_NODE, e);
      }
      throw e;
    }
  }

  /** What to do when a URI names no name node and no configuration gives one. */
  static final String NO_NAME_NODE =
      "name the name node in the URI (hdfs://host:port/...) or set HADOOP_CONF_DIR to the folder"
          + " holding the cluster's core-site.xml";

  /** Lower-case hex SHA-256 of a remote file's bytes, streamed in 1 MiB reads. */
  public static String sha256(URI file) throws IOException {
    Hasher h = Hashing.sha256().newHasher();
    byte[] buf = new byte[1 << 20];
    try (InputStream in = fileSystem(file).open(new Path(file))) {
      int n;
      while ((n = in.read(buf)) > 0) {
        h.putBytes(buf, 0, n);
      }
    }
    return h.hash().toString();
  }
}
