package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.InputException;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 point 4: a stage output on a real HDFS (Hadoop's in-process {@code MiniDFSCluster})
 * keeps the guarantees a local one has: the marker is written last, a failed stage leaves no marker
 * nor staged files, files FaceSieve did not write are refused, the lock keeps a second writer out,
 * and {@code --overwrite} replaces only what the record names. {@code facesieve prepare --output
 * hdfs://…} writes what the same command writes locally, and {@code facesieve clean} from and to
 * HDFS decides as from and to a local folder.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HdfsOutputTest {
  MiniDFSCluster cluster;
  String root;
  Path dir;
  Path synth;
  String hdfsSynth; // a copy of synth on HDFS

  @BeforeAll
  void start(@TempDir Path base) throws Exception {
    cluster = startCluster(base);
    root = root(cluster);
    dir = base;
    synth = base.resolve("synth");
    OwnershipTest.ok(OwnershipTest.synthArgs(synth));
    hdfsSynth = root + "/inputs/synth";
    copyToHdfs(cluster, synth, "/inputs/synth");
  }

  /**
   * A one-datanode HDFS whose blocks lie under {@code base}. FaceSieve reaches it with its default
   * configuration, by the name node's address in each URI.
   */
  static MiniDFSCluster startCluster(Path base) throws Exception {
    Configuration conf = new HdfsConfiguration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.resolve("hdfs").toString());
    MiniDFSCluster c = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    c.waitActive();
    return c;
  }

  /**
   * A progress listener that throws ("injected failure") once a stage's count is complete: the
   * pipeline has written its files into the staging folder, the commit has not begun.
   */
  static final ProgressListener FAIL_ONCE_ALL_IS_STAGED =
      (stage, done, total) -> {
        if (done == total) {
          throw new IllegalStateException("injected failure");
        }
      };

  /** The cluster's root as FaceSieve names it: {@code hdfs://localhost:<port>}. */
  static String root(MiniDFSCluster cluster) {
    return "hdfs://localhost:" + cluster.getNameNodePort();
  }

  /** Copies a local file or folder to {@code to} (an absolute path) on the cluster. */
  static void copyToHdfs(MiniDFSCluster cluster, Path local, String to) throws Exception {
    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(to);
    cluster.getFileSystem().mkdirs(target.getParent());
    cluster.getFileSystem().copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()), target);
  }

  @AfterAll
  void stop() {
    if (cluster != null) {
      cluster.shutdown();
    }
  }

  @Test
  void commitWritesTheMarkerLastAndRecordsWhatItWrote() throws Exception {
    Location out = Location.parse(root + "/runs/commit");
    StageOutput stage = StageOutput.open(out, OutputKind.PREPARE, "manifest.json", false);
    assertTrue(out.resolve(OutputLock.FILE).isFile(), "the lock is taken on HDFS");
    stage.stagingLocation().resolve("faces/part-0.parquet").write("rows");
    stage.stagingLocation().resolve("quarantine/part-0.parquet").write("bad");
    assertFalse(StageOutput.isComplete(out, "manifest.json"));
    stage.commit(List.of("faces", "quarantine"), "{\"done\":true}");

    assertEquals("{\"done\":true}", out.resolve("manifest.json").readString());
    assertEquals("rows", out.resolve("faces/part-0.parquet").readString());
    assertFalse(out.resolve(OutputLock.FILE).isFile(), "the lock is released");
    assertFalse(out.resolve(OutputGuard.STAGING).exists(), "nothing is left staged");
    OutputGuard.Ownership o = OutputGuard.inspect(out, OutputKind.PREPARE);
    assertEquals(
        List.of(
            "faces/",
            "faces/part-0.parquet",
            "manifest.json",
            "quarantine/",
            "quarantine/part-0.parquet"),
        List.copyOf(o.owned()));
  }

  @Test
  void aFailedStageLeavesNoMarkerAndNothingStaged() throws Exception {
    Location out = Location.parse(root + "/runs/failed");
    StageOutput stage = StageOutput.open(out, OutputKind.PREPARE, "manifest.json", false);
    stage.stagingLocation().resolve("faces/part-0.parquet").write("half");
    stage.abandon();
    assertFalse(StageOutput.isComplete(out, "manifest.json"));
    assertFalse(out.resolve(OutputGuard.STAGING).exists());
    assertFalse(out.resolve(OutputLock.FILE).isFile());
    // and the folder may be used again without --overwrite: nothing of the failed run remains
    StageOutput again = StageOutput.open(out, OutputKind.PREPARE, "manifest.json", false);
    again.abandon();
  }

  @Test
  void refusesFilesItDidNotWriteEvenWithOverwrite() throws Exception {
    Location out = Location.parse(root + "/runs/foreign");
    out.resolve("notes.txt").write("mine");
    InputException e =
        assertThrows(
            InputException.class,
            () -> StageOutput.open(out, OutputKind.PREPARE, "manifest.json", true));
    assertTrue(e.getMessage().contains("notes.txt"), e.getMessage());
    assertTrue(e.getMessage().startsWith(root), e.getMessage());
    assertEquals("mine", out.resolve("notes.txt").readString());
  }

  @Test
  void theLockKeepsASecondWriterOut() throws Exception {
    Location out = Location.parse(root + "/runs/locked");
    StageOutput first = StageOutput.open(out, OutputKind.PREPARE, "manifest.json", false);
    InputException e =
        assertThrows(
            InputException.class,
            () -> StageOutput.open(out, OutputKind.PREPARE, "manifest.json", false));
    assertTrue(e.getMessage().contains("another facesieve is writing here"), e.getMessage());
    first.abandon();
    StageOutput.open(out, OutputKind.PREPARE, "manifest.json", false).abandon();
  }

  @Test
  void overwriteReplacesOnlyWhatTheRecordNames() throws Exception {
    Location out = Location.parse(root + "/runs/overwrite");
    StageOutput one = StageOutput.open(out, OutputKind.PREPARE, "manifest.json", false);
    one.stagingLocation().resolve("faces/part-0.parquet").write("one");
    one.stagingLocation().resolve("faces/part-1.parquet").write("one");
    one.commit(List.of("faces", "quarantine"), "{}");
    assertThrows(
        InputException.class,
        () -> StageOutput.open(out, OutputKind.PREPARE, "manifest.json", false));

    StageOutput two = StageOutput.open(out, OutputKind.PREPARE, "manifest.json", true);
    two.stagingLocation().resolve("faces/part-0.parquet").write("two");
    two.commit(List.of("faces", "quarantine"), "{\"run\":2}");
    assertEquals("two", out.resolve("faces/part-0.parquet").readString());
    assertFalse(out.resolve("faces/part-1.parquet").isFile(), "the earlier run's file is gone");
    assertEquals("{\"run\":2}", out.resolve("manifest.json").readString());
  }

  @Test
  void anOutputInsideAnInputIsRefused() throws Exception {
    Location in = Location.parse(root + "/data/in");
    in.resolve("x.rec").write("x");
    InputException e =
        assertThrows(
            InputException.class,
            () ->
                StageOutput.open(
                    in.resolve("out"), OutputKind.PREPARE, "manifest.json", false, in));
    assertTrue(e.getMessage().contains("overlaps the input"), e.getMessage());
  }

  @Test
  void prepareToHdfsWritesWhatALocalPrepareWrites() throws Exception {
    Path local = dir.resolve("prepared-local");
    OwnershipTest.ok("prepare", "--input", synth.toString(), "--output", local.toString());
    String remote = root + "/prepared";
    CommandLineTest.Result r =
        OwnershipTest.ok("prepare", "--input", synth.toString(), "--output", remote);
    assertTrue(r.out().contains("output: " + remote + "/manifest.json"), r.out());

    Location out = Location.parse(remote);
    assertEquals(
        java.nio.file.Files.readString(local.resolve(PrepareJob.MANIFEST)),
        out.resolve(PrepareJob.MANIFEST).readString(),
        "the same manifest: counts, identities, per-label counts, output files and their rows");
    assertEquals(
        OwnershipTest.tree(local)
            .lines()
            .map(l -> l.split(" ")[0])
            .filter(l -> !l.isEmpty())
            .sorted()
            .toList(),
        out.tree().stream().map(e -> e.endsWith("/") ? e.substring(0, e.length() - 1) : e).toList(),
        "the same files");
    for (String e : out.tree()) {
      if (e.endsWith(".parquet")) {
        assertEquals(
            java.nio.file.Files.size(local.resolve(e)), out.resolve(e).size(), e + " differs");
      }
    }
    CommandLineTest.Result again =
        CommandLineTest.run("prepare", "--input", synth.toString(), "--output", remote);
    OwnershipTest.refused(again, remote, "--overwrite");
    OwnershipTest.ok("prepare", "--input", synth.toString(), "--output", remote, "--overwrite");
  }

  /**
   * {@code prepare} of the RecordIO copy on HDFS into {@code remote}; side files stay local, so the
   * truth.csv a local prepare finds beside its input is named.
   */
  private CommandLineTest.Result prepareFromHdfs(String remote) throws Exception {
    return OwnershipTest.ok(
        "prepare",
        "--input",
        hdfsSynth,
        "--truth",
        synth.resolve("truth.csv").toString(),
        "--output",
        remote);
  }

  @Test
  void prepareReadsRecordIOFromHdfsAsFromALocalCopy() throws Exception {
    Path local = dir.resolve("prepared-from-local");
    OwnershipTest.ok("prepare", "--input", synth.toString(), "--output", local.toString());
    String remote = root + "/prepared-from-hdfs";
    CommandLineTest.Result r = prepareFromHdfs(remote);
    assertTrue(r.out().contains("output: " + remote + "/manifest.json"), r.out());

    com.fasterxml.jackson.databind.JsonNode a =
        dev.facesieve.datasets.contract.StageJson.MAPPER.readTree(
            local.resolve(PrepareJob.MANIFEST).toFile());
    com.fasterxml.jackson.databind.JsonNode b =
        dev.facesieve.datasets.contract.StageJson.MAPPER.readTree(
            Location.parse(remote).resolve(PrepareJob.MANIFEST).readString());
    assertTrue(a.get("counts").get("prepared").asLong() > 0, a.toString());
    for (String field : List.of("counts", "images_per_label", "labels", "identities")) {
      assertEquals(a.get(field), b.get(field), field);
    }
    assertEquals(hdfsSynth, b.get("input").get("path").asText());
    assertEquals(a.get("input").get("planned_records"), b.get("input").get("planned_records"));
    // the input files by their URIs, with the same sizes and hashes as the local ones
    for (int i = 0; i < a.get("input").get("files").size(); i++) {
      com.fasterxml.jackson.databind.JsonNode fa = a.get("input").get("files").get(i);
      com.fasterxml.jackson.databind.JsonNode fb = b.get("input").get("files").get(i);
      String name = Path.of(fa.get("path").asText()).getFileName().toString();
      assertEquals(hdfsSynth + "/" + name, fb.get("path").asText());
      assertEquals(fa.get("sha256"), fb.get("sha256"), name);
      assertEquals(fa.get("bytes"), fb.get("bytes"), name);
    }
    assertEquals(a.get("input").get("files").size(), b.get("input").get("files").size());
    assertEquals(
        ids(Location.of(local), "faces"), ids(Location.parse(remote), "faces"), "same faces");
    if (java.nio.file.Files.isDirectory(local.resolve("quarantine"))) {
      assertEquals(
          ids(Location.of(local), "quarantine"), ids(Location.parse(remote), "quarantine"));
    }

    // a RecordIO folder read as an image folder has no identity folders: refused before anything
    // is written
    CommandLineTest.Result refused =
        CommandLineTest.run(
            "prepare",
            "--input",
            hdfsSynth,
            "--format",
            "folder",
            "--output",
            root + "/not-prepared");
    assertTrue(refused.code() != 0, refused.out());
    assertTrue(refused.err().contains("no identity folders"), refused.err());
    assertFalse(Location.parse(root + "/not-prepared").exists(), "nothing written");
  }

  @Test
  void prepareReadsParquetFromHdfsAsFromALocalCopy() throws Exception {
    // prepared faces are Parquet input with FaceSieve's own columns
    Path source = dir.resolve("parquet-source");
    OwnershipTest.ok("prepare", "--input", synth.toString(), "--output", source.toString());
    copyToHdfs(cluster, source.resolve("faces"), "/inputs/faces");
    Path local = dir.resolve("parquet-from-local");
    OwnershipTest.ok(
        "prepare", "--input", source.resolve("faces").toString(), "--output", local.toString());
    String remote = root + "/parquet-from-hdfs";
    OwnershipTest.ok("prepare", "--input", root + "/inputs/faces", "--output", remote);

    com.fasterxml.jackson.databind.JsonNode a =
        dev.facesieve.datasets.contract.StageJson.MAPPER.readTree(
            local.resolve(PrepareJob.MANIFEST).toFile());
    com.fasterxml.jackson.databind.JsonNode b =
        dev.facesieve.datasets.contract.StageJson.MAPPER.readTree(
            Location.parse(remote).resolve(PrepareJob.MANIFEST).readString());
    assertEquals("parquet", b.get("input").get("format").asText());
    assertTrue(a.get("counts").get("prepared").asLong() > 0, a.toString());
    for (String field : List.of("counts", "images_per_label", "labels", "identities")) {
      assertEquals(a.get(field), b.get(field), field);
    }
    assertEquals(a.get("input").get("shards"), b.get("input").get("shards"));
    assertEquals(a.get("input").get("files").size(), b.get("input").get("files").size());
    for (int i = 0; i < a.get("input").get("files").size(); i++) {
      com.fasterxml.jackson.databind.JsonNode fa = a.get("input").get("files").get(i);
      com.fasterxml.jackson.databind.JsonNode fb = b.get("input").get("files").get(i);
      assertTrue(fb.get("path").asText().startsWith(root + "/inputs/faces/"), fb.toString());
      assertEquals(fa.get("sha256"), fb.get("sha256"), fa.toString());
    }
    assertEquals(
        ids(Location.of(local), "faces"), ids(Location.parse(remote), "faces"), "same faces");
  }

  @Test
  void aPrepareThatFailsAfterItsPipelineLeavesNothingThatLooksComplete() throws Exception {
    Location out = Location.parse(root + "/interrupted");
    ProgressListener failing = FAIL_ONCE_ALL_IS_STAGED;
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                PrepareJob.run(
                    PrepareJob.Settings.builder().setInput(synth).setOutput(out).build(), failing));
    assertEquals("injected failure", e.getMessage());
    assertFalse(StageOutput.isComplete(out, PrepareJob.MANIFEST), "no marker");
    assertFalse(out.resolve("faces").exists(), "nothing moved into place");
    assertFalse(out.resolve(OutputLock.FILE).isFile(), "the lock is released");
    assertTrue(OutputGuard.inspect(out, OutputKind.PREPARE).isEmpty(), "nothing owned remains");
    // the next run needs no --overwrite
    PrepareJob.run(PrepareJob.Settings.builder().setInput(synth).setOutput(out).build());
    assertTrue(StageOutput.isComplete(out, PrepareJob.MANIFEST));
  }

  @Test
  void aUriWhereALocalPathIsNeededIsRefusedNotMadeALocalFolder() throws Exception {
    Path cwd = Path.of("").toAbsolutePath();
    CommandLineTest.Result r =
        CommandLineTest.run(
            "clean",
            "--input",
            root + "/prepared",
            "--model",
            root + "/model",
            "--output",
            dir.resolve("no-clean").toString(),
            "--exclude-identities-of",
            root + "/test-set");
    assertEquals(dev.facesieve.pipeline.cli.FaceSieve.USAGE, r.code(), r.err() + r.out());
    assertTrue(r.err().contains("needs a local path"), r.err());
    assertFalse(java.nio.file.Files.exists(cwd.resolve("hdfs:")), "no local folder named hdfs:");
  }

  @Test
  void cleanReadsPreparedFacesFromHdfsAndDecidesAsFromALocalCopy() throws Exception {
    Path local = dir.resolve("to-clean");
    OwnershipTest.ok("prepare", "--input", synth.toString(), "--output", local.toString());
    String remote = root + "/to-clean";
    // HDFS to HDFS: prepare reads the copy of the RecordIO on HDFS
    prepareFromHdfs(remote);
    Path model = dir.resolve("to-clean-model");
    OwnershipTest.trainTiny(local, model);
    Path fromLocal = dir.resolve("cleaned-from-local");
    Path fromHdfs = dir.resolve("cleaned-from-hdfs");
    OwnershipTest.ok(
        "clean",
        "--input",
        local.toString(),
        "--model",
        model.toString(),
        "--output",
        fromLocal.toString());
    OwnershipTest.ok(
        "clean", "--input", remote, "--model", model.toString(), "--output", fromHdfs.toString());

    // dropped.csv's rows come in the order the pipeline's bundles finish: compare them as sets
    assertEquals(
        java.nio.file.Files.readAllLines(fromLocal.resolve("dropped.csv")).stream()
            .sorted()
            .toList(),
        java.nio.file.Files.readAllLines(fromHdfs.resolve("dropped.csv")).stream()
            .sorted()
            .toList(),
        "the same faces dropped, for the same reasons, at the same angles");
    com.fasterxml.jackson.databind.JsonNode a =
        dev.facesieve.datasets.contract.StageJson.MAPPER.readTree(
            fromLocal.resolve(CleanJob.SUMMARY).toFile());
    com.fasterxml.jackson.databind.JsonNode b =
        dev.facesieve.datasets.contract.StageJson.MAPPER.readTree(
            fromHdfs.resolve(CleanJob.SUMMARY).toFile());
    assertSameCounts(a, b);
    assertTrue(b.toString().contains(remote), "the summary names the HDFS input");

    // clean --output hdfs://: first a run that fails after its pipeline has staged its files
    Location out = Location.parse(root + "/cleaned");
    ProgressListener failing = FAIL_ONCE_ALL_IS_STAGED;
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                CleanJob.run(
                    CleanJob.Settings.builder(Location.parse(remote), model, out).build(),
                    failing));
    assertEquals("injected failure", e.getMessage());
    assertFalse(StageOutput.isComplete(out, CleanJob.SUMMARY), "no marker");
    assertFalse(out.resolve("kept").exists(), "nothing moved into place");
    assertFalse(out.resolve(OutputGuard.STAGING).exists(), "nothing left staged");
    assertFalse(out.resolve(OutputLock.FILE).isFile(), "the lock is released");
    assertTrue(OutputGuard.inspect(out, OutputKind.CLEAN).isEmpty(), "nothing owned remains");

    // then the command, HDFS to HDFS, without --overwrite
    CommandLineTest.Result r =
        OwnershipTest.ok(
            "clean", "--input", remote, "--model", model.toString(), "--output", out.toString());
    assertTrue(r.out().contains("output: " + out + "/" + CleanJob.SUMMARY), r.out());
    assertTrue(r.out().contains("report: " + out + "/report.html"), r.out());
    assertEquals(
        java.nio.file.Files.readAllLines(fromLocal.resolve("dropped.csv")).stream()
            .sorted()
            .toList(),
        out.resolve("dropped.csv").readString().lines().sorted().toList(),
        "HDFS to HDFS drops the same faces, for the same reasons, at the same angles");
    com.fasterxml.jackson.databind.JsonNode c =
        dev.facesieve.datasets.contract.StageJson.MAPPER.readTree(
            out.resolve(CleanJob.SUMMARY).readString());
    assertSameCounts(a, c);
    assertEquals(ids(Location.of(fromLocal), "kept"), ids(out, "kept"), "the same faces kept");
    assertEquals(ids(Location.of(fromLocal), "dropped"), ids(out, "dropped"));
    assertEquals(
        OwnershipTest.tree(fromLocal)
            .lines()
            .map(l -> l.split(" ")[0])
            .filter(l -> !l.isEmpty() && !inAFolder(l))
            .sorted()
            .toList(),
        out.tree().stream()
            .map(x -> x.endsWith("/") ? x.substring(0, x.length() - 1) : x)
            .filter(x -> !inAFolder(x))
            .sorted()
            .toList(),
        "the same files, summary.json, the CSVs, classes.parquet and the report among them");
    assertTrue(
        out.resolve("report.html").readString().contains(out.toString()),
        "the report names where it lies");
  }

  /** A file in kept/, dropped/ or the report's pages/, whose names depend on the run. */
  /** Two clean summaries count the same faces kept, dropped (by reason) and quarantined. */
  private static void assertSameCounts(
      com.fasterxml.jackson.databind.JsonNode a, com.fasterxml.jackson.databind.JsonNode b) {
    assertTrue(a.get("input").asLong() > 0, a.toString());
    for (String field :
        List.of(
            "input",
            "kept",
            "dropped",
            "dropped_by_reason",
            "quarantined",
            "classes_before",
            "classes_after")) {
      assertTrue(a.has(field), field + " in " + a);
      assertEquals(a.get(field), b.get(field), field);
    }
  }

  private static boolean inAFolder(String entry) {
    return entry.startsWith("kept/") || entry.startsWith("dropped/") || entry.startsWith("pages/");
  }

  /** The ids of the faces in a clean output's {@code kept/} or {@code dropped/}, sorted. */
  private java.util.SortedSet<String> ids(Location output, String folder) throws Exception {
    java.util.SortedSet<String> ids = new java.util.TreeSet<>();
    for (String f : output.resolve(folder).list()) {
      Path copy = java.nio.file.Files.createTempFile(dir, "ids", ".parquet");
      output.resolve(folder).resolve(f).copyTo(copy);
      dev.facesieve.datasets.parquet.ParquetFiles.read(copy, r -> ids.add(r.get("id").toString()));
    }
    return ids;
  }
}
