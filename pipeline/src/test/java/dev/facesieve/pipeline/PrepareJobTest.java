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

  @SuppressWarnings("unchecked")
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
        new PrepareJob.Settings(
            synth,
            dev.facesieve.datasets.input.InputFormat.AUTO,
            out,
            1 << 22,
            false,
            null,
            null,
            10,
            dev.facesieve.datasets.input.ColumnMapping.FACESIEVE,
            runner,
            false);
    Map<String, Object> m = PrepareJob.run(s);
    Map<String, Object> counts = (Map<String, Object>) m.get("counts");
    List<FaceRecord> faces = faces(out);
    List<QuarantineRecord> bad = quarantined(out);
    assertEquals(96L, sum.images());
    assertEquals(96, faces.size() + bad.size(), "read = prepared + quarantined");
    assertEquals(((Number) counts.get("prepared")).longValue(), faces.size());
    assertEquals(((Number) counts.get("quarantined")).longValue(), bad.size());
    // InsightFace identity records are excluded by the planner, so none reach the workers.
    assertEquals(0, ((Number) counts.get("metadata_records")).intValue());
    assertTrue(
        bad.stream().allMatch(q -> q.truth() != null && q.truth().wireName().equals("corrupt")));
    assertEquals(8, ((Number) m.get("identities")).intValue());
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
      Map<String, Object> m = PrepareJob.run(PrepareJob.Settings.of(lfw, out).withRunner(r));
      assertEquals(4324, ((Number) m.get("images")).intValue(), r.runner());
      assertEquals(158, ((Number) m.get("identities")).intValue(), r.runner());
      long rows = 0;
      try (Stream<Path> s = Files.list(out.resolve("faces"))) {
        for (Path f : s.toList()) {
          rows += ParquetFiles.rowCount(f);
        }
      }
      assertEquals(4324, rows, r.runner());
    }
  }
}
