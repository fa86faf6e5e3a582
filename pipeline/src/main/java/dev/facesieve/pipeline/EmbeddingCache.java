package dev.facesieve.pipeline;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.FaceSchemas;
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
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The folder of per-face embeddings that {@code clean} keeps for later cleanings of the same data
 * with the same model ({@code --embeddings DIR}): {@code *.parquet} files of {@code id, label,
 * vector} and a marker, {@code embeddings.json}, naming the model and data they belong to.
 *
 * <p>The cache is valid only while the marker's model hash and data fingerprint equal the run's;
 * the marker is removed before the files are replaced and written after them, so an interrupted
 * replacement is never taken for a valid cache. The folder is an output of {@link
 * OutputKind#EMBEDDINGS}: {@link #open} refuses one holding files FaceSieve did not write there and
 * holds its {@link OutputLock} until {@link #close}; {@link #commit} replaces only the files the
 * cache wrote.
 */
final class EmbeddingCache implements AutoCloseable {
  static final String MARKER = "embeddings.json";

  /** {@code embeddings.json}; keys alphabetical as it has always been written. */
  @JsonPropertyOrder(alphabetic = true)
  record Marker(
      String model, String modelSha256, String dataFingerprint, String facesieveVersion) {}

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

  /**
   * Opens the cache folder, creating it when absent, and locks it.
   *
   * @throws dev.facesieve.datasets.InputException when it holds files the cache did not write or
   *     another run holds it
   */
  static EmbeddingCache open(Path dir) throws IOException {
    OutputGuard.inspect(dir, OutputKind.EMBEDDINGS);
    Files.createDirectories(dir);
    OutputLock lock = OutputLock.acquire(dir, "facesieve " + OutputKind.EMBEDDINGS.command());
    try {
      OutputGuard.inspect(dir, OutputKind.EMBEDDINGS);
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
    Path marker = dir.resolve(MARKER);
    if (!Files.isRegularFile(marker)) {
      return false;
    }
    Marker m = StageJson.read(marker, Marker.class);
    return model.sha256().equals(m.modelSha256()) && dataFingerprint.equals(m.dataFingerprint());
  }

  /**
   * Replaces the files the cache wrote with the staged ones and writes the marker last; files the
   * cache did not write stop it before anything is deleted.
   */
  void commit(Path staged, ModelInfo model, String dataFingerprint) throws IOException {
    Files.createDirectories(dir);
    OutputGuard.Ownership before = OutputGuard.inspect(dir, OutputKind.EMBEDDINGS);
    List<Path> files = ParquetFiles.list(staged);
    SortedSet<String> written = new TreeSet<>();
    written.add(MARKER);
    for (Path f : files) {
      written.add(f.getFileName().toString());
    }
    SortedSet<String> both = new TreeSet<>(before.owned());
    both.addAll(written);
    OutputGuard.record(dir, OutputKind.EMBEDDINGS, both);
    Files.deleteIfExists(dir.resolve(MARKER));
    OutputGuard.deleteOwned(before);
    for (Path f : files) {
      Files.move(f, dir.resolve(f.getFileName()));
    }
    LocalFiles.deleteRecursively(staged);
    Marker m = new Marker(model.directory(), model.sha256(), dataFingerprint, Version.get());
    Files.writeString(dir.resolve(MARKER), StageJson.write(m));
    OutputGuard.record(dir, OutputKind.EMBEDDINGS, written);
  }
}
