package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.datasets.parquet.ParquetFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 point 4: {@code facesieve run}, the README's first walkthrough, with its input on a real
 * HDFS (Hadoop's in-process {@code MiniDFSCluster}): it prepares, trains and cleans as from a local
 * copy, and its record of what is done notices a changed input there as it does locally.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HdfsRunTest {
  MiniDFSCluster cluster;
  String root;
  Path dir;
  Path synth;
  String hdfsSynth; // a copy of synth on HDFS

  @BeforeAll
  void start(@TempDir Path base) throws Exception {
    cluster = HdfsOutputTest.startCluster(base);
    root = HdfsOutputTest.root(cluster);
    dir = base;
    synth = base.resolve("synth");
    OwnershipTest.ok(OwnershipTest.synthArgs(synth));
    hdfsSynth = root + "/inputs/synth";
    HdfsOutputTest.copyToHdfs(cluster, synth, "/inputs/synth");
  }

  @AfterAll
  void stop() {
    if (cluster != null) {
      cluster.shutdown();
    }
  }

  @Test
  void runReadsItsInputFromHdfsAndNoticesWhenItChanges() throws Exception {
    Path local = dir.resolve("prepared-from-local");
    Path fromHdfs = dir.resolve("run-from-hdfs");
    OwnershipTest.ok("prepare", "--input", synth.toString(), "--output", local.toString());
    CommandLineTest.Result r =
        OwnershipTest.ok(RunCommandTest.args(hdfsSynth, fromHdfs.toString()));
    assertTrue(r.out().contains("prepare: reading " + hdfsSynth), r.out());
    assertTrue(r.out().contains("stages: prepare ran; train ran; clean ran; report ran"), r.out());

    JsonNode a = StageJson.MAPPER.readTree(local.resolve("manifest.json").toFile());
    JsonNode b = StageJson.MAPPER.readTree(fromHdfs.resolve("prepared/manifest.json").toFile());
    assertEquals(hdfsSynth, b.get("input").get("path").asText(), "the manifest names the URI");
    for (String field : new String[] {"counts", "labels", "identities"}) {
      assertEquals(a.get(field), b.get(field), field);
    }
    // every prepared face is kept or dropped, and they are the faces of the local copy
    SortedSet<String> cleaned = ids(fromHdfs.resolve("clean/kept"));
    cleaned.addAll(ids(fromHdfs.resolve("clean/dropped")));
    assertEquals(ids(local.resolve("faces")), cleaned);
    CleanSummary summary = CleanSummary.read(fromHdfs.resolve("clean"));
    assertEquals(
        summary.input(),
        summary.kept() + summary.dropped() + summary.quarantined(),
        summary.toString());

    r = OwnershipTest.ok(RunCommandTest.args(hdfsSynth, fromHdfs.toString()));
    assertTrue(
        r.out().contains("stages: prepare skipped; train skipped; clean skipped; report skipped"),
        r.out());

    // a file that changes beside the RecordIO on HDFS changes the input's signature, so the next
    // run prepares again
    String before = InputSignature.of(Location.parse(hdfsSynth));
    assertEquals(before, InputSignature.of(Location.parse(hdfsSynth)), "nothing changed");
    assertEquals(
        InputSignature.of(Location.parse(hdfsSynth)),
        InputSignature.of(Location.parse(hdfsSynth + "/train.rec")),
        "a file's signature covers the files beside it");
    Location.parse(hdfsSynth).resolve("notes.txt").write("a file the input did not have");
    assertNotEquals(before, InputSignature.of(Location.parse(hdfsSynth)));
  }

  /**
   * The walkthrough's head-only run with its output on HDFS too: every stage reads and writes
   * there, training fills the embedding store on HDFS and cleaning reuses it (each face embedded
   * once), a rerun skips every stage, and new report options re-run the cleaning on the stored
   * embeddings (a report on HDFS is not rewritten in place).
   */
  @Test
  void aWholeRunOnHdfsEmbedsOnceAndSkipsWhatIsDone() throws Exception {
    assumeTrue(ONNX != null, "../shared ONNX model is not present");
    String out = root + "/runs/whole";
    CommandLineTest.Result r = OwnershipTest.ok(headOnly(out));
    assertTrue(r.out().contains("stages: prepare ran; train ran; clean ran; report ran"), r.out());
    assertTrue(r.out().contains("report: " + out + "/clean/report.html"), r.out());
    Location run = Location.parse(out);
    for (String f :
        List.of(
            "prepared/manifest.json",
            "model/model.json",
            "model/centres.parquet",
            "clean/summary.json",
            "clean/report.json",
            "clean/report.html",
            "embeddings.json",
            RunJob.STATE)) {
      assertTrue(run.resolve(f).isFile(), f + " on HDFS");
    }
    assertFalse(run.resolve(OutputLock.FILE).isFile(), "the lock is released");
    CleanSummary s =
        StageJson.parse(run.resolve("clean/summary.json").readString(), CleanSummary.class);
    long faces =
        StageJson.parse(run.resolve("prepared/manifest.json").readString(), PrepareManifest.class)
            .counts()
            .prepared();
    assertEquals(s.input(), s.kept() + s.dropped() + s.quarantined(), s.toString());
    assertEquals(faces, s.facesEmbedded(), "each face embedded once, by training, into the store");
    assertTrue(s.options().embeddingsReused(), "cleaning reused what training stored");

    r = OwnershipTest.ok(headOnly(out));
    assertTrue(
        r.out().contains("stages: prepare skipped; train skipped; clean skipped; report skipped"),
        r.out());

    r = OwnershipTest.ok(headOnly(out, "--report-classes", "2"));
    assertTrue(
        r.out().contains("stages: prepare skipped; train skipped; clean ran; report ran"), r.out());
    s = StageJson.parse(run.resolve("clean/summary.json").readString(), CleanSummary.class);
    assertEquals(0, s.facesEmbedded(), "the cleaning ran again on the stored embeddings");
  }

  private static final Path ONNX = SharedData.find("models/mobilefacenet-512.onnx");

  /** {@code run} from the synthetic RecordIO on HDFS into {@code out} with the shared embedder. */
  private String[] headOnly(String out, String... extra) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "run",
                "--input",
                hdfsSynth,
                "--output",
                out,
                "--backbone",
                "onnx:" + ONNX,
                "--embedding-size",
                "512",
                "--epochs",
                "1",
                "--batch-size",
                "8"));
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  private static SortedSet<String> ids(Path folder) throws Exception {
    SortedSet<String> ids = new TreeSet<>();
    for (Path f : ParquetFiles.list(folder)) {
      ParquetFiles.read(f, rec -> ids.add(rec.get("id").toString()));
    }
    assertTrue(!ids.isEmpty() || Files.isDirectory(folder), folder.toString());
    return ids;
  }
}
