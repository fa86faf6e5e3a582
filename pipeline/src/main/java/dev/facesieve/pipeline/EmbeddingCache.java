package dev.facesieve.pipeline;

import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.clean.EmbeddingCheck;
import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.datasets.io.LocalFiles;
import dev.facesieve.datasets.parquet.ParquetFile;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.model.Embedder;
import dev.facesieve.model.EmbedderKey;
import dev.facesieve.model.EmbeddingTable;
import dev.facesieve.transforms.FaceEmbedding;
import dev.facesieve.transforms.ProgressCounter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.annotation.Nullable;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.parquet.hadoop.ParquetWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The folder of per-face embeddings that {@code train} and {@code clean} share ({@code --embeddings
 * DIR}; {@code run} uses {@code <out>/embeddings}): whichever stage needs them first embeds the
 * data once, and every later stage with the same embedder and data reuses them. {@code DIR} holds
 * only {@code *.parquet} files of {@code id, label, vector}, so pandas, pyarrow or DuckDB read it
 * as one table; its record, {@code DIR.json} ({@link StoreRecord}), its lock ({@code
 * .facesieve.lock.DIR}) and, while a stage fills it, its staging folder ({@code .DIR.tmp}) lie
 * beside it.
 *
 * <p>The store may lie on any file system ({@link Location}: a local path or a URI such as {@code
 * hdfs://}). Training fills it from the driver, into a local folder ({@link #staging}: beside a
 * local store, a temporary one for a remote store, uploaded on commit); clean fills it from its
 * pipeline, into {@link #stagingLocation} on the store's own file system, where the workers write.
 *
 * <p>The store is keyed by the embedder ({@link EmbedderKey}: weights, preprocessing, size; not the
 * head, so a head-only model with another K reuses it, and a trained backbone's key changes with
 * every training) and by the prepared data's fingerprint. The record names that key and every file
 * FaceSieve wrote in the folder; nothing else there is deleted, and a folder holding anything else
 * is refused, as {@link OutputGuard} does for other outputs. Before the files are replaced the
 * record is rewritten without a key (naming the old and new files), and after them with it, so an
 * interrupted replacement is never taken for a valid store.
 */
final class EmbeddingCache implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddingCache.class);

  private final Location dir;
  private final OutputLock lock;

  /** A remote store's local folder for a driver-side fill ({@link #staging}); made on first use. */
  @Nullable private Path localStaging;

  /** A cache row as a face embedding. */
  static FaceEmbedding embeddingOf(GenericRecord r) {
    return new FaceEmbedding(
        r.get("id").toString(), (Integer) r.get("label"), FaceSchemas.floats(r.get("vector")));
  }

  /** Counter (namespace {@code EmbeddingCache}) of the stored embeddings clean has read. */
  static final String READ_COUNTER = "embeddings_read";

  /** Cache rows as face embeddings, counted ({@link #READ_COUNTER}): clean's progress on reuse. */
  static final class ToEmbedding extends DoFn<GenericRecord, FaceEmbedding> {
    private final ProgressCounter read = ProgressCounter.of(EmbeddingCache.class, READ_COUNTER);

    @ProcessElement
    public void process(@Element GenericRecord r, OutputReceiver<FaceEmbedding> out) {
      out.output(embeddingOf(r));
      read.inc();
    }
  }

  /** A face embedding as a cache row ({@link CleanSchemas#EMBEDDING}). */
  static GenericRecord row(FaceEmbedding e) {
    GenericRecord r = new GenericData.Record(CleanSchemas.EMBEDDING);
    r.put("id", e.id());
    r.put("label", e.label());
    r.put("vector", FaceSchemas.floatList(e.vector()));
    return r;
  }

  private EmbeddingCache(Location dir, OutputLock lock) {
    this.dir = dir;
    this.lock = lock;
  }

  /** The record of cache folder {@code dir}: {@code <name>.json} beside it. */
  static Location markerOf(Location dir) {
    Location d = folder(dir);
    return d.sibling(d.name() + ".json");
  }

  /** The lock of cache folder {@code dir}, beside it. */
  static Location lockOf(Location dir) {
    Location d = folder(dir);
    return d.sibling(OutputLock.FILE + "." + d.name());
  }

  /** The folder, absolute; it must lie inside another, where its record and lock go. */
  private static Location folder(Location dir) {
    if (dir.isLocal()) {
      Path d = dir.local("the embedding store").toAbsolutePath().normalize();
      if (d.getFileName() == null || d.getParent() == null) {
        throw new InputException(dir.toString(), INSIDE_ANOTHER);
      }
      return Location.of(d);
    }
    String path = URI.create(dir.toString()).getPath();
    if (path == null || path.isEmpty() || path.equals("/")) {
      throw new InputException(dir.toString(), INSIDE_ANOTHER);
    }
    return dir;
  }

  private static final String INSIDE_ANOTHER =
      "the embedding cache must be a folder inside another folder";

  /** {@link #inspect(Location)} of a local folder. */
  static OutputGuard.Ownership inspect(Path dir) throws IOException {
    return inspect(Location.of(dir));
  }

  /**
   * What FaceSieve wrote in cache folder {@code dir} (a local path or a URI); writes nothing.
   *
   * @throws InputException when the folder holds files the cache did not write, or its record's
   *     place holds a file that is not such a record
   */
  static OutputGuard.Ownership inspect(Location dir) throws IOException {
    StoreRecord m = readStoreRecord(dir);
    return OutputGuard.inspect(
        dir, OutputKind.EMBEDDINGS, m == null || m.files() == null ? List.of() : m.files());
  }

  /** {@link #open(Location)} of a local folder. */
  static EmbeddingCache open(Path dir) throws IOException {
    return open(Location.of(dir));
  }

  /**
   * Opens the cache folder (a local path or a URI), creating it when absent, and locks it.
   *
   * @throws InputException when it holds files the cache did not write or another run holds it
   */
  static EmbeddingCache open(Location dir) throws IOException {
    inspect(dir);
    dir.createDirectories();
    OutputLock lock =
        OutputLock.acquire(dir, lockOf(dir), "facesieve " + OutputKind.EMBEDDINGS.command());
    try {
      inspect(dir); // again, now that no other run can change the folder
    } catch (RuntimeException | IOException e) {
      lock.close();
      throw e;
    }
    return new EmbeddingCache(dir, lock);
  }

  @Override
  public void close() {
    try {
      if (localStaging != null) {
        LocalFiles.deleteRecursively(localStaging);
      }
    } catch (IOException e) {
      LOG.warn("{}: could not delete {}: {}", dir, localStaging, e.getMessage());
    } finally {
      lock.close();
    }
  }

  Location dir() {
    return dir;
  }

  /**
   * Whether the folder holds embeddings of this embedder for the data with this fingerprint, every
   * file as it was written and vectors of {@code dimension} values ({@link StoreRecord#check}).
   */
  StoreRecord.Reuse check(EmbedderKey embedder, String dataFingerprint, int dimension)
      throws IOException {
    StoreRecord m = readStoreRecord(dir);
    return m == null ? StoreRecord.Reuse.EMPTY : m.check(dir, embedder, dataFingerprint, dimension);
  }

  /**
   * The local folder a driver-side fill (training) stages the store's files in before {@link
   * #commit(Path, EmbedderKey, String, String)}: {@code .DIR.tmp} beside a local store; for a store
   * named by a URI a local temporary folder, which that commit uploads and deletes (and {@link
   * #close} deletes in any case).
   */
  Path staging() throws IOException {
    if (dir.isLocal()) {
      Location d = folder(dir);
      return d.sibling("." + d.name() + ".tmp").local("the store's staging");
    }
    if (localStaging == null) {
      localStaging = Files.createTempDirectory("facesieve-embeddings-");
    }
    return localStaging;
  }

  /**
   * The folder a pipeline's fill (clean) writes the store's files into before {@link
   * #commit(Location, EmbedderKey, String, String)}: {@code .DIR.tmp} beside the store, on the
   * store's own file system, so that workers elsewhere write it. Whatever an interrupted fill left
   * there is deleted first (the store's lock is held).
   */
  Location stagingLocation() throws IOException {
    Location d = folder(dir);
    Location staged = d.sibling("." + d.name() + ".tmp");
    staged.deleteRecursively();
    return staged;
  }

  /**
   * Embeds every prepared face with {@code embedder} into {@code staged}, one Parquet file per
   * prepared file and of its name, in its row order, so the store reads back in the order training
   * embedded it.
   *
   * @return the faces embedded
   */
  static long embed(
      Embedder embedder, List<ParquetFile> faceFiles, Path staged, EmbeddingTable.Progress progress)
      throws IOException {
    LocalFiles.deleteRecursively(staged);
    Files.createDirectories(staged);
    long done = 0;
    for (ParquetFile f : faceFiles) {
      try (ParquetWriter<GenericRecord> w =
          ParquetFiles.writer(staged.resolve(f.name()), CleanSchemas.EMBEDDING)) {
        done =
            EmbeddingTable.embedFile(
                embedder,
                f,
                BATCH,
                (id, label, v) -> w.write(row(new FaceEmbedding(id, label, v))),
                done,
                progress);
      }
    }
    return done;
  }

  /** Faces per inference when training embeds, as clean's {@code EmbedFaces}. */
  private static final int BATCH = 32;

  /** The embeddings the last {@link #readTable} left out as failing {@link EmbeddingCheck}. */
  private long invalidRead;

  long invalidRead() {
    return invalidRead;
  }

  /**
   * Reads the store, its files in name order, into a table file training reads rows from at random,
   * leaving out embeddings that fail {@link EmbeddingCheck} ({@link #invalidRead}); a store named
   * by a URI is streamed from there.
   */
  EmbeddingTable readTable(Path tableFile, int dimension, EmbeddingTable.Progress progress)
      throws IOException {
    invalidRead = 0;
    try (EmbeddingTable.Writer w = EmbeddingTable.writer(tableFile, dimension)) {
      long[] done = {0};
      for (String f : ParquetFiles.list(dir.spec(false))) {
        try {
          ParquetFiles.read(
              f,
              0,
              0,
              rec -> {
                FaceEmbedding e = embeddingOf(rec);
                if (EmbeddingCheck.problem(e.vector(), dimension) != null) {
                  invalidRead++; // never trained on; clean quarantines the face
                  return;
                }
                try {
                  w.add(e.label(), e.vector());
                } catch (IOException ex) {
                  throw new UncheckedIOException(ex);
                }
                if (++done[0] % 1024 == 0) {
                  progress.update(done[0]);
                }
              });
        } catch (UncheckedIOException ex) {
          throw ex.getCause();
        }
      }
      progress.update(done[0]);
      return w.finish();
    }
  }

  /**
   * {@link #commit(Location, EmbedderKey, String, String, int)} of files staged in a local folder
   * ({@link #staging}); into a store named by a URI they are uploaded.
   */
  void commit(
      Path staged, EmbedderKey embedder, String embedderName, String dataFingerprint, int dimension)
      throws IOException {
    commit(Location.of(staged), embedder, embedderName, dataFingerprint, dimension);
  }

  /**
   * Replaces the files the cache wrote with the staged ones ({@code staged}: a local folder or one
   * on the store's file system) and records them with their embedder and data last; files the cache
   * did not write stop it before anything is deleted.
   *
   * @param embedderName what embedded them, for people reading the record
   */
  void commit(
      Location staged,
      EmbedderKey embedder,
      String embedderName,
      String dataFingerprint,
      int dimension)
      throws IOException {
    dir.createDirectories();
    OutputGuard.Ownership before = inspect(dir);
    List<String> files = ParquetFiles.list(staged.spec(false));
    SortedSet<String> written = new TreeSet<>();
    for (String f : files) {
      written.add(nameOf(f));
    }
    SortedSet<String> both = new TreeSet<>(before.owned());
    both.addAll(written);
    writeStoreRecord(
        dir,
        new StoreRecord(
            KIND, null, null, null, Version.get(), List.copyOf(both), null, null, null));
    OutputGuard.deleteOwned(before);
    for (String f : files) {
      Location target = dir.resolve(nameOf(f));
      if (staged.isLocal() && !dir.isLocal()) {
        Path local = Path.of(f);
        target.copyFrom(local);
        Files.delete(local);
      } else {
        (staged.isLocal() ? Location.of(Path.of(f)) : Location.parse(f)).moveTo(target);
      }
    }
    staged.deleteRecursively();
    Map<String, StoreRecord.StoredFile> contents = new TreeMap<>();
    long rows = 0;
    for (String f : written) {
      Location file = dir.resolve(f);
      StoreRecord.StoredFile sf =
          new StoreRecord.StoredFile(file.size(), file.parquetRows(), file.sha256());
      contents.put(f, sf);
      rows += sf.rows();
    }
    writeStoreRecord(
        dir,
        new StoreRecord(
            KIND,
            embedderName,
            embedder.sha256(),
            dataFingerprint,
            Version.get(),
            List.copyOf(written),
            contents,
            rows,
            dimension));
  }

  private static String nameOf(String file) {
    return file.substring(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  }

  private static final String KIND = OutputGuard.name(OutputKind.EMBEDDINGS);

  private static void writeStoreRecord(Location dir, StoreRecord m) throws IOException {
    markerOf(dir).writeAtomically(StageJson.write(m));
  }

  /**
   * The cache's record, or null when there is none.
   *
   * @throws InputException when the record's place holds a file that is not such a record
   */
  @Nullable
  private static StoreRecord readStoreRecord(Location dir) throws IOException {
    Location f = markerOf(dir);
    if (f.exists()) {
      StoreRecord m;
      try {
        m = f.isFile() ? StageJson.MAPPER.readValue(f.readString(), StoreRecord.class) : null;
      } catch (IOException e) {
        m = null;
      }
      if (m == null || !KIND.equals(m.kind()) || m.files() == null) {
        throw new InputException(
            f.toString(),
            "is not the record of a FaceSieve embedding cache, and the cache "
                + dir
                + " keeps its record there; choose another --embeddings folder or move the file"
                + " away");
      }
      return m;
    }
    return null;
  }
}
