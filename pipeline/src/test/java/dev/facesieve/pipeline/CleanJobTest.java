package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.clean.DropReason;
import dev.facesieve.datasets.clean.PersonCuts;
import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.datasets.input.InputPlan;
import dev.facesieve.datasets.input.InputPlanner;
import dev.facesieve.datasets.io.LocalFiles;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.datasets.synth.SyntheticCollection;
import dev.facesieve.model.ModelDirectory;
import dev.facesieve.model.ModelJson;
import dev.facesieve.model.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
        TrainJob.Settings.builder(
                prepared,
                model,
                TrainConfig.builder()
                    .setBackbone("small")
                    .setEmbeddingSize(64)
                    .setEpochs(3)
                    .setBatchSize(16)
                    .build())
            .build(),
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
    assertEquals(cores, Runners.embedThreads(new Runners.Choice("direct", "[local]", 1)));
    assertEquals(1, Runners.embedThreads(new Runners.Choice("direct", "[local]", cores)));
    assertEquals(1, Runners.embedThreads(new Runners.Choice("flink", "[local]", 4 * cores)));
    assertEquals(
        Math.max(1, cores / 2), Runners.embedThreads(new Runners.Choice("flink", "[local]", 2)));
    assertEquals(1, Runners.embedThreads(new Runners.Choice("flink", "jm:8081", 1)));
  }

  @Test
  @SuppressWarnings("unchecked")
  void writesEveryOutputWithReconcilingCountsOnBothRunners() throws Exception {
    Path direct = dir.resolve("clean-direct");
    CleanSummary s =
        CleanJob.run(
            CleanJob.Settings.builder(prepared, model, direct).setEmitRecordIO(true).build());
    long input = s.input();
    long kept = s.kept();
    long dropped = s.dropped();
    long quarantined = s.quarantined();
    assertEquals(synthImages, input);
    assertEquals(input, kept + dropped + quarantined);
    assertTrue(quarantined > 0, "corrupt images are carried in the totals");
    assertEquals(dropped, s.droppedByReason().values().stream().mapToLong(v -> v).sum());
    assertEquals(8, s.classesBefore());
    assertTrue(s.qualityVsTruth() != null);
    assertTrue(s.modelTrainedOnThisData());
    assertEquals(s, CleanSummary.read(direct), "summary.json holds what run returned");

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
    // every .idx entry: the kept images, the header record and one record per identity
    assertEquals(kept + 1 + newLabels.size(), plan.plannedRecords());
    assertEquals(newLabels.size(), plan.numClasses());
    // ... and does not depend on how the runner laid out the kept files
    List<GenericRecord> keptRows = new ArrayList<>();
    for (Path f : ParquetFiles.list(direct.resolve("kept"))) {
      keptRows.addAll(ParquetFiles.readAll(f));
    }
    java.util.Collections.reverse(keptRows);
    Path relaid = Files.createDirectories(dir.resolve("relaid/kept"));
    ParquetFiles.write(relaid.resolve("one.parquet"), CleanSchemas.CLEANED, keptRows);
    KeptRecordIO.write(relaid, dir.resolve("relaid/recordio"));
    for (String f : List.of("train.rec", "train.idx", "property")) {
      assertArrayEquals(
          Files.readAllBytes(direct.resolve("recordio").resolve(f)),
          Files.readAllBytes(dir.resolve("relaid/recordio").resolve(f)),
          f);
    }
    reportMatchesSummaryAndParquet(direct, s);

    Path flink = dir.resolve("clean-flink");
    CleanJob.run(
        CleanJob.Settings.builder(prepared, model, flink)
            .setRunner(new Runners.Choice("flink", "[local]", 2))
            .build());
    assertEquals(d, decisions(flink), "DirectRunner and Flink decide identically");
    assertEquals(
        Files.readAllLines(direct.resolve("dropped.csv")).stream().sorted().toList(),
        Files.readAllLines(flink.resolve("dropped.csv")).stream().sorted().toList());
  }

  /** report.json, written by every clean run, agrees with summary.json and the Parquet outputs. */
  @SuppressWarnings("unchecked")
  static void reportMatchesSummaryAndParquet(Path clean, CleanSummary s) throws Exception {
    assertTrue(Files.isRegularFile(clean.resolve("report.html")));
    Map<String, Object> r = Json.read(clean.resolve("report.json"));
    Map<String, Object> t = (Map<String, Object>) r.get("totals");
    assertEquals(s.input(), ((Number) t.get("input")).longValue());
    assertEquals(s.kept(), ((Number) t.get("kept")).longValue());
    assertEquals(s.dropped(), ((Number) t.get("dropped")).longValue());
    assertEquals(s.quarantined(), ((Number) t.get("quarantined")).longValue());
    assertEquals(
        String.valueOf(new TreeMap<>(s.droppedByReason())),
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
          // drop-py's angle: to the dominant sub-centre (angle_deg is the policy's own angle)
          @SuppressWarnings("unchecked")
          List<Number> cos = (List<Number>) g.get("cosines");
          double toDominant =
              Math.toDegrees(
                  Math.acos(
                      Math.max(
                          -1,
                          Math.min(
                              1, cos.get((Integer) g.get("dominant_sub_center")).doubleValue()))));
          // the sweep leaves out faces removed across classes (not label noise)
          Object reason = g.get("reason");
          boolean interClass = reason != null && DropReason.valueOf(reason.toString()).interClass();
          beyond75 += toDominant > 75 && !interClass ? 1 : 0;
          boolean isNoisy =
              !interClass && g.get("truth") != null && !g.get("truth").toString().equals("clean");
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
    CleanSummary.QualityVsTruth sq = s.qualityVsTruth();
    assertEquals(noisy, ((Number) q.get("noisy")).longValue());
    assertEquals(droppedNoisy, ((Number) q.get("dropped_noisy")).longValue());
    assertEquals(noisy, sq.noisyInPrepared());
    assertEquals(droppedNoisy, sq.droppedNoisy());
    assertEquals(sq.precision(), (Double) q.get("precision"), 1e-12);
    assertEquals(sq.recall(), (Double) q.get("recall"), 1e-12);
    assertEquals(
        ParquetFiles.rowCount(clean.resolve("classes.parquet")),
        ((List<?>) r.get("classes")).size());
    // the report's inter-class section carries the summary's counts
    Map<String, Object> dup =
        (Map<String, Object>)
            ((Map<String, Object>) r.get("inter_class")).get("duplicate_identities");
    assertEquals(s.interClass().duplicateGroups(), ((Number) dup.get("groups_found")).intValue());
  }

  @Test
  void embeddingCacheSkipsInferenceAndPoliciesDiffer() throws Exception {
    Path cache = dir.resolve("emb");
    CleanSummary first =
        CleanJob.run(
            CleanJob.Settings.builder(prepared, model, dir.resolve("c1"))
                .setEmbeddings(cache)
                .build());
    assertFalse(first.options().embeddingsReused());
    assertTrue(Files.isRegularFile(dir.resolve("emb.json")), "the cache's record lies beside it");
    try (var files = Files.list(cache)) {
      assertTrue(files.allMatch(f -> f.toString().endsWith(".parquet")), "only Parquet inside");
    }
    // A copy of the model without its network: any inference would fail to load it, so the runs
    // below prove that they embed nothing. model.json (whose hash keys the cache) is unchanged.
    Path headOnly = dir.resolve("model-without-backbone");
    Files.createDirectories(headOnly);
    for (String f : List.of("model.json", "centres.parquet")) {
      Files.copy(model.resolve(f), headOnly.resolve(f));
    }
    assertThrows(
        Exception.class,
        () -> CleanJob.run(CleanJob.Settings.of(prepared, headOnly, dir.resolve("c0"))),
        "without the cache, cleaning with this model must need its network");
    CleanSummary second =
        CleanJob.run(
            CleanJob.Settings.builder(prepared, headOnly, dir.resolve("c2"))
                .setEmbeddings(cache)
                .build());
    assertTrue(second.options().embeddingsReused());
    assertEquals(decisions(dir.resolve("c1")), decisions(dir.resolve("c2")));

    CleanSummary loose =
        CleanJob.run(
            CleanJob.Settings.builder(prepared, headOnly, dir.resolve("c4"))
                .setEmbeddings(cache)
                .setPolicy(CleaningPolicy.of(CleaningPolicy.Kind.DROP_PY, 179))
                .build());
    assertEquals(
        0L,
        loose.dropped()
            - loose.droppedByReason().get("DUPLICATE_IMAGE")
            - loose.droppedByReason().get("DUPLICATE_IDENTITY")
            - loose.droppedByReason().get("TEST_OVERLAP"),
        "at 179° drop-py drops no face as label noise");
    // at 179° every face nearest a non-dominant sub-centre is NON_DOMINANT to strict, whatever
    // angle the training left it at (at 75° the count depends on the CPU's rounding: 0 on some)
    CleanSummary strict =
        CleanJob.run(
            CleanJob.Settings.builder(prepared, headOnly, dir.resolve("c3"))
                .setEmbeddings(cache)
                .setPolicy(CleaningPolicy.of(CleaningPolicy.Kind.STRICT, 179))
                .build());
    assertTrue(strict.options().embeddingsReused());
    assertTrue(
        strict.droppedByReason().get("NON_DOMINANT") > 0,
        "this data has faces nearest a sub-centre other than the dominant one");
    assertEquals(
        loose.dropped() + strict.droppedByReason().get("NON_DOMINANT"),
        strict.dropped(),
        "strict drops drop-py's faces and the non-dominant ones");
    CleanSummary small =
        CleanJob.run(
            CleanJob.Settings.builder(prepared, headOnly, dir.resolve("c5"))
                .setEmbeddings(cache)
                .setPolicy(CleaningPolicy.dropPy().withMinClassSize(1000))
                .build());
    assertEquals(0L, small.kept());
    assertEquals(0, small.classesAfter());
  }

  @Test
  void badModelOrDataIsOneClearError() throws Exception {
    InputException e =
        assertThrows(
            InputException.class,
            () ->
                CleanJob.run(
                    CleanJob.Settings.of(prepared, dir.resolve("no-model"), dir.resolve("x"))));
    assertTrue(e.getMessage().contains("not a finished 'facesieve train' output"));
    assertFalse(Files.exists(dir.resolve("x/summary.json")));

    // each: --data, --model, the folder the one line must name, what it must say
    record Bad(Path data, Path model, Path named, String what) {}
    Path notModel = Files.createDirectories(dir.resolve("not-a-model"));
    Path notPrepared = Files.createDirectories(dir.resolve("not-prepared"));
    Path synth = dir.resolve("synth-ten");
    SyntheticCollection.generate(
        new SyntheticCollection.Config(
            10,
            2,
            0,
            0,
            0,
            5,
            SyntheticCollection.NoiseMode.COHERENT,
            SyntheticCollection.Layout.RECORDIO),
        synth);
    Path tenLabels = dir.resolve("prepared-ten"); // labels 0..9; the model has 8 classes
    PrepareJob.run(PrepareJob.Settings.of(synth, tenLabels));
    for (Bad b :
        List.of(
            new Bad(prepared, notModel, notModel, "not a finished 'facesieve train' output"),
            new Bad(notPrepared, model, notPrepared, "not a finished 'facesieve prepare' output"),
            new Bad(tenLabels, model, model, "the model has 8 classes but the data has label 8"))) {
      Path out = dir.resolve("bad-clean");
      CommandLineTest.Result r =
          CommandLineTest.run(
              "clean",
              "--data",
              b.data().toString(),
              "--model",
              b.model().toString(),
              "--output",
              out.toString());
      assertEquals(2, r.code(), r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
      assertTrue(r.err().startsWith("facesieve clean: " + b.named() + ": "), r.err());
      assertTrue(r.err().contains(b.what()), r.err());
      assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
      assertFalse(Files.exists(out.resolve(CleanJob.SUMMARY)));
    }
  }

  /**
   * A model whose classes are other people (here: this model with label 3 renamed and another data
   * fingerprint) is refused at the command line, naming the first difference, unless {@code
   * --allow-foreign-model}, which cleans with a warning.
   */
  @Test
  void aModelTrainedOnOtherClassesIsRefusedUnlessAllowed() throws Exception {
    Path foreign = Files.createDirectories(dir.resolve("foreign-model"));
    for (String f : List.of("centres.parquet", "backbone.params", "head.params")) {
      Files.copy(model.resolve(f), foreign.resolve(f));
    }
    ModelJson m = ModelDirectory.readJson(model);
    Map<String, String> ids = new TreeMap<>(m.identities());
    ids.put("3", "Bob");
    LocalFiles.writeAtomically(
        foreign.resolve(ModelDirectory.MODEL_JSON),
        StageJson.write(
            new ModelJson(
                m.architecture(),
                "/elsewhere/prepared",
                "0".repeat(64),
                m.epochs(),
                m.facesieveVersion(),
                ids,
                m.images(),
                m.preprocessing(),
                m.stage(),
                m.training())));
    String dataName = PrepareManifest.read(prepared).labels().get(3);
    String difference =
        "model was trained on 8 classes, the data has 8; first difference: label 3 is '"
            + dataName
            + "' in the data, 'Bob' in the model";

    Path out = dir.resolve("clean-foreign");
    CommandLineTest.Result r =
        CommandLineTest.run(
            "clean",
            "--data",
            prepared.toString(),
            "--model",
            foreign.toString(),
            "--output",
            out.toString());
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("facesieve clean: " + foreign + ": "), r.err());
    assertTrue(r.err().contains(difference), r.err());
    assertTrue(r.err().contains("--allow-foreign-model"), r.err());
    assertFalse(Files.exists(out.resolve(CleanJob.SUMMARY)));

    r =
        CommandLineTest.run(
            "clean",
            "--data",
            prepared.toString(),
            "--model",
            foreign.toString(),
            "--output",
            out.toString(),
            "--allow-foreign-model");
    assertEquals(0, r.code(), r.err());
    List<String> warnings = r.err().strip().lines().toList();
    assertEquals(1, warnings.size(), r.err());
    assertTrue(warnings.get(0).startsWith("facesieve clean: warning: "), r.err());
    assertTrue(warnings.get(0).contains(difference), r.err());
    CleanSummary s = CleanSummary.read(out);
    assertFalse(s.modelTrainedOnThisData());
    assertEquals(s.input(), s.kept() + s.dropped() + s.quarantined());
    // the console says how each auto cut was read, with the numbers summary.json records
    PersonCuts.Evidence cuts = s.calibration().cuts();
    assertTrue(
        r.out()
            .contains(
                String.format(
                    Locale.ROOT,
                    "  outlier cut: P10 of %,d angles to other people; %.1f%% of own faces",
                    cuts.impostorAngles(),
                    100 * cuts.genuineBeyondCut())),
        r.out());
    assertTrue(
        r.out()
            .contains(
                String.format(
                    Locale.ROOT,
                    "  person cut: midway %.1f° (split halves) to %.1f° (median nearest class);"
                        + " even/odd classes agree within %.1f°",
                    cuts.splitHalfDeg(),
                    cuts.nearestOtherMedianDeg(),
                    cuts.spreadOfCutsDeg())),
        r.out());
    assertEquals(cuts.faceCutDeg(), s.options().thresholdDeg(), 0.05);
    assertEquals(cuts.groupCutDeg(), s.options().otherPersonDeg(), 0.05);
  }

  @Test
  void classMapsAgreeWhenEveryDataLabelHasItsNameInTheModel() {
    TreeMap<Integer, String> data = new TreeMap<>(Map.of(0, "Ann", 1, "Bob", 3, "Cid"));
    assertEquals(null, ModelMatch.classMapDifference(data, new TreeMap<>(data), 4));
    TreeMap<Integer, String> more = new TreeMap<>(data);
    more.put(2, "Dee");
    more.put(7, "Eve");
    assertEquals(null, ModelMatch.classMapDifference(data, more, 8), "a model of more classes");
    TreeMap<Integer, String> renamed = new TreeMap<>(more);
    renamed.put(1, "Zed");
    assertEquals(
        "model was trained on 8 classes, the data has 3; first difference: label 1 is 'Bob' in"
            + " the data, 'Zed' in the model",
        ModelMatch.classMapDifference(data, renamed, 8));
    TreeMap<Integer, String> gap = new TreeMap<>(data);
    gap.remove(3);
    assertEquals(
        "model was trained on 4 classes, the data has 3; first difference: label 3 is 'Cid' in"
            + " the data, absent from the model",
        ModelMatch.classMapDifference(data, gap, 4));
  }
}
