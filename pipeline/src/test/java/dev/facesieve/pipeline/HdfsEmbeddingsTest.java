package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.model.EmbedderKey;
import dev.facesieve.model.EmbeddingTable;
import dev.facesieve.transforms.FaceEmbedding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.parquet.hadoop.ParquetWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 point 4: the embedding store named by an {@code hdfs://} URI ({@code clean --embeddings
 * hdfs://…}) is filled by clean's pipeline and reused by the next clean, and a clean whose output
 * is on HDFS reads {@code kept/} and {@code dropped/} where they lie instead of copying them to
 * local disk, deciding as a local clean does (RecordIO included). On a real in-process HDFS ({@code
 * MiniDFSCluster}, set up as {@link HdfsOutputTest} does).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HdfsEmbeddingsTest {
  MiniDFSCluster cluster;
  String root;
  Path dir;
  Path prepared;
  Path model;
  Path reference; // a local clean, --emit-recordio, no store
  long faces;

  @BeforeAll
  void start(@TempDir Path base) throws Exception {
    cluster = HdfsOutputTest.startCluster(base);
    root = HdfsOutputTest.root(cluster);
    dir = base;
    prepared = OwnershipTest.synthPrepared(base);
    model = base.resolve("model");
    OwnershipTest.trainTiny(prepared, model);
    reference = base.resolve("reference");
    clean(reference.toString(), "--emit-recordio");
    JsonNode r = summary(Location.of(reference));
    faces = r.get("kept").asLong() + r.get("dropped").asLong();
    assertTrue(r.get("kept").asLong() > 0 && r.get("dropped").asLong() > 0, r.toString());
  }

  @AfterAll
  void stop() {
    DriverFolder.root = Path.of(System.getProperty("java.io.tmpdir"));
    if (cluster != null) {
      cluster.shutdown();
    }
  }

  private CommandLineTest.Result clean(String output, String... extra) {
    List<String> a =
        new java.util.ArrayList<>(
            List.of(
                "clean",
                "--input",
                prepared.toString(),
                "--model",
                model.toString(),
                "--output",
                output));
    a.addAll(List.of(extra));
    return OwnershipTest.ok(a.toArray(String[]::new));
  }

  @Test
  void aStoreOnHdfsIsFilledOnceThenReusedWithAnotherThreshold() throws Exception {
    String store = root + "/stores/first";
    Path filled = dir.resolve("filled");
    clean(filled.toString(), "--embeddings", store);
    JsonNode s = summary(Location.of(filled));
    assertEquals(faces, s.get("faces_embedded").asLong(), "the first run embeds every face");
    assertFalse(s.get("options").get("embeddings_reused").asBoolean());
    assertEquals(store, s.get("options").get("embeddings").asText());
    assertEquals(dropped(Location.of(reference)), dropped(Location.of(filled)));
    assertEquals(counts(summary(Location.of(reference))), counts(s));

    Location st = Location.parse(store);
    assertTrue(st.list().stream().allMatch(f -> f.endsWith(".parquet")), st.list().toString());
    assertFalse(st.list().isEmpty());
    JsonNode marker = StageJson.MAPPER.readTree(st.sibling("first.json").readString());
    assertFalse(marker.get("embedder_sha256").isNull(), marker.toString());
    assertFalse(st.sibling(".first.tmp").exists(), "the fill's staging folder is gone");
    assertFalse(st.sibling(OutputLock.FILE + ".first").exists(), "the store's lock is released");

    // another threshold: the same embeddings, read back from HDFS
    Path reused = dir.resolve("reused");
    clean(reused.toString(), "--embeddings", store, "--threshold-deg", "50");
    JsonNode r = summary(Location.of(reused));
    assertEquals(0, r.get("faces_embedded").asLong(), "nothing embedded again");
    assertTrue(r.get("options").get("embeddings_reused").asBoolean());
    assertEquals(50.0, r.get("options").get("threshold_deg").asDouble(), r.toString());
    assertEquals(
        faces, r.get("kept").asLong() + r.get("dropped").asLong(), "every face decided on");
  }

  @Test
  void storeAndOutputOnHdfsDecideAsLocallyAndCopyNoImageToLocalDisk() throws Exception {
    Path driver = Files.createDirectories(dir.resolve("driver-tmp"));
    DriverFolder.root = driver;
    Set<String> seen = new ConcurrentSkipListSet<>();
    AtomicBoolean watching = new AtomicBoolean(true);
    Thread watcher = new Thread(() -> watch(driver, seen, watching));
    watcher.start();
    Location out = Location.parse(root + "/cleaned");
    String store = root + "/stores/second";
    CommandLineTest.Result res;
    try {
      res = clean(out.toString(), "--embeddings", store, "--emit-recordio");
    } finally {
      watching.set(false);
      watcher.join();
      DriverFolder.root = Path.of(System.getProperty("java.io.tmpdir"));
    }
    assertTrue(res.out().contains("output: " + out + "/" + CleanJob.SUMMARY), res.out());

    // what the driver had on local disk: the small files and what it built, never kept/ or
    // dropped/ (with --emit-recordio: the RecordIO it builds from the kept images it streams)
    assertFalse(seen.isEmpty(), "the driver's local folder was seen");
    for (String e : seen) {
      assertFalse(e.startsWith("kept/") || e.startsWith("dropped/"), "copied to local disk: " + e);
      assertFalse(
          e.endsWith(".parquet") && !e.equals("classes.parquet"), "copied to local disk: " + e);
    }
    try (Stream<Path> left = Files.list(driver)) {
      assertEquals(0, left.count(), "the local folder is deleted");
    }

    JsonNode s = summary(out);
    assertEquals(faces, s.get("faces_embedded").asLong());
    assertEquals(counts(summary(Location.of(reference))), counts(s));
    assertEquals(dropped(Location.of(reference)), dropped(out));
    assertEquals(ids(Location.of(reference), "kept"), ids(out, "kept"), "the same faces kept");
    assertEquals(ids(Location.of(reference), "dropped"), ids(out, "dropped"));
    for (String f : List.of("train.rec", "train.idx", "property")) {
      assertArrayEquals(
          Files.readAllBytes(reference.resolve("recordio").resolve(f)),
          bytes(out.resolve("recordio").resolve(f)),
          "recordio/" + f + " as a local clean writes it");
    }
    assertTrue(out.resolve("report.html").readString().contains(out.toString()));
    assertTrue(out.resolve("classes.parquet").isFile());
    assertFalse(out.resolve("classes-tmp").exists());
    assertFalse(out.resolve("counts.json").exists());
    assertFalse(out.resolve(OutputGuard.STAGING).exists());
    Location st = Location.parse(store);
    assertFalse(st.sibling(".second.tmp").exists(), "the pipeline's fill was committed");
    assertTrue(st.sibling("second.json").isFile());
  }

  @Test
  void aFailedCleanToHdfsLeavesNothingThatLooksComplete() throws Exception {
    Location out = Location.parse(root + "/failed");
    Location store = Location.parse(root + "/stores/failed");
    ProgressListener failing = HdfsOutputTest.FAIL_ONCE_ALL_IS_STAGED;
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                CleanJob.run(
                    CleanJob.Settings.builder(Location.of(prepared), model, out)
                        .setEmbeddings(store)
                        .build(),
                    failing));
    assertEquals("injected failure", e.getMessage());
    assertFalse(StageOutput.isComplete(out, CleanJob.SUMMARY), "no marker");
    assertFalse(out.resolve("kept").exists(), "nothing moved into place");
    assertFalse(out.resolve(OutputGuard.STAGING).exists(), "nothing left staged");
    assertFalse(out.resolve(OutputLock.FILE).isFile(), "the lock is released");
    assertFalse(store.sibling("failed.json").exists(), "the store has no record: not valid");
    assertTrue(store.isEmptyFolder(), "nothing in the store");
    assertFalse(store.sibling(".failed.tmp").exists(), "the unfinished fill is deleted");
    assertFalse(store.sibling(OutputLock.FILE + ".failed").exists(), "the store's lock");

    // the next run fills it, without --overwrite
    clean(out.toString(), "--embeddings", store.toString());
    assertEquals(faces, summary(out).get("faces_embedded").asLong());
    assertEquals(dropped(Location.of(reference)), dropped(out));
  }

  @Test
  void aTestSetToPrepareIsPreparedOnTheOutputsFileSystem() throws Exception {
    Path test = dir.resolve("test-set");
    // two people of another draw: their faces are not the training data's
    OwnershipTest.ok(
        "synth",
        "--output",
        test.toString(),
        "--identities",
        "2",
        "--images-per-identity",
        "4",
        "--seed",
        "11",
        "--format",
        "folder");
    // the tiny model (one epoch) crowds every face together: even at 10° the two test people
    // match all 4 classes, which clean refuses; at 0° none match, and this test is about where
    // the test set is prepared
    String[] exclude = {
      "--exclude-identities-of", test.toString(), "--duplicate-identity-deg", "0"
    };
    Path local = dir.resolve("with-test-local");
    clean(local.toString(), exclude);
    Path driver = Files.createDirectories(dir.resolve("driver-tmp-test"));
    DriverFolder.root = driver;
    Set<String> seen = new ConcurrentSkipListSet<>();
    AtomicBoolean watching = new AtomicBoolean(true);
    Thread watcher = new Thread(() -> watch(driver, seen, watching));
    watcher.start();
    Location out = Location.parse(root + "/with-test");
    try {
      clean(out.toString(), exclude);
    } finally {
      watching.set(false);
      watcher.join();
      DriverFolder.root = Path.of(System.getProperty("java.io.tmpdir"));
    }
    assertTrue(
        seen.stream().noneMatch(e -> e.startsWith("test-prepared")),
        "the test set was not prepared on local disk: " + seen);
    JsonNode a = summary(Location.of(local));
    JsonNode b = summary(out);
    assertTrue(b.get("inter_class").get("test_identities").asInt() > 0, b.toString());
    assertEquals(
        a.get("inter_class").get("test_identities"), b.get("inter_class").get("test_identities"));
    assertEquals(counts(a), counts(b));
    assertEquals(dropped(Location.of(local)), dropped(out));
    assertEquals(
        Files.readString(local.resolve("test-overlap.csv")),
        out.resolve("test-overlap.csv").readString());
    assertFalse(out.resolve("test-prepared").exists(), "the prepared test set is deleted");
  }

  @Test
  void aDriverSideFillOfAStoreOnHdfsIsStagedLocallyUploadedAndReadBack() throws Exception {
    // training's way: rows written into a local staging folder, committed into the remote store
    Location store = Location.parse(root + "/stores/driver");
    EmbedderKey key =
        new EmbedderKey("onnx", "0".repeat(64), dev.facesieve.model.Preprocessing.ARCFACE, 3);
    Path staged;
    try (EmbeddingCache cache = EmbeddingCache.open(store)) {
      assertFalse(cache.check(key, "data", 3).reusable());
      staged = cache.staging();
      assertFalse(staged.startsWith(dir), "a local temporary folder");
      Files.createDirectories(staged);
      for (int f = 0; f < 2; f++) {
        try (ParquetWriter<GenericRecord> w =
            ParquetFiles.writer(staged.resolve("part-" + f + ".parquet"), CleanSchemas.EMBEDDING)) {
          for (int i = 0; i < 3; i++) {
            w.write(EmbeddingCache.row(new FaceEmbedding("f" + f + i, f, new float[] {f, i, 1f})));
          }
        }
      }
      cache.commit(staged, key, "test", "data", 3);
      assertTrue(cache.check(key, "data", 3).reusable());
      assertFalse(Files.exists(staged), "the local staging folder is deleted by the commit");
      assertEquals(List.of("part-0.parquet", "part-1.parquet"), store.list());
      Path table = dir.resolve("table.f32");
      long[] read = {0};
      try (EmbeddingTable t = cache.readTable(table, 3, n -> read[0] = n)) {
        assertEquals(6, read[0], "every row streamed back from HDFS");
      }
    }
    assertFalse(store.sibling(OutputLock.FILE + ".driver").exists(), "the lock is released");
    try (EmbeddingCache again = EmbeddingCache.open(store)) {
      assertTrue(again.check(key, "data", 3).reusable(), "a later open finds it valid");
      assertFalse(again.check(key, "other data", 3).reusable());
      assertFalse(again.check(key, "data", 4).reusable(), "vectors of another dimension");
    }
  }

  /** Records every entry that appears under {@code root}'s folders until {@code on} turns false. */
  private static void watch(Path root, Set<String> seen, AtomicBoolean on) {
    while (on.get()) {
      try (Stream<Path> s = Files.walk(root)) {
        s.forEach(
            p -> {
              Path rel = root.relativize(p);
              if (rel.getNameCount() > 1) { // inside the run's own folder
                seen.add(rel.subpath(1, rel.getNameCount()).toString().replace('\\', '/'));
              } else if (!rel.toString().isEmpty()) {
                seen.add(""); // the folder itself: the driver made one
              }
            });
      } catch (Exception e) {
        // a file deleted while walking: look again
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** The summary's counts of faces and classes. */
  private static String counts(JsonNode summary) {
    StringBuilder b = new StringBuilder();
    for (String k :
        List.of(
            "input",
            "quarantined",
            "kept",
            "relabelled",
            "dropped",
            "dropped_by_reason",
            "classes_before",
            "classes_after")) {
      b.append(k).append('=').append(summary.get(k)).append(' ');
    }
    return b.toString();
  }

  private static JsonNode summary(Location out) throws Exception {
    return StageJson.MAPPER.readTree(out.resolve(CleanJob.SUMMARY).readString());
  }

  /** dropped.csv's rows, sorted: the pipeline's bundles write them in any order. */
  private static List<String> dropped(Location out) throws Exception {
    return out.resolve("dropped.csv").readString().lines().sorted().toList();
  }

  /** A remote file's bytes, through a copy in the test's folder. */
  private byte[] bytes(Location file) throws Exception {
    Path copy = Files.createTempFile(dir, "bytes", ".bin");
    file.copyTo(copy);
    return Files.readAllBytes(copy);
  }

  /** The ids of the faces in {@code kept/} or {@code dropped/}, read where they lie. */
  private static SortedSet<String> ids(Location output, String folder) throws Exception {
    SortedSet<String> ids = new TreeSet<>();
    for (String f : ParquetFiles.list(output.resolve(folder).spec(false))) {
      ParquetFiles.read(f, 0, 0, r -> ids.add(r.get("id").toString()));
    }
    return ids;
  }
}
