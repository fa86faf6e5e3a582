package dev.facesieve.pipeline;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.datasets.io.LocalFiles;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.model.ModelInfo;
import dev.facesieve.transforms.FaceEmbedding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import javax.annotation.Nullable;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The folder of per-face embeddings that {@code clean} keeps for later cleanings of the same data
 * with the same model ({@code --embeddings DIR}): {@code DIR} holds only {@code *.parquet} files of
 * {@code id, label, vector}, so pandas, pyarrow or DuckDB read it as one table; its record, {@code
 * DIR.json} ({@link Marker}), and its lock ({@code .facesieve.lock.DIR}) lie beside it.
 *
 * <p>The record names the model and data the embeddings belong to and every file FaceSieve wrote in
 * the folder; nothing else there is deleted, and a folder holding anything else is refused, as
 * {@link OutputGuard} does for other outputs. The cache is valid only while the record's model hash
 * and data fingerprint equal the run's: before the files are replaced the record is rewritten
 * without them (naming the old and new files), and after them with them, so an interrupted
 * replacement is never taken for a valid cache.
 *
 * <p>Caches written before this layout (record {@code embeddings.json} and {@code
 * .facesieve-owned.json} inside the folder) are moved to it when opened: their embeddings are
 * reused, since re-embedding a large dataset takes hours.
 */
