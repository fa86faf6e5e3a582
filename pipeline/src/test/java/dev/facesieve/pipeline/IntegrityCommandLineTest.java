package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.datasets.io.LocalFiles;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.model.EmbedderKey;
import dev.facesieve.model.ModelInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 29: a damaged embedding store or model never gives silent wrong decisions. On copies of a
 * finished head-only {@code run} (the shared MobileFaceNet, skipped without it), each damage makes
 * {@code clean} rebuild the store (and decide as on the intact one) or refuse with one line and
 * exit 2, writing nothing that looks finished.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IntegrityCommandLineTest {
  Path dir;
  Path synth;
  Path base;

  @BeforeAll
  void finishedRun(@TempDir Path tmp) throws Exception {
    dir = tmp;
    synth = EmbedOnceCommandTest.synthetic(dir.resolve("synth"));
    Path onnx = SharedData.find("models/mobilefacenet-512.onnx");
    if (onnx == null) {
      return;
    }
    base = dir.resolve("base");
    CommandLineTest.Result r =
        CommandLineTest.run(EmbedOnceCommandTest.args(synth, base, "onnx:" + onnx, "512"));
    assertEquals(0, r.code(), r.err());
  }

  /** A fresh copy of the finished run, to damage. */
  private Path copy(String name) throws IOException {
    assumeTrue(base != null, "../shared ONNX model is not present");
    return copyTree(base, dir.resolve(name));
  }

  /** Copies the folder {@code from} to {@code to}, which must not exist; returns {@code to}. */
  private static Path copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    return to;
  }

  private static CommandLineTest.Result clean(Path run, String output, String... extra) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "clean",
                "--data",
                run.resolve("prepared").toString(),
                "--model",
                run.resolve("model").toString(),
                "--output",
                output,
                "--embeddings",
                run.resolve("embeddings").toString()));
    a.addAll(List.of(extra));
    return CommandLineTest.run(a.toArray(String[]::new));
  }

  /** Rewrites every store file's rows through {@code damage}. */
  private static void damageStore(Path run, UnaryOperator<List<GenericRecord>> damage)
      throws IOException {
    for (Path f : ParquetFiles.list(run.resolve("embeddings"))) {
      List<GenericRecord> rows = damage.apply(ParquetFiles.readAll(f));
      Files.delete(f);
      ParquetFiles.write(f, CleanSchemas.EMBEDDING, rows);
    }
  }

  enum StoreDamage {
    /** Every vector moved to the next row: same ids, same schema. */
    SHUFFLED {
      @Override
      List<GenericRecord> apply(List<GenericRecord> rows) {
        List<Object> vectors = rows.stream().map(r -> r.get("vector")).toList();
        for (int i = 0; i < rows.size(); i++) {
          rows.get(i).put("vector", vectors.get((i + 1) % rows.size()));
        }
        return rows;
      }
    },
    /** Five vectors NaN. */
    NAN {
      @Override
      List<GenericRecord> apply(List<GenericRecord> rows) {
        return withVectors(rows, 5, v -> nan(v.length));
      }
    },
    /** Every vector cut to its first 256 values. */
    TRUNCATED {
      @Override
      List<GenericRecord> apply(List<GenericRecord> rows) {
        return withVectors(rows, rows.size(), v -> java.util.Arrays.copyOf(v, 256));
      }
    };

    abstract List<GenericRecord> apply(List<GenericRecord> rows);
  }

  static float[] nan(int n) {
    float[] v = new float[n];
    java.util.Arrays.fill(v, Float.NaN);
    return v;
  }

  /** The first {@code n} rows' vectors replaced by {@code f} of them. */
  static List<GenericRecord> withVectors(
      List<GenericRecord> rows, int n, UnaryOperator<float[]> f) {
    for (GenericRecord r : rows.subList(0, Math.min(n, rows.size()))) {
      r.put("vector", FaceSchemas.floatList(f.apply(FaceSchemas.floats(r.get("vector")))));
    }
    return rows;
  }

  @ParameterizedTest
  @EnumSource(StoreDamage.class)
  void aDamagedStoreIsRebuiltAndDecidesAsTheIntactOne(StoreDamage damage) throws Exception {
    Path run = copy("store-" + damage);
    damageStore(run, damage::apply);
    Path out = run.resolve("clean-again");
    CommandLineTest.Result r = clean(run, out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(
        r.out()
            .contains("clean: the embedding store " + run.resolve("embeddings") + " is rebuilt:"),
        r.out());
    Map<String, Object> s = Json.read(out.resolve("summary.json"));
    assertEquals(false, ((Map<?, ?>) s.get("options")).get("embeddings_reused"));
    long faces = PrepareManifest.read(run.resolve("prepared")).counts().prepared();
    assertEquals(faces, ((Number) s.get("faces_embedded")).longValue());
    assertEquals(
        sortedLines(base.resolve("clean/dropped.csv")),
        sortedLines(out.resolve("dropped.csv")),
        "the same decisions as on the intact store");
    // the rebuilt store is recorded and reused as it is
    r = clean(run, run.resolve("clean-third").toString());
    assertEquals(0, r.code(), r.err());
    assertFalse(r.out().contains("is rebuilt"), r.out());
  }

  /** A CSV's lines in order: the pipeline writes them in no fixed order. */
  private static List<String> sortedLines(Path csv) throws IOException {
    return Files.readAllLines(csv).stream().sorted().toList();
  }

  @Test
  void invalidVectorsRecordedAsWrittenAreQuarantinedNeitherKeptNorDropped() throws Exception {
    Path run = copy("invalid-vectors");
    Path store = run.resolve("embeddings");
    ModelInfo model = ModelInfo.read(run.resolve("model"));
    String fingerprint = PrepareManifest.read(run.resolve("prepared")).fingerprint();
    Set<String> bad = new HashSet<>();
    // as if the embedder itself had written them: the store's record hashes the damaged files
    try (EmbeddingCache cache = EmbeddingCache.open(Location.of(store))) {
      Path staged = cache.staging();
      Files.createDirectories(staged);
      for (Path f : ParquetFiles.list(store)) {
        List<GenericRecord> rows = ParquetFiles.readAll(f);
        if (bad.isEmpty()) {
          withVectors(rows, 5, v -> nan(v.length));
          rows.get(5).put("vector", FaceSchemas.floatList(new float[512]));
          rows.subList(0, 6).forEach(row -> bad.add(row.get("id").toString()));
        }
        ParquetFiles.write(staged.resolve(f.getFileName()), CleanSchemas.EMBEDDING, rows);
      }
      cache.commit(staged, EmbedderKey.of(model), "test", fingerprint, 512);
    }
    Path out = run.resolve("clean-again");
    CommandLineTest.Result r = clean(run, out.toString());
    assertEquals(0, r.code(), r.err());
    Map<String, Object> s = Json.read(out.resolve("summary.json"));
    assertEquals(true, ((Map<?, ?>) s.get("options")).get("embeddings_reused"));
    assertEquals(
        6L,
        ((Number) ((Map<?, ?>) s.get("quarantined_by_reason")).get("EMBEDDING_INVALID"))
            .longValue());
    Set<String> quarantined = new HashSet<>();
    for (Path f : ParquetFiles.list(out.resolve("quarantine"))) {
      for (GenericRecord q : ParquetFiles.readAll(f)) {
        quarantined.add(q.get("id").toString());
        assertEquals("EMBEDDING_INVALID", q.get("reason").toString());
      }
    }
    assertEquals(bad, quarantined);
    long prepared = PrepareManifest.read(run.resolve("prepared")).counts().prepared();
    long kept = ((Number) s.get("kept")).longValue();
    long dropped = ((Number) s.get("dropped")).longValue();
    assertEquals(prepared, kept + dropped + 6, "every face kept, dropped or quarantined");
    for (String table : List.of("kept", "dropped")) {
      for (Path f : ParquetFiles.list(out.resolve(table))) {
        for (GenericRecord g : ParquetFiles.readAll(f)) {
          assertFalse(bad.contains(g.get("id").toString()), g.get("id") + " in " + table);
        }
      }
    }
    assertTrue(r.out().contains("EMBEDDING_INVALID"), r.out());
  }

  /** Rewrites {@code centres.parquet} through {@code damage}; optionally forgets its hash. */
  private static void damageCentres(
      Path run, UnaryOperator<List<GenericRecord>> damage, boolean forgetHash) throws IOException {
    Path f = run.resolve("model/centres.parquet");
    List<GenericRecord> rows = damage.apply(ParquetFiles.readAll(f));
    Files.delete(f);
    ParquetFiles.write(f, dev.facesieve.model.ModelDirectory.CENTRES, rows);
    if (forgetHash) {
      editModelJson(run, j -> j.replaceAll(",?\\s*\"centres_sha256\"\\s*:\\s*\"[0-9a-f]+\"", ""));
    }
  }

  private static void editModelJson(Path run, UnaryOperator<String> edit) throws IOException {
    Path json = run.resolve("model/model.json");
    Files.writeString(json, edit.apply(Files.readString(json)));
  }

  private void assertRefused(Path run, String... words) throws IOException {
    Path out = run.resolve("clean-again");
    CommandLineTest.Result r = clean(run, out.toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    for (String w : words) {
      assertTrue(r.err().contains(w), r.err());
    }
    assertFalse(Files.exists(out.resolve("summary.json")), "nothing that looks finished");
    assertFalse(Files.exists(out.resolve("kept")), "nothing that looks finished");
  }

  @Test
  void nanCentreRowsAreRefused() throws Exception {
    Path run = copy("centres-nan");
    damageCentres(run, rows -> withVectors(rows, 2, v -> nan(v.length)), false);
    assertRefused(run, "centres.parquet", "SHA-256");
    damageCentres(run, rows -> rows, true);
    assertRefused(run, "centres.parquet", "row 0", "not finite");
  }

  @Test
  void twoSubCentresWhereModelJsonSaysThreeAreRefused() throws Exception {
    Path run = copy("centres-k2");
    UnaryOperator<List<GenericRecord>> k2 =
        rows ->
            new ArrayList<>(rows.stream().filter(r -> (Integer) r.get("sub_center") < 2).toList());
    damageCentres(run, k2, false);
    assertRefused(run, "centres.parquet", "SHA-256");
    damageCentres(run, rows -> rows, true);
    assertRefused(
        run,
        "centres.parquet",
        "row 2 is class 1, sub-centre 0 where model.json (K=3) puts class 0, sub-centre 2");
  }

  @Test
  void modelJsonThatDisagreesWithItsCentresIsRefused() throws Exception {
    Path run = copy("model-json");
    editModelJson(run, j -> j.replace("\"embedding_size\" : 512", "\"embedding_size\" : 128"));
    assertRefused(run, "centres.parquet", "512 values", "128 dimensions");
    editModelJson(run, j -> j.replace("\"embedding_size\" : 128", "\"embedding_size\" : 512"));
    editModelJson(run, j -> j.replace("\"sub_centers\" : 3", "\"sub_centers\" : 5"));
    assertRefused(run, "centres.parquet", "(K=5) puts class 0, sub-centre 3");
  }

  @Test
  void anOnnxBackboneThatChangedIsRefused() throws Exception {
    Path run = copy("onnx-changed");
    Path onnx = run.resolve("other.onnx");
    Files.copy(Path.of(ModelInfo.read(run.resolve("model")).onnx()), onnx);
    Files.write(onnx, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
    String recorded = ModelInfo.read(run.resolve("model")).onnx();
    editModelJson(run, j -> j.replace(recorded, onnx.toString()));
    assertRefused(run, onnx.toString(), "SHA-256");
    assertTrue(LocalFiles.sha256(onnx).length() == 64);
  }

  @Test
  void pathsThatStartLikeAUriAreRefusedNotMadeLocalFolders() throws Exception {
    Path run = copy("uri-like");
    for (String bad : List.of("hdfs:/data/x", "ftp:x")) {
      CommandLineTest.Result r = clean(run, bad);
      assertEquals(2, r.code(), r.out() + r.err());
      assertTrue(r.err().contains(bad + ": starts like a URI but is not one"), r.err());
      assertFalse(Files.exists(Path.of(bad.substring(0, bad.indexOf(':') + 1))), bad);
    }
    CommandLineTest.Result r =
        clean(run, run.resolve("c").toString(), "--exclude-identities-of", "hdfs:/lfw");
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("starts like a URI but is not one"), r.err());
  }

  @Test
  void excludingTheDataItselfIsRefused() throws Exception {
    Path run = copy("self-exclusion");
    for (Path self : List.of(synth, run.resolve("prepared"))) {
      Path out = run.resolve("clean-self");
      CommandLineTest.Result r =
          clean(run, out.toString(), "--exclude-identities-of", self.toString());
      assertEquals(2, r.code(), r.out() + r.err());
      assertTrue(r.err().contains("is the data being cleaned"), r.err());
      assertFalse(Files.exists(out), "refused before any work");
    }
    // a copy of the input elsewhere is found by what it removes: every class
    Path copyOfInput = copyTree(synth, run.resolve("copy-of-input"));
    Path out = run.resolve("clean-copy");
    CommandLineTest.Result r =
        clean(run, out.toString(), "--exclude-identities-of", copyOfInput.toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("matched every class (5 of 5)"), r.err());
    assertFalse(Files.exists(out.resolve("summary.json")), "nothing that looks finished");
  }

  /**
   * Prepared data changed since prepare failed deep in the pipeline, exit 1 ("not a Parquet file",
   * "5 decisions for 4 faces"); now one line naming the file.
   */
  @Test
  void preparedFilesChangedSincePrepareAreOneLineExit2() throws Exception {
    Path run = copy("prepared-changed");
    Path faces = ParquetFiles.list(run.resolve("prepared/faces")).get(0);
    byte[] original = Files.readAllBytes(faces);
    Files.writeString(faces, "not parquet");
    assertRefused(run, faces.toString(), "not a Parquet file prepare wrote");

    Files.write(faces, original);
    List<GenericRecord> rows = ParquetFiles.readAll(faces);
    Files.delete(faces);
    ParquetFiles.write(faces, FaceSchemas.FACE, rows.subList(1, rows.size()));
    assertRefused(run, faces.toString(), "changed since prepare wrote it");

    Files.write(faces, original);
    Path extra = faces.resolveSibling("extra.parquet");
    Files.write(extra, original);
    assertRefused(run, extra.toString(), "was not written by 'facesieve prepare'");
  }

  @Test
  void aLockThatIsAFolderIsOneLineExit2() throws Exception {
    Path run = copy("lock-folder");
    Path out = run.resolve("clean-locked");
    Files.createDirectories(out.resolve(OutputLock.FILE));
    CommandLineTest.Result r = clean(run, out.toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains("is a folder where FaceSieve keeps the lock"), r.err());
  }
}
