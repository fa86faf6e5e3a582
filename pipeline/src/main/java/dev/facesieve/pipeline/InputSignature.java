package dev.facesieve.pipeline;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.io.HadoopFiles;
import dev.facesieve.datasets.io.LocalFiles;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import javax.annotation.Nullable;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * A cheap signature of a run's input for its {@code prepare} key: the names, sizes and modification
 * times of its files, hashed, so a changed input is noticed without hashing gigabytes.
 */
final class InputSignature {
  private InputSignature() {}

  /**
   * {@link #of(Path)} of a local path, or of a URI: there name, size and modification time as
   * Hadoop's file system reports them.
   */
  static String of(Location p) throws IOException {
    if (p.isLocal()) {
      return of(p.local("--input"));
    }
    URI uri = URI.create(p.toString());
    FileSystem fs = HadoopFiles.fileSystem(uri);
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
    FileStatus st;
    try {
      st = fs.getFileStatus(path);
    } catch (FileNotFoundException e) {
      throw new InputException(p.toString(), "not found");
    }
    org.apache.hadoop.fs.Path root = st.isDirectory() ? path : path.getParent();
    String prefix = fs.makeQualified(root).toUri().getPath();
    List<String> lines = new ArrayList<>();
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, st.isDirectory());
    while (files.hasNext()) {
      LocatedFileStatus f = files.next();
      String rel = f.getPath().toUri().getPath().substring(prefix.length() + 1);
      lines.add(rel + '\t' + f.getLen() + '\t' + f.getModificationTime() + '\n');
    }
    Collections.sort(lines);
    return LocalFiles.sha256(String.join("", lines));
  }

  /**
   * Name, size and modification time of every regular file under {@code p} (recursively for a
   * folder; for a file, every file beside it, which covers {@code .rec}, {@code .idx} and {@code
   * property}), hashed. Empty for null.
   */
  static String of(@Nullable Path p) throws IOException {
    if (p == null) {
      return "";
    }
    if (!Files.exists(p)) {
      throw new InputException(p, "not found");
    }
    Path root = Files.isDirectory(p) ? p : p.toAbsolutePath().getParent();
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> files = Files.isDirectory(p) ? Files.walk(root) : Files.list(root)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        sb.append(root.relativize(f))
            .append('\t')
            .append(Files.size(f))
            .append('\t')
            .append(Files.getLastModifiedTime(f).toMillis())
            .append('\n');
      }
    }
    return LocalFiles.sha256(sb.toString());
  }
}