final class EmbeddingCache implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddingCache.class);

  /** The record's name inside caches written before it moved beside the folder. */
  static final String LEGACY_MARKER = "embeddings.json";

  /**
   * {@code DIR.json}; keys alphabetical as the record has always been written.
   *
   * @param kind always {@code embeddings}: tells this record from a user's JSON file
   * @param model the model folder; null while the files are being replaced
   * @param files the files FaceSieve wrote in the folder (null in records from before the move)
   */
  @JsonPropertyOrder(alphabetic = true)
  record Marker(
      @Nullable String kind,
      @Nullable String model,
      @Nullable String modelSha256,
      @Nullable String dataFingerprint,
      @Nullable String facesieveVersion,
      @Nullable List<String> files) {}

  private final Path dir;
  private final OutputLock lock;

  /** A cache row as a face embedding. */
  static FaceEmbedding embeddingOf(GenericRecord r) {
    return new FaceEmbedding(
        r.get("id").toString(), (Integer) r.get("label"), FaceSchemas.floats(r.get("vector")));
  }

  /** A face embedding as a cache row ({@link CleanSchemas#EMBEDDING}). */
  static GenericRecord row(FaceEmbedding e) {
    GenericRecord r = new GenericData.Record(CleanSchemas.EMBEDDING);
    r.put("id", e.id());
    r.put("label", e.label());
    r.put("vector", FaceSchemas.floatList(e.vector()));
    return r;
  }

  private EmbeddingCache(Path dir, OutputLock lock) {
    this.dir = dir;
    this.lock = lock;
  }

  /** The record of cache folder {@code dir}: {@code <name>.json} beside it. */
  static Path markerOf(Path dir) {
    Path d = folder(dir);
    return d.resolveSibling(d.getFileName() + ".json");
  }

  /** The lock of cache folder {@code dir}, beside it. */
  static Path lockOf(Path dir) {
    Path d = folder(dir);
    return d.resolveSibling(OutputLock.FILE + "." + d.getFileName());
  }

  private static Path folder(Path dir) {
    Path d = dir.toAbsolutePath().normalize();
    if (d.getFileName() == null || d.getParent() == null) {
      throw new InputException(dir, "the embedding cache must be a folder inside another folder");
    }
    return d;
  }

  /**
   * What FaceSieve wrote in cache folder {@code dir}; writes nothing.
   *
   * @throws InputException when the folder holds files the cache did not write, or its record's
   *     place holds a file that is not such a record
   */
  static OutputGuard.Ownership inspect(Path dir) throws IOException {
    Marker m = readMarker(dir);
    if (isLegacy(dir)) {
      return OutputGuard.inspect(dir, OutputKind.EMBEDDINGS);
    }
    return OutputGuard.inspect(
        dir, OutputKind.EMBEDDINGS, m == null || m.files() == null ? List.of() : m.files());
  }

  /**
   * Opens the cache folder, creating it when absent, locks it and moves a cache of the earlier
   * layout to this one.
   *
   * @throws InputException when it holds files the cache did not write or another run holds it
   */
  static EmbeddingCache open(Path dir) throws IOException {
    inspect(dir);
    Files.createDirectories(dir);
    OutputLock lock =
        OutputLock.acquire(dir, lockOf(dir), "facesieve " + OutputKind.EMBEDDINGS.command());
    try {
      OutputGuard.Ownership o = inspect(dir);
      if (isLegacy(dir)) {
        moveRecordOut(dir, o);
      }
    } catch (RuntimeException | IOException e) {
      lock.close();
      throw e;
    }
    return new EmbeddingCache(dir, lock);
  }

  @Override
  public void close() {
    lock.close();
  }

  Path dir() {
    return dir;
  }

  /** True when the folder holds embeddings of this model for the data with this fingerprint. */
  boolean matches(ModelInfo model, String dataFingerprint) throws IOException {
    Marker m = readMarker(dir);
    if (m == null || m.files() == null || m.files().isEmpty()) {
      return false;
    }
    for (String f : m.files()) {
      if (!Files.isRegularFile(dir.resolve(f))) {
        return false;
      }
    }
    return model.sha256().equals(m.modelSha256()) && dataFingerprint.equals(m.dataFingerprint());
  }

  /**
   * Replaces the files the cache wrote with the staged ones and records them with their model and
   * data last; files the cache did not write stop it before anything is deleted.
   */
  void commit(Path staged, ModelInfo model, String dataFingerprint) throws IOException {
    Files.createDirectories(dir);
    OutputGuard.Ownership before = inspect(dir);
    List<Path> files = ParquetFiles.list(staged);
    SortedSet<String> written = new TreeSet<>();
    for (Path f : files) {
      written.add(f.getFileName().toString());
    }
    SortedSet<String> both = new TreeSet<>(before.owned());
    both.addAll(written);
    writeMarker(dir, new Marker(KIND, null, null, null, Version.get(), List.copyOf(both)));
    OutputGuard.deleteOwned(before);
    for (Path f : files) {
      Files.move(f, dir.resolve(f.getFileName()));
    }
    LocalFiles.deleteRecursively(staged);
    writeMarker(
        dir,
        new Marker(
            KIND,
            model.directory(),
            model.sha256(),
            dataFingerprint,
            Version.get(),
            List.copyOf(written)));
  }

  private static final String KIND = OutputGuard.name(OutputKind.EMBEDDINGS);

  /** A cache of the earlier layout: its record inside the folder. */
  private static boolean isLegacy(Path dir) {
    return Files.exists(dir.resolve(LEGACY_MARKER)) || Files.exists(dir.resolve(OutputGuard.OWNED));
  }

  /**
   * Moves the records of an earlier layout's cache beside it: the new record names the files the
   * old ones did, and keeps their model and data when the cache was complete.
   */
  private static void moveRecordOut(Path dir, OutputGuard.Ownership o) throws IOException {
    Path old = dir.resolve(LEGACY_MARKER);
    // the old record, or the new one when an earlier move stopped after deleting the old one
    Marker m =
        Files.isRegularFile(old)
            ? StageJson.read(old, Marker.class)
            : Files.isRegularFile(markerOf(dir)) ? readMarker(dir) : null;
    List<String> files = o.owned().stream().filter(f -> !f.equals(LEGACY_MARKER)).toList();
    writeMarker(
        dir,
        new Marker(
            KIND,
            m == null ? null : m.model(),
            m == null ? null : m.modelSha256(),
            m == null ? null : m.dataFingerprint(),
            m == null || m.facesieveVersion() == null ? Version.get() : m.facesieveVersion(),
            files));
    Files.deleteIfExists(old);
    Files.deleteIfExists(dir.resolve("." + LEGACY_MARKER + ".tmp"));
    Files.deleteIfExists(dir.resolve(OutputGuard.OWNED));
    Files.deleteIfExists(dir.resolve("." + OutputGuard.OWNED + ".tmp"));
    LOG.info("{}: moved the cache's records beside it, to {}", dir, markerOf(dir));
  }

  private static void writeMarker(Path dir, Marker m) throws IOException {
    LocalFiles.writeAtomically(markerOf(dir), StageJson.write(m));
  }

  /**
   * The cache's record, or null when there is none; an earlier layout's record inside the folder
   * when there is no record beside it.
   *
   * @throws InputException when the record's place holds a file that is not such a record
   */
  @Nullable
  private static Marker readMarker(Path dir) throws IOException {
    Path f = markerOf(dir);
    if (Files.exists(f)) {
      Marker m;
      try {
        m = Files.isRegularFile(f) ? StageJson.read(f, Marker.class) : null;
      } catch (IOException e) {
        m = null;
      }
      if (m == null || !KIND.equals(m.kind()) || m.files() == null) {
        throw new InputException(
            f,
            "is not the record of a FaceSieve embedding cache, and the cache "
                + dir
                + " keeps its record there; choose another --embeddings folder or move the file"
                + " away");
      }
      return m;
    }
    Path legacy = dir.resolve(LEGACY_MARKER);
    return Files.isRegularFile(legacy) ? StageJson.read(legacy, Marker.class) : null;
  }
}
