package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.datasets.input.InputFormat;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.datasets.synth.SyntheticCollection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrepareJobTest {
  @TempDir Path dir;

  static List<FaceRecord> faces(Path prepared) throws Exception {
    List<FaceRecord> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(prepared.resolve("faces"))) {
      for (Path f : s.filter(p -> p.toString().endsWith(".parquet")).toList()) {
        ParquetFiles.read(f, r -> out.add(FaceSchemas.faceFromAvro(r)));
      }
    }
    return out;
  }

  static List<QuarantineRecord> quarantined(Path prepared) throws Exception {
    List<QuarantineRecord> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(prepared.resolve("quarantine"))) {
      for (Path f : s.filter(p -> p.toString().endsWith(".parquet")).toList()) {
        ParquetFiles.read(f, r -> out.add(FaceSchemas.quarantineFromAvro(r)));
      }
    }
    return out;
  }

  /** Every file's face ids in file and row order. */
  static Map<String, List<String>> layout(Path prepared) throws Exception {
    Map<String, List<String>> out = new java.util.TreeMap<>();
    for (Path f : ParquetFiles.list(prepared.resolve("faces"))) {
      List<String> ids = new ArrayList<>();
      ParquetFiles.read(f, r -> ids.add(r.get("id").toString()));
      out.put(f.getFileName().toString(), ids);
    }
    return out;
  }

  private Path preparesSyntheticRecordIO(Runners.Choice runner) throws Exception {
    Path synth = dir.resolve("synth");
    SyntheticCollection.Summary sum =
        SyntheticCollection.generate(
            new SyntheticCollection.Config(
                8,
                12,
                0.2,
                0.1,
                0.1,
                3,
                SyntheticCollection.NoiseMode.COHERENT,
                SyntheticCollection.Layout.RECORDIO),
            synth);
    Path out = dir.resolve("prepared-" + runner.runner());
    PrepareJob.Settings s =
        PrepareJob.Settings.builder()
            .setInput(synth)
            .setOutput(out)
            .setMaxPixels(1 << 22)
            .setShardSize(10)
            .setRunner(runner)
            .build();
    PrepareManifest m = PrepareJob.run(s);
    PrepareManifest.Counts counts = m.counts();
    List<FaceRecord> faces = faces(out);
    List<QuarantineRecord> bad = quarantined(out);
    assertEquals(96L, sum.images());
    assertEquals(96, faces.size() + bad.size(), "read = prepared + quarantined");
    assertEquals(counts.prepared(), faces.size());
    assertEquals(counts.quarantined(), bad.size());
    // InsightFace's header record and its 8 identity records are read and counted as metadata
    assertEquals(1 + 8, counts.metadataRecords());
    assertEquals(96 + 9, counts.read());
    assertTrue(
        bad.stream().allMatch(q -> q.truth() != null && q.truth().wireName().equals("corrupt")));
    assertEquals(8, m.identities());
    assertTrue(Files.isRegularFile(out.resolve("manifest.json")));
    assertFalse(Files.exists(out.resolve(".staging")));
    assertEquals(96, faces.stream().map(FaceRecord::id).distinct().count() + bad.size());
    return out;
  }

  /**
   * Training streams the prepared files in a seeded order, so the files must not depend on how a
   * runner bundled the work: two runners (and two runs) write the same faces in the same files and
   * rows.
   */
  @Test
  void preparesTheSameFilesOnTheDirectRunnerAndEmbeddedFlink() throws Exception {
    Path direct = preparesSyntheticRecordIO(Runners.Choice.direct());
    Path flink = preparesSyntheticRecordIO(new Runners.Choice("flink", "[local]", 2));
    Map<String, List<String>> layout = layout(direct);
    assertEquals(1, layout.size(), "96 records fit in one file");
    assertEquals(layout, layout(flink));
  }

  @Test
  void unusableInputLeavesNoCompleteLookingOutput() throws Exception {
    Path out = dir.resolve("out");
    InputException e =
        assertThrows(
            InputException.class,
            () -> PrepareJob.run(PrepareJob.Settings.of(dir.resolve("missing.rec"), out)));
    assertTrue(e.getMessage().contains("missing.rec"));
    assertFalse(Files.exists(out.resolve("manifest.json")));

    Files.createDirectories(out);
    Files.writeString(out.resolve("keep.txt"), "user data");
    Path synth = dir.resolve("s");
    SyntheticCollection.generate(
        new SyntheticCollection.Config(
            2,
            3,
            0,
            0,
            0,
            1,
            SyntheticCollection.NoiseMode.RANDOM,
            SyntheticCollection.Layout.FOLDER),
        synth);
    e =
        assertThrows(
            InputException.class, () -> PrepareJob.run(PrepareJob.Settings.of(synth, out)));
    assertTrue(e.getMessage().contains("not empty"), e.getMessage());
  }

  @Test
  void sharedLfwPreparesEveryImageOnBothRunners() throws Exception {
    Path lfw = SharedData.find("data/lfw-min10-112");
    assumeTrue(lfw != null, "../shared/data/lfw-min10-112 is not present");
    for (Runners.Choice r :
        List.of(Runners.Choice.direct(), new Runners.Choice("flink", "[local]", 2))) {
      Path out = dir.resolve("lfw-" + r.runner());
      PrepareManifest m = PrepareJob.run(PrepareJob.Settings.of(lfw, out).withRunner(r));
      assertEquals(4324, m.images(), r.runner());
      assertEquals(158, m.identities(), r.runner());
      long rows = 0;
      try (Stream<Path> s = Files.list(out.resolve("faces"))) {
        for (Path f : s.toList()) {
          rows += ParquetFiles.rowCount(f);
        }
      }
      assertEquals(4324, rows, r.runner());
    }
  }

  /**
   * Key paths of {@code manifest.json} in file order, as the code before {@link PrepareManifest}
   * wrote them for this input ({@code []} marks a list element).
   */
  private static final List<String> RECORDIO_KEYS =
      List.of(
          "counts",
          "counts.aligned",
          "counts.metadata_records",
          "counts.prepared",
          "counts.quarantined",
          "counts.quarantined_by_reason",
          "counts.quarantined_by_reason.EMPTY_IMAGE",
          "counts.quarantined_by_reason.UNDECODABLE_IMAGE",
          "counts.read",
          "counts.truth",
          "counts.truth.clean",
          "counts.truth.close_set",
          "counts.truth.corrupt",
          "counts.truth.open_set",
          "facesieve_version",
          "fingerprint",
          "identities",
          "images",
          "images_per_label",
          "images_per_label.0",
          "images_per_label.1",
          "images_per_label.2",
          "images_per_label.3",
          "images_per_label.4",
          "images_per_label.5",
          "images_per_label.6",
          "images_per_label.7",
          "input",
          "input.files",
          "input.files[].bytes",
          "input.files[].path",
          "input.files[].sha256",
          "input.files[].bytes",
          "input.files[].path",
          "input.files[].sha256",
          "input.files[].bytes",
          "input.files[].path",
          "input.files[].sha256",
          "input.files[].bytes",
          "input.files[].path",
          "input.files[].sha256",
          "input.format",
          "input.path",
          "input.planned_records",
          "input.shards",
          "input.skipped",
          "labels",
          "labels.0",
          "labels.1",
          "labels.2",
          "labels.3",
          "labels.4",
          "labels.5",
          "labels.6",
          "labels.7",
          "options",
          "options.align",
          "options.columns",
          "options.format",
          "options.landmarks",
          "options.max_bytes",
          "options.max_pixels",
          "options.shard_size",
          "options.truth",
          "outputs",
          "outputs.faces",
          "outputs.faces[].bytes",
          "outputs.faces[].file",
          "outputs.faces[].rows",
          "outputs.quarantine",
          "outputs.quarantine[].bytes",
          "outputs.quarantine[].file",
          "outputs.quarantine[].rows",
          "runner",
          "stage");

  /** As {@link #RECORDIO_KEYS}, for an image folder with a landmarks file and skipped entries. */
  private static final List<String> FOLDER_KEYS =
      List.of(
          "counts",
          "counts.aligned",
          "counts.metadata_records",
          "counts.prepared",
          "counts.quarantined",
          "counts.quarantined_by_reason",
          "counts.quarantined_by_reason.EMPTY_IMAGE",
          "counts.quarantined_by_reason.UNDECODABLE_IMAGE",
          "counts.read",
          "counts.truth",
          "counts.truth.clean",
          "counts.truth.close_set",
          "counts.truth.corrupt",
          "counts.truth.open_set",
          "facesieve_version",
          "fingerprint",
          "identities",
          "images",
          "images_per_label",
          "images_per_label.0",
          "images_per_label.1",
          "images_per_label.2",
          "images_per_label.3",
          "images_per_label.4",
          "input",
          "input.files",
          "input.files[].listing_sha256",
          "input.files[].path",
          "input.format",
          "input.path",
          "input.planned_records",
          "input.shards",
          "input.skipped",
          "input.skipped.hidden_entries",
          "input.skipped.top_level_files",
          "labels",
          "labels.0",
          "labels.1",
          "labels.2",
          "labels.3",
          "labels.4",
          "options",
          "options.align",
          "options.columns",
          "options.format",
          "options.landmarks",
          "options.max_bytes",
          "options.max_pixels",
          "options.shard_size",
          "options.truth",
          "outputs",
          "outputs.faces",
          "outputs.faces[].bytes",
          "outputs.faces[].file",
          "outputs.faces[].rows",
          "outputs.quarantine",
          "outputs.quarantine[].bytes",
          "outputs.quarantine[].file",
          "outputs.quarantine[].rows",
          "runner",
          "stage");

  private static void keyPaths(Object node, String path, List<String> out) {
    if (node instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String p = (path.isEmpty() ? "" : path + ".") + e.getKey();
        out.add(p);
        keyPaths(e.getValue(), p, out);
      }
    } else if (node instanceof List<?> l) {
      for (Object o : l) {
        keyPaths(o, path + "[]", out);
      }
    }
  }

  /**
   * The written file has today's keys in today's order, reads back into the record and writes the
   * same bytes, and its fingerprint (and run's key) hash the same text the map-based code hashed.
   */
  @SuppressWarnings("unchecked")
  private static void assertManifestAsBefore(Path prepared, List<String> expectedKeys)
      throws Exception {
    Path file = prepared.resolve(PrepareJob.MANIFEST);
    String text = Files.readString(file);
    Map<String, Object> tree = Json.read(file);
    List<String> keys = new ArrayList<>();
    keyPaths(tree, "", keys);
    assertEquals(expectedKeys, keys);
    PrepareManifest manifest = PrepareManifest.read(prepared);
    assertEquals(text, StageJson.write(manifest));
    // run's stage key hashes the options with the plain mapper: same text as the map had
    assertEquals(Json.write(tree.get("options")), Json.write(manifest.options()));
    Map<String, Object> input = (Map<String, Object>) tree.get("input");
    assertEquals(
        Json.sha256(
            Json.write(
                List.of(input.get("files"), tree.get("options"), tree.get("facesieve_version")))),
        tree.get("fingerprint"));
  }

  @Test
  void manifestOfRecordIOKeepsTodaysKeysAndBytes() throws Exception {
    assertManifestAsBefore(preparesSyntheticRecordIO(Runners.Choice.direct()), RECORDIO_KEYS);
  }

  @Test
  void manifestOfAFolderKeepsTodaysKeysAndBytes() throws Exception {
    Path synth = dir.resolve("folder");
    SyntheticCollection.generate(
        new SyntheticCollection.Config(
            5,
            6,
            0.2,
            0.1,
            0.1,
            4,
            SyntheticCollection.NoiseMode.RANDOM,
            SyntheticCollection.Layout.FOLDER),
        synth);
    Files.writeString(synth.resolve("README.txt"), "top-level file");
    Files.writeString(synth.resolve(".hidden"), "x");
    Path landmarks = dir.resolve("lm.csv");
    Files.writeString(landmarks, "id,x1,y1,x2,y2,x3,y3,x4,y4,x5,y5\n");
    Path out = dir.resolve("prepared-folder");
    PrepareManifest m =
        PrepareJob.run(
            PrepareJob.Settings.builder()
                .setInput(synth)
                .setFormat(InputFormat.FOLDER)
                .setOutput(out)
                .setLandmarks(landmarks)
                .setShardSize(7)
                .build());
    assertEquals(landmarks.toAbsolutePath().toString(), m.options().landmarks());
    assertManifestAsBefore(out, FOLDER_KEYS);
  }
}
