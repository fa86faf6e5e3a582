package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.datasets.io.LocalFiles;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.datasets.synth.SyntheticCollection;
import dev.facesieve.model.TrainConfig;
import dev.facesieve.model.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The whole job, driven from command-line arguments as a user runs it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunCommandTest {
  Path dir;
  Path synth;

  @BeforeAll
  void collection(@TempDir Path tmp) throws Exception {
    dir = tmp;
    synth = dir.resolve("synth");
    SyntheticCollection.generate(
        new SyntheticCollection.Config(
            6,
            12,
            0.15,
            0.15,
            0.05,
            21,
            SyntheticCollection.NoiseMode.COHERENT,
            SyntheticCollection.Layout.RECORDIO),
        synth);
  }

  static String[] args(Path input, Path out, String... extra) {
    return args(input.toString(), out.toString(), extra);
  }

  /** {@link #args(Path, Path, String...)} for paths or URIs. */
  static String[] args(String input, String out, String... extra) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "run",
                "--input",
                input,
                "--output",
                out,
                "--backbone",
                "small",
                "--embedding-size",
                "32",
                "--epochs",
                "2",
                "--batch-size",
                "16",
                "--scale",
                "32"));
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  @Test
  void runThenRerunSkipsFinishedStagesAndRedoesChangedOnes() throws Exception {
    Path out = dir.resolve("run-direct");
    CommandLineTest.Result r = CommandLineTest.run(args(synth, out));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("stages: prepare ran; train ran; clean ran; report ran"), r.out());
    assertTrue(r.out().contains("against ground truth: precision"), r.out());
    assertTrue(r.out().contains("report: " + out.resolve("clean/report.html").toAbsolutePath()));
    for (String f :
        new String[] {
          "prepared/manifest.json",
          "model/model.json",
          "clean/summary.json",
          "clean/report.json",
          "clean/report.html",
          "run.json"
        }) {
      assertTrue(Files.isRegularFile(out.resolve(f)), f);
    }
    CleanJobTest.reportMatchesSummaryAndParquet(
        out.resolve("clean"), CleanSummary.read(out.resolve("clean")));
    String modelSha = LocalFiles.sha256(out.resolve("model/model.json"));

    r = CommandLineTest.run(args(synth, out));
    assertEquals(0, r.code(), r.err());
    assertTrue(
        r.out().contains("stages: prepare skipped; train skipped; clean skipped; report skipped"),
        r.out());

    // another threshold: only clean (and its report) run again, on cached embeddings
    r = CommandLineTest.run(args(synth, out, "--threshold-deg", "70"));
    assertEquals(0, r.code(), r.err());
    assertTrue(
        r.out().contains("stages: prepare skipped; train skipped; clean ran; report ran"), r.out());
    Map<String, Object> s70 = Json.read(out.resolve("clean/summary.json"));
    assertEquals(true, ((Map<?, ?>) s70.get("options")).get("embeddings_reused"));
    assertEquals(modelSha, LocalFiles.sha256(out.resolve("model/model.json")));

    // another report option only regenerates the report
    r = CommandLineTest.run(args(synth, out, "--threshold-deg", "70", "--report-classes", "2"));
    assertTrue(
        r.out().contains("stages: prepare skipped; train skipped; clean skipped; report ran"),
        r.out());

    // a marker replaced behind the run's back is not trusted, and not deleted either: it is the
    // user's now (its size and time differ from what the model's record stamped); once it is
    // moved away, that stage and the ones after run
    Files.writeString(out.resolve("model/model.json"), "{}");
    r = CommandLineTest.run(args(synth, out, "--threshold-deg", "70", "--report-classes", "2"));
    OwnershipTest.refused(r, "model.json, which changed since 'facesieve train' wrote it");
    assertEquals("{}", Files.readString(out.resolve("model/model.json")));
    Files.delete(out.resolve("model/model.json"));
    r = CommandLineTest.run(args(synth, out, "--threshold-deg", "70", "--report-classes", "2"));
    assertEquals(0, r.code(), r.err());
    assertTrue(
        r.out().contains("stages: prepare skipped; train ran; clean ran; report ran"), r.out());
  }

  /**
   * Issue 19 point 5: {@code run --name} cleans into a folder of its own, beside the others, on the
   * same embeddings; every folder a user reads as a table holds only Parquet, with standard lists.
   */
  @Test
  void namedCleaningsSideBySideAndOutputsOthersRead() throws Exception {
    Path out = dir.resolve("run-named");
    CommandLineTest.Result r = CommandLineTest.run(args(synth, out));
    assertEquals(0, r.code(), r.err());
    // run ends by saying where the kept set, the drops and the report are
    Path clean = out.resolve("clean").toAbsolutePath();
    assertTrue(
        r.out()
            .contains(
                "kept faces: "
                    + clean.resolve("kept")
                    + ", review the drops: "
                    + clean.resolve("dropped.csv")),
        r.out());
    assertTrue(r.out().contains("report: " + clean.resolve("report.html")), r.out());
    String cleanSummary = LocalFiles.sha256(clean.resolve("summary.json"));

    // another threshold into clean-t70/: only the cleaning runs, on the cached embeddings
    r = CommandLineTest.run(args(synth, out, "--name", "t70", "--threshold-deg", "70"));
    assertEquals(0, r.code(), r.err());
    assertTrue(
        r.out().contains("stages: prepare skipped; train skipped; clean-t70 ran; report-t70 ran"),
        r.out());
    Path t70 = out.resolve("clean-t70").toAbsolutePath();
    assertTrue(
        r.out()
            .contains(
                "kept faces: "
                    + t70.resolve("kept")
                    + ", review the drops: "
                    + t70.resolve("dropped.csv")),
        r.out());
    assertTrue(r.out().contains("report: " + t70.resolve("report.html")), r.out());
    Map<String, Object> s70 = Json.read(t70.resolve("summary.json"));
    assertEquals(true, ((Map<?, ?>) s70.get("options")).get("embeddings_reused"));
    assertTrue(Files.isRegularFile(t70.resolve("report.html")));
    assertTrue(Files.isDirectory(t70.resolve("kept")));
    assertEquals(
        cleanSummary, LocalFiles.sha256(clean.resolve("summary.json")), "clean/ untouched");

    // the two cleanings do not invalidate each other
    r = CommandLineTest.run(args(synth, out));
    assertTrue(
        r.out().contains("stages: prepare skipped; train skipped; clean skipped; report skipped"),
        r.out());
    r = CommandLineTest.run(args(synth, out, "--name", "t70", "--threshold-deg", "70"));
    assertTrue(
        r.out()
            .contains(
                "stages: prepare skipped; train skipped; clean-t70 skipped; report-t70 skipped"),
        r.out());

    // a name that is not a folder name's tail is refused before anything runs
    r = CommandLineTest.run(args(synth, out, "--name", "../x"));
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains("name"), r.err());
    assertFalse(Files.exists(out.resolve("x")));

    // folders read as tables hold only Parquet; the cache's record lies beside it
    assertTrue(Files.isRegularFile(out.resolve("embeddings.json")));
    for (String d :
        List.of(
            "embeddings",
            "prepared/faces",
            "prepared/quarantine",
            "clean/kept",
            "clean/dropped",
            "clean-t70/kept",
            "clean-t70/dropped")) {
      try (Stream<Path> files = Files.list(out.resolve(d))) {
        for (Path f : files.toList()) {
          assertTrue(f.getFileName().toString().endsWith(".parquet"), d + " holds " + f);
        }
      }
    }
    assertFalse(ParquetFiles.list(out.resolve("embeddings")).isEmpty());

    // array columns are standard 3-level lists, whichever stage wrote them
    assertThreeLevel(ParquetFiles.list(out.resolve("embeddings")).get(0), "vector");
    assertThreeLevel(ParquetFiles.list(out.resolve("prepared/faces")).get(0), "landmarks");
    assertThreeLevel(ParquetFiles.list(out.resolve("clean/kept")).get(0), "cosines");
    assertThreeLevel(ParquetFiles.list(out.resolve("clean/kept")).get(0), "landmarks");
    assertThreeLevel(out.resolve("clean/classes.parquet"), "samples_per_sub_center");
    assertThreeLevel(out.resolve("model/centres.parquet"), "vector");
  }

  /** The footer's list: {@code <column> (LIST) { repeated group list { element } }}. */
  static void assertThreeLevel(Path file, String column) throws Exception {
    MessageType schema = ParquetFiles.parquetSchema(file);
    GroupType list = schema.getType(column).asGroupType();
    assertEquals(LogicalTypeAnnotation.listType(), list.getLogicalTypeAnnotation(), column);
    Type repeated = list.getType(0);
    assertFalse(repeated.isPrimitive(), file + ": 2-level list " + list);
    assertEquals("list", repeated.getName(), file + ": " + list);
    assertEquals("element", repeated.asGroupType().getType(0).getName(), file + ": " + list);
  }

  /**
   * The whole job on the embedded Flink cluster. (Its decisions are not compared with a
   * DirectRunner run here: the runners write prepared shards in different layouts, so training
   * streams the data in another order and learns another model; CleanJobTest compares both runners
   * on one model.)
   */
  @Test
  void runOnEmbeddedFlink() throws Exception {
    Path flink = dir.resolve("run-flink");
    CommandLineTest.Result r =
        CommandLineTest.run(args(synth, flink, "--runner", "flink", "--parallelism", "2"));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("stages: prepare ran; train ran; clean ran; report ran"), r.out());
    CleanSummary s = CleanSummary.read(flink.resolve("clean"));
    assertEquals("flink", s.options().runner());
    CleanJobTest.reportMatchesSummaryAndParquet(flink.resolve("clean"), s);
    r = CommandLineTest.run(args(synth, flink, "--runner", "flink", "--parallelism", "2"));
    assertTrue(
        r.out().contains("stages: prepare skipped; train skipped; clean skipped; report skipped"),
        r.out());
  }

  @Test
  void badInputIsOneLineAndExitCodeTwo() throws Exception {
    CommandLineTest.Result r =
        CommandLineTest.run(args(dir.resolve("does-not-exist"), dir.resolve("bad-out")));
    assertEquals(2, r.code());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("does-not-exist"), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
    assertFalse(Files.exists(dir.resolve("bad-out/run.json")));

    Path notFaces = Files.createDirectories(dir.resolve("empty-folder"));
    r = CommandLineTest.run(args(notFaces, dir.resolve("bad-out2")));
    assertEquals(2, r.code());
  }

  @Test
  void interruptedTrainingResumes() throws Exception {
    Path out = dir.resolve("run-resume");
    RunJob.Settings s =
        RunJob.Settings.builder(
                Location.of(synth),
                Location.of(out),
                PrepareJob.Settings.of(synth, RunFolder.prepared(out)),
                TrainConfig.builder()
                    .setBackbone("small")
                    .setEmbeddingSize(32)
                    .setEpochs(2)
                    .setBatchSize(16)
                    .setCheckpointEvery(2)
                    .build())
            .setPolicy(CleaningPolicy.dropPy())
            .build();
    Trainer.Listener crash =
        new Trainer.Listener() {
          @Override
          public void onStep(Trainer.StepInfo i) {
            if (i.step() == 5) {
              throw new IllegalStateException("simulated crash");
            }
          }

          @Override
          public void onMessage(String m) {}
        };
    assertThrows(
        IllegalStateException.class, () -> RunJob.run(s, ProgressListener.NONE, crash, l -> {}));
    assertTrue(Files.isDirectory(out.resolve("model/checkpoint")));
    assertFalse(Files.exists(out.resolve("model/model.json")));
    List<Long> steps = new ArrayList<>();
    Trainer.Listener record =
        new Trainer.Listener() {
          @Override
          public void onStep(Trainer.StepInfo i) {
            steps.add(i.step());
          }

          @Override
          public void onMessage(String m) {}
        };
    RunJob.Outcome o = RunJob.run(s, ProgressListener.NONE, record, l -> {});
    assertEquals("skipped", o.stages().get("prepare"));
    assertEquals("resumed", o.stages().get("train"));
    assertTrue(steps.get(0) > 1, "resumed after the last checkpoint, not from step 1: " + steps);
  }
}
