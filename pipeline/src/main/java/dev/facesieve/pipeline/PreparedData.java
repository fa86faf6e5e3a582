package dev.facesieve.pipeline;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.datasets.contract.StageJson;
import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a {@code facesieve prepare} output's manifest and, before a stage reads the faces, checks
 * that {@code faces/} holds exactly the Parquet files prepare wrote, each of its size and row
 * count.
 *
 * <p>Only sizes and footers are read (no image bytes), so the check costs a listing and one small
 * read per file. A file replaced, cut, extended or added since prepare would otherwise fail deep in
 * the pipeline ("not a Parquet file", "5 decisions for 4 faces") or be cleaned as if it were the
 * prepared data; here it is one line naming the file.
 */
final class PreparedData {
  private PreparedData() {}

  /**
   * Reads {@code manifest.json} of a prepare output folder on any file system.
   *
   * @throws InputException when the folder has no manifest (an unfinished or foreign folder) or it
   *     cannot be read
   */
  static PrepareManifest read(Location dir) {
    if (dir.isLocal()) {
      return PrepareManifest.read(dir.local("--input"));
    }
    Location file = dir.resolve(PrepareManifest.FILE);
    try {
      if (!file.isFile()) {
        throw new InputException(
            dir.toString(), "not a finished 'facesieve prepare' output (no manifest.json)");
      }
      return StageJson.MAPPER.readValue(file.readString(), PrepareManifest.class);
    } catch (IOException e) {
      throw new InputException(file.toString(), "cannot read: " + e.getMessage(), e);
    }
  }

  /**
   * {@link #read} and the check of {@code faces/} against the manifest's record of it (a manifest
   * without that record, from before it was written, is not checked).
   *
   * @throws InputException naming the first file that is not what prepare wrote
   */
  static PrepareManifest readChecked(Location dir) throws IOException {
    PrepareManifest m = read(dir);
    if (m.outputs() == null) {
      return m;
    }
    Set<String> written = new TreeSet<>();
    for (PrepareManifest.OutputFile f : m.outputs().faces()) {
      written.add(f.file());
      check(dir.resolve(f.file()), f);
    }
    Location faces = dir.resolve("faces");
    for (String name : faces.isDirectory() ? faces.list() : java.util.List.<String>of()) {
      if (name.endsWith(".parquet") && !written.contains("faces/" + name)) {
        throw new InputException(
            faces.resolve(name).toString(),
            "was not written by 'facesieve prepare' (its manifest does not list it); move it away"
                + " or prepare again");
      }
    }
    return m;
  }

  private static void check(Location file, PrepareManifest.OutputFile recorded) throws IOException {
    if (!file.isFile()) {
      throw new InputException(file.toString(), "missing: the prepared data is incomplete");
    }
    long bytes = file.size();
    long rows;
    try {
      rows = file.parquetRows();
    } catch (IOException | RuntimeException e) {
      throw new InputException(
          file.toString(),
          "not a Parquet file prepare wrote (" + e.getMessage() + "); prepare again",
          e);
    }
    if (bytes != recorded.bytes() || rows != recorded.rows()) {
      throw new InputException(
          file.toString(),
          String.format(
              java.util.Locale.ROOT,
              "changed since prepare wrote it (%d bytes, %d rows; the manifest says %d bytes, %d"
                  + " rows); prepare again",
              bytes,
              rows,
              recorded.bytes(),
              recorded.rows()));
    }
  }
}
