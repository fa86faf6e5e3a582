package dev.facesieve.datasets.recordio;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.io.HadoopFiles;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The {@code .idx} file of an IndexedRecordIO pair: one {@code key\toffset} line per record, kept
 * in file order in two primitive arrays (16 bytes a record, so 10M records take 160 MB).
 */
public final class IdxFile {
  private final long[] keys;
  private final long[] offsets;

  private IdxFile(long[] keys, long[] offsets) {
    this.keys = keys;
    this.offsets = offsets;
  }

  /**
   * Reads an index file.
   *
   * @throws InputException if the file is missing or a line is not {@code integer<TAB>integer}
   */
  public static IdxFile read(Path path) {
    try (BufferedReader r = Files.newBufferedReader(path, StandardCharsets.US_ASCII)) {
      return read(path.toString(), r);
    } catch (NoSuchFileException e) {
      throw new InputException(path, "index file not found");
    } catch (IOException e) {
      throw new InputException(path, "cannot read index file: " + e.getMessage(), e);
    }
  }

  /**
   * Reads an index file on a Hadoop file system ({@code hdfs://…}).
   *
   * @throws InputException if the file is missing or a line is not {@code integer<TAB>integer}
   */
  public static IdxFile read(URI uri) {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                HadoopFiles.fileSystem(uri).open(new org.apache.hadoop.fs.Path(uri)),
                StandardCharsets.US_ASCII))) {
      return read(uri.toString(), r);
    } catch (FileNotFoundException e) {
      throw new InputException(uri.toString(), "index file not found");
    } catch (IOException e) {
      throw new InputException(uri.toString(), "cannot read index file: " + e.getMessage(), e);
    }
  }

  private static IdxFile read(String path, BufferedReader r) throws IOException {
    long[] k = new long[1024];
    long[] o = new long[1024];
    int n = 0;
    {
      String line;
      int lineNo = 0;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        String[] parts = line.strip().split("\\s+");
        if (parts.length != 2) {
          throw new InputException(
              path, "line " + lineNo + " is not 'key<TAB>offset': '" + abbreviate(line) + "'");
        }
        try {
          if (n == k.length) {
            k = Arrays.copyOf(k, n * 2);
            o = Arrays.copyOf(o, n * 2);
          }
          k[n] = Long.parseLong(parts[0]);
          o[n] = Long.parseLong(parts[1]);
          n++;
        } catch (NumberFormatException e) {
          throw new InputException(
              path,
              "line " + lineNo + " has a non-integer key or offset: '" + abbreviate(line) + "'");
        }
      }
    }
    return new IdxFile(Arrays.copyOf(k, n), Arrays.copyOf(o, n));
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }

  public int size() {
    return keys.length;
  }

  public long key(int i) {
    return keys[i];
  }

  public long offset(int i) {
    return offsets[i];
  }

  /** The offset of the first line with this key, or -1. Linear scan: for metadata lookups only. */
  public long offsetOf(long key) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] == key) {
        return offsets[i];
      }
    }
    return -1;
  }
}
