package dev.facesieve.datasets.parquet;

import dev.facesieve.datasets.io.HadoopFiles;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.fs.FileStatus;
import org.apache.parquet.hadoop.ParquetReader;

/**
 * A Parquet file named by a local path or by a URI ({@code hdfs://…}): what training streams its
 * prepared faces from, wherever {@code prepare} wrote them.
 *
 * @param location an absolute local path, or a URI with a scheme other than {@code file}
 */
public record ParquetFile(String location) {
  /** A local file. */
  public static ParquetFile of(Path p) {
    return new ParquetFile(p.toAbsolutePath().toString());
  }

  /**
   * The {@code .parquet} files directly inside {@code folder} (a local path or a URI), sorted by
   * name, so that a folder and its copy elsewhere list in the same order; empty when absent.
   */
  public static List<ParquetFile> list(String folder) throws IOException {
    List<ParquetFile> out = new ArrayList<>();
    if (!HadoopFiles.isRemote(folder)) {
      for (Path p : ParquetFiles.list(Path.of(folder))) {
        out.add(of(p));
      }
      return out;
    }
    String dir = folder.endsWith("/") ? folder.substring(0, folder.length() - 1) : folder;
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(URI.create(dir));
    FileStatus[] files;
    try {
      files = HadoopFiles.fileSystem(URI.create(dir)).listStatus(path);
    } catch (FileNotFoundException e) {
      return out;
    }
    List<String> names = new ArrayList<>();
    for (FileStatus st : files) {
      String name = st.getPath().getName();
      if (st.isFile() && name.endsWith(".parquet")) {
        names.add(name);
      }
    }
    names.sort(null);
    for (String name : names) {
      out.add(new ParquetFile(dir + "/" + name));
    }
    return out;
  }

  /** The file's own name, without its folder. */
  public String name() {
    int slash = location.lastIndexOf('/');
    return slash < 0 ? location : location.substring(slash + 1);
  }

  /** Opens a pull-style reader over the whole file; {@code read()} returns null at the end. */
  public ParquetReader<GenericRecord> open() throws IOException {
    return ParquetFiles.open(location);
  }

  @Override
  public String toString() {
    return location;
  }
}
