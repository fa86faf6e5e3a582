package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.input.InputPlan;
import dev.facesieve.datasets.input.InputPlanner;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.datasets.synth.SyntheticCollection;
import dev.facesieve.model.TrainConfig;
import dev.facesieve.transforms.CleaningPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** One small synthetic collection, prepared and trained once, cleaned several ways. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CleanJobTest {
  Path dir;
  Path prepared;
  Path model;
  long synthImages;

  @BeforeAll
  void trainOnce(@TempDir Path tmp) throws Exception {
    dir = tmp;
    Path synth = dir.resolve("synth");
    synthImages =
        SyntheticCollection.generate(
                new SyntheticCollection.Config(
                    8,
                    16,
                    0.15,
                    0.15,
                    0.05,
                    11,
                    SyntheticCollection.NoiseMode.COHERENT,
                    SyntheticCollection.Layout.RECORDIO),
                synth)
            .images();
    prepared = dir.resolve("prepared");
    PrepareJob.run(PrepareJob.Settings.of(synth, prepared));
    model = dir.resolve("model");
    TrainJob.run(
        prepared,
        model,
        TrainConfig.builder()
            .setBackbone("small")
            .setEmbeddingSize(64)
            .setEpochs(3)
            .setBatchSize(16)
            .build(),
        false,
        false,
        i -> {});
  }

  /** id → "reason|new label|angle" of every cleaned face. */
  static Map<String, String> decisions(Path out) throws Exception {
    Map<String, String> m = new TreeMap<>();
    for (String side : new String[] {"kept", "dropped"}) {
      for (Path f : ParquetFiles.list(out.resolve(side))) {
        ParquetFiles.read(
            f,
            r ->
                m.put(
                    r.get("id").toString(),
                    r.get("reason")
                        + "|"
                        + r.get("label")
                        + "|"
                        + String.format("%.4f", (Double) r.get("angle_deg"))));
      }
    }
    return m;
  }

  @Test
  void embeddingSessionsShareTheCoresOfThisMachineAndTakeOneEachOnACluster() {
    int cores = Runtime.getRuntime().availableProcessors();
    assertEquals(cores, CleanJob.embedThreads(new Runners.Choice("direct", "[local]", 1)));
    assertEquals(1, CleanJob.embedThreads(new Runners.Choice("direct", "[local]", cores)));
    assertEquals(1, CleanJob.embedThreads(new Runners.Choice("flink", "[local]", 4 * cores)));
    assertEquals(
        Math.max(1, cores / 2), CleanJob.embedThreads(new Runners.Choice("flink", "[local]", 2)));
    assertEquals(1, CleanJob.embedThreads(new Runners.Choice("flink", "jm:8081", 1)));
  }

  @Test
  @SuppressWarnings("unchecked")
  void writesEveryOutputWithReconcilingCountsOnBothRunners() throws Exception {
    Path direct = dir.resolve("clean-direct");
    Map<String, Object> s =
        CleanJob.run(CleanJob.Settings.of(prepared, model, direct).withRecordIO(true));
    long input = ((Number) s.get("input")).longValue();
    long kept = ((Number) s.get("kept")).longValue();
    long dropped = ((Number) s.get("dropped")).longValue();
    long quarantined = ((Number) s.get("quarantined")).longValue();
    assertEquals(synthImages, input);
    assertEquals(input, kept + dropped + quarantined);
    assertTrue(quarantined > 0, "corrupt images are carried in the totals");
    Map<String, Object> reasons = (Map<String, Object>) s.get("dropped_by_reason");
    assertEquals(dropped, reasons.values().stream().mapToLong(v -> ((Number) v).longValue()).sum());
    assertEquals(8, ((Number) s.get("classes_before")).intValue());
    assertTrue(s.containsKey("quality_vs_truth"));
    assertTrue((Boolean) s.get("model_trained_on_this_data"));

    Map<String, String> d = decisions(direct);
    assertEquals(kept + dropped, d.size());
    List<String> csv = Files.readAllLines(direct.resolve("dropped.csv"));
    assertEquals("id,label,identity,reason,angle_deg", csv.get(0));
    assertEquals(dropped, csv.size() - 1);
    assertEquals(8, ParquetFiles.rowCount(direct.resolve("classes.parquet")));
    // kept labels are contiguous 0..C'-1
    TreeMap<Integer, Integer> newLabels = new TreeMap<>();
    for (Path f : ParquetFiles.list(direct.resolve("kept"))) {
      ParquetFiles.read(f, (GenericRecord r) -> newLabels.put((Integer) r.get("label"), 1));
    }
    assertEquals(0, newLabels.firstKey());
    assertEquals(newLabels.size() - 1, newLabels.lastKey());
    // the RecordIO of the kept set reads back as InsightFace data
    InputPlan plan = InputPlanner.plan(InputPlanner.Spec.of(direct.resolve("recordio")));
    assertEquals(kept, plan.plannedRecords());
    assertEquals(newLabels.size(), plan.numClasses());
    // ... and does not depend on how the runner laid out the kept files
    List<GenericRecord> keptRows = new ArrayList<>();
    for (Path f : ParquetFiles.list(direct.resolve("kept"))) {
      keptRows.addAll(ParquetFiles.readAll(f));
    }
    java.util.Collections.reverse(keptRows);
    Path relaid = Files.createDirectories(dir.resolve("relaid/kept"));
    ParquetFiles.write(relaid.resolve("one.parquet"), CleanSchemas.CLEANED, keptRows);
    CleanJob.writeRecordIO(relaid, dir.resolve("relaid/recordio"));
    for (String f : List.of("train.rec", "train.idx", "property")) {
      assertArrayEquals(
          Files.readAllBytes(direct.resolve("recordio").resolve(f)),
          Files.readAllBytes(dir.resolve("relaid/recordio").resolve(f)),
          f);
    }
    reportMatchesSummaryAndParquet(direct, s);

    Path flink = dir.resolve("clean-flink");
    CleanJob.run(
        CleanJob.Settings.of(prepared, model, flink)
            .withRunner(new Runners.Choice("flink", "[local]", 2)));
    assertEquals(d, decisions(flink), "DirectRunner and Flink decide identically");
    assertEquals(
        Files.readAllLines(direct.resolve("dropped.csv")).stream().sorted().toList(),
        Files.readAllLines(flink.resolve("dropped.csv")).stream().sorted().toList());
  }

  /** report.json, written by every clean run, agrees with summary.json and the Parquet outputs. */
  @SuppressWarnings("unchecked")
  static void reportMatchesSummaryAndParquet(Path clean, Map<String, Object> s) throws Exception {
    assertTrue(Files.isRegularFile(clean.resolve("report.html")));
    Map<String, Object> r = Json.read(clean.resolve("report.json"));
    Map<String, Object> t = (Map<String, Object>) r.get("totals");
    for (String k : new String[] {"input", "kept", "dropped", "quarantined"}) {
      assertEquals(((Number) s.get(k)).longValue(), ((Number) t.get(k)).longValue(), k);
    }
    assertEquals(
        String.valueOf(new TreeMap<>((Map<String, Object>) s.get("dropped_by_reason"))),
        String.valueOf(new TreeMap<>((Map<String, Object>) t.get("dropped_by_reason"))));
    // per-face numbers recomputed here from the Parquet outputs
    long faces = 0;
    long nearestDominant = 0;
    long beyond75 = 0;
    long noisy = 0;
    long droppedNoisy = 0;
    for (String side : new String[] {"kept", "dropped"}) {
      for (Path f : ParquetFiles.list(clean.resolve(side))) {
        for (GenericRecord g : ParquetFiles.readAll(f)) {
          faces++;
          nearestDominant +=
              g.get("nearest_sub_center").equals(g.get("dominant_sub_center")) ? 1 : 0;
          beyond75 += (Double) g.get("angle_deg") > 75 ? 1 : 0;
          boolean isNoisy = g.get("truth") != null && !g.get("truth").toString().equals("clean");
          noisy += isNoisy ? 1 : 0;
          droppedNoisy += isNoisy && side.equals("dropped") ? 1 : 0;
        }
      }
    }
    Map<String, Object> d = (Map<String, Object>) r.get("dominant_sub_classes");
    assertEquals(faces, ((Number) d.get("faces")).longValue());
    assertEquals(nearestDominant, ((Number) d.get("nearest_dominant")).longValue());
    Map<String, Object> sweep = (Map<String, Object>) r.get("threshold_sweep");
    List<Number> dropPy =
        (List<Number>) ((Map<String, Object>) sweep.get("drop-py")).get("dropped");
    assertEquals(beyond75, dropPy.get(75 - 60).longValue());
    Map<String, Object> q = (Map<String, Object>) r.get("quality_vs_truth");
    Map<String, Object> sq = (Map<String, Object>) s.get("quality_vs_truth");
    assertEquals(noisy, ((Number) q.get("noisy")).longValue());
    assertEquals(droppedNoisy, ((Number) q.get("dropped_noisy")).longValue());
    assertEquals(((Number) sq.get("precision")).doubleValue(), (Double) q.get("precision"), 1e-12);
    assertEquals(((Number) sq.get("recall")).doubleValue(), (Double) q.get("recall"), 1e-12);
    assertEquals(
        ParquetFiles.rowCount(clean.resolve("classes.parquet")),
        ((List<?>) r.get("classes")).size());
    Map<String, Object> dup = (Map<String, Object>) r.get("duplicate_identities");
    assertEquals(
        ((Number) s.get("classes_before")).intValue(),
        ((Number) dup.get("centres_compared")).intValue());
  }

  @Test
  void embeddingCacheSkipsInferenceAndPoliciesDiffer() throws Exception {
    Path cache = dir.resolve("emb");
    Map<String, Object> first =
        CleanJob.run(
            CleanJob.Settings.of(prepared, model, dir.resolve("c1")).withEmbeddings(cache));
    assertEquals(false, ((Map<?, ?>) first.get("options")).get("embeddings_reused"));
    assertTrue(Files.isRegularFile(cache.resolve("embeddings.json")));
    Map<String, Object> second =
        CleanJob.run(
            CleanJob.Settings.of(prepared, model, dir.resolve("c2")).withEmbeddings(cache));
    assertEquals(true, ((Map<?, ?>) second.get("options")).get("embeddings_reused"));
    assertEquals(decisions(dir.resolve("c1")), decisions(dir.resolve("c2")));

    Map<String, Object> strict =
        CleanJob.run(
            CleanJob.Settings.of(prepared, model, dir.resolve("c3"))
                .withEmbeddings(cache)
                .withPolicy(new CleaningPolicy(true, 75, 0)));
    assertTrue(
        ((Number) strict.get("dropped")).longValue()
            >= ((Number) first.get("dropped")).longValue());
    Map<String, Object> loose =
        CleanJob.run(
            CleanJob.Settings.of(prepared, model, dir.resolve("c4"))
                .withEmbeddings(cache)
                .withPolicy(new CleaningPolicy(false, 179, 0)));
    assertEquals(0L, ((Number) loose.get("dropped")).longValue());
    Map<String, Object> small =
        CleanJob.run(
            CleanJob.Settings.of(prepared, model, dir.resolve("c5"))
                .withEmbeddings(cache)
                .withPolicy(new CleaningPolicy(false, 75, 1000)));
    assertEquals(0L, ((Number) small.get("kept")).longValue());
    assertEquals(0, ((Number) small.get("classes_after")).intValue());
  }

  @Test
  void badModelOrDataIsOneClearError() {
    InputException e =
        assertThrows(
            InputException.class,
            () ->
                CleanJob.run(
                    CleanJob.Settings.of(prepared, dir.resolve("no-model"), dir.resolve("x"))));
    assertTrue(e.getMessage().contains("not a finished 'facesieve train' output"));
    assertFalse(Files.exists(dir.resolve("x/summary.json")));
    List<String> none = new ArrayList<>();
    assertTrue(none.isEmpty());
  }
}
