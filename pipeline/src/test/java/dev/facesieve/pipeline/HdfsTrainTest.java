package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.model.ModelDirectory;
import dev.facesieve.model.ModelJson;
import dev.facesieve.model.TrainConfig;
import dev.facesieve.model.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 point 4 for training: {@code train --data hdfs://… --output hdfs://…} gives the model
 * the same training gives locally, a training stopped with a model directory on HDFS leaves its
 * checkpoint there and no {@code model.json}, and {@code --resume} finishes it as an uninterrupted
 * run would; {@code clean --model hdfs://…} decides as with the local copy of the model (a Hadoop
 * MiniDFSCluster).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HdfsTrainTest {
  MiniDFSCluster cluster;
  String root;
  Path dir;
  Path prepared;
  String hdfsPrepared;
  Path localModel; // trained from the command line on the local prepared faces
  String hdfsModelCopy; // a copy of it on HDFS

  /** What the command-line trainings here pass; {@link #CONFIG} is the same training. */
  static final List<String> TRAINING =
      List.of(
          "--epochs",
          "2",
          "--batch-size",
          "8",
          "--embedding-size",
          "32",
          "--checkpoint-every",
          "3");

  static final TrainConfig CONFIG =
      TrainConfig.builder()
          .setEmbeddingSize(32)
          .setEpochs(2)
          .setBatchSize(8)
          .setCheckpointEvery(3)
          .build();

  @BeforeAll
  void start(@TempDir Path base) throws Exception {
    cluster = HdfsOutputTest.startCluster(base);
    root = HdfsOutputTest.root(cluster);
    dir = base;
    prepared = OwnershipTest.synthPrepared(base);
    hdfsPrepared = root + "/data/prepared";
    copyToHdfs(prepared, "/data/prepared");
    localModel = base.resolve("model-local");
    OwnershipTest.ok(
        train("--data", prepared.toString(), "--output", localModel.toString())
            .toArray(String[]::new));
    hdfsModelCopy = root + "/models/copy";
    copyToHdfs(localModel, "/models/copy");
  }

  @AfterAll
  void stop() {
    if (cluster != null) {
      cluster.shutdown();
    }
  }

  private void copyToHdfs(Path local, String to) throws Exception {
    HdfsOutputTest.copyToHdfs(cluster, local, to);
  }

  /** {@link #CONFIG}'s training of the prepared faces on HDFS into {@code out}, without a store. */
  private ModelJson trainFromHdfs(
      Location out, boolean resume, Trainer.Listener listener, BooleanSupplier stop)
      throws Exception {
    return TrainJob.run(
        TrainJob.Settings.builder(Location.parse(hdfsPrepared), out, CONFIG)
            .setResume(resume)
            .build(),
        listener,
        stop);
  }

  private static List<String> train(String... args) {
    List<String> a = new ArrayList<>(List.of("train"));
    a.addAll(List.of(args));
    a.addAll(TRAINING);
    return a;
  }

  @Test
  void trainFromHdfsToHdfsGivesTheModelOfTheLocalTraining() throws Exception {
    SortedSet<String> before = trainTemps();
    String remote = root + "/models/trained";
    CommandLineTest.Result r =
        OwnershipTest.ok(train("--data", hdfsPrepared, "--output", remote).toArray(String[]::new));
    assertTrue(r.out().contains("model: " + remote + "/model.json"), r.out());

    Location out = Location.parse(remote);
    sameModel(Location.of(localModel), out, true);
    JsonNode m = json(out);
    assertEquals(hdfsPrepared, m.get("data").asText(), "the model names its data by URI");
    assertEquals(
        OutputGuard.inspect(Location.of(localModel), OutputKind.MODEL).owned(),
        OutputGuard.inspect(out, OutputKind.MODEL).owned(),
        "the same ownership record");
    assertFalse(out.resolve(OutputLock.FILE).isFile(), "the lock is released");
    assertFalse(out.resolve("checkpoint.tmp").exists());
    assertEquals(before, trainTemps(), "the local temporary folder is removed");

    // a finished model is not replaced without --overwrite, which replaces it
    OwnershipTest.refused(
        CommandLineTest.run(
            train("--data", hdfsPrepared, "--output", remote).toArray(String[]::new)),
        remote,
        "--resume",
        "--overwrite");
    OwnershipTest.ok(
        train("--data", hdfsPrepared, "--output", remote, "--overwrite").toArray(String[]::new));
    sameModel(Location.of(localModel), out, true);

    // files training did not write are refused, before anything is written
    Location foreign = Location.parse(root + "/models/foreign");
    foreign.resolve("notes.txt").write("mine");
    OwnershipTest.refused(
        CommandLineTest.run(
            train("--data", hdfsPrepared, "--output", foreign.toString(), "--overwrite")
                .toArray(String[]::new)),
        "notes.txt");
    assertEquals(List.of("notes.txt"), foreign.tree());
  }

  @Test
  void aStoppedTrainingLeavesItsCheckpointOnHdfsAndResumeFinishesIt() throws Exception {
    Location out = Location.parse(root + "/models/stopped");
    long[] steps = {0};
    Trainer.Stopped stopped =
        assertThrows(
            Trainer.Stopped.class,
            () -> trainFromHdfs(out, false, step -> steps[0] = step.step(), () -> steps[0] >= 5));
    assertEquals(5, stopped.step());
    assertTrue(out.resolve("checkpoint/state.json").isFile(), "the checkpoint is on HDFS");
    assertTrue(out.resolve("checkpoint/backbone.params").isFile());
    assertFalse(out.resolve(ModelDirectory.MODEL_JSON).exists(), "nothing looks complete");
    assertFalse(out.resolve("centres.parquet").exists());
    assertFalse(out.resolve("checkpoint.tmp").exists());
    assertFalse(out.resolve(OutputLock.FILE).isFile(), "the lock is released");
    assertTrue(
        OutputGuard.inspect(out, OutputKind.MODEL).owned().contains("checkpoint/state.json"));

    // without --resume or --overwrite the checkpoint is kept
    InputException e =
        assertThrows(
            InputException.class, () -> trainFromHdfs(out, false, step -> {}, () -> false));
    assertTrue(
        e.getMessage().contains("holds the checkpoint of an unfinished training"), e.getMessage());

    List<Long> resumed = new ArrayList<>();
    trainFromHdfs(out, true, step -> resumed.add(step.step()), () -> false);
    assertEquals(6, resumed.get(0), "resumed after the stop's checkpoint");
    // the model the command line trained, uninterrupted, from the local copy of the data
    sameModel(Location.of(localModel), out, false);
  }

  @Test
  void headOnlyTrainingEmbedsFacesOnHdfsAsLocalOnes() throws Exception {
    Path onnx = SharedData.find("models/mobilefacenet-512.onnx");
    assumeTrue(onnx != null, "../shared ONNX model is not present");
    List<String> headOnly =
        List.of(
            "--backbone",
            "onnx:" + onnx,
            "--embedding-size",
            "512",
            "--epochs",
            "2",
            "--batch-size",
            "8");
    Path local = dir.resolve("head-only-local");
    List<String> a = new ArrayList<>(List.of("train", "--data", prepared.toString()));
    a.addAll(List.of("--output", local.toString()));
    a.addAll(headOnly);
    OwnershipTest.ok(a.toArray(String[]::new));
    // from HDFS: once embedded for this training alone (EmbeddingTable), once into a local store
    for (String store : List.of("", dir.resolve("store").toString())) {
      Path out = dir.resolve("head-only-hdfs" + (store.isEmpty() ? "" : "-store"));
      List<String> b = new ArrayList<>(List.of("train", "--data", hdfsPrepared));
      b.addAll(List.of("--output", out.toString()));
      b.addAll(headOnly);
      if (!store.isEmpty()) {
        b.addAll(List.of("--embeddings", store));
      }
      OwnershipTest.ok(b.toArray(String[]::new));
      sameModel(Location.of(local), Location.of(out), true);
      JsonNode m = json(Location.of(out));
      assertEquals(m.get("images").asLong(), m.get("embeddings").get("faces_embedded").asLong());
    }
  }

  @Test
  void cleanWithAModelOnHdfsDecidesAsWithItsLocalCopy() throws Exception {
    Path withLocal = dir.resolve("clean-local-model");
    Path withHdfs = dir.resolve("clean-hdfs-model");
    OwnershipTest.ok(
        "clean",
        "--input",
        prepared.toString(),
        "--model",
        localModel.toString(),
        "--output",
        withLocal.toString());
    OwnershipTest.ok(
        "clean",
        "--input",
        prepared.toString(),
        "--model",
        hdfsModelCopy,
        "--output",
        withHdfs.toString());
    assertEquals(ids(withLocal, "kept"), ids(withHdfs, "kept"), "the same faces kept");
    assertEquals(ids(withLocal, "dropped"), ids(withHdfs, "dropped"), "the same faces dropped");
    assertFalse(ids(withLocal, "kept").isEmpty());
    assertEquals(
        Files.readAllLines(withLocal.resolve("dropped.csv")).stream().sorted().toList(),
        Files.readAllLines(withHdfs.resolve("dropped.csv")).stream().sorted().toList(),
        "for the same reasons, at the same angles");
    JsonNode summary = StageJson.MAPPER.readTree(withHdfs.resolve(CleanJob.SUMMARY).toFile());
    assertTrue(summary.toString().contains(hdfsModelCopy), "the summary names the model's URI");

    // a URI where a local path is still needed stays a usage error, naming what takes one
    CommandLineTest.Result refused =
        CommandLineTest.run(
            "clean",
            "--input",
            prepared.toString(),
            "--model",
            hdfsModelCopy,
            "--output",
            dir.resolve("not-cleaned").toString(),
            "--exclude-identities-of",
            root + "/data/test-set");
    OwnershipTest.refused(
        refused,
        "'--exclude-identities-of'",
        "needs a local path",
        "--input, --output, --data, --model and --embeddings options of prepare, train, clean and"
            + " run");
    assertFalse(Files.exists(dir.resolve("not-cleaned")));
  }

  /**
   * The model fields that do not name paths, and the centres row by row; the epochs' losses unless
   * {@code actual} was resumed (its {@code epochs} holds the epochs run after the resume).
   */
  private void sameModel(Location expected, Location actual, boolean losses) throws Exception {
    JsonNode a = json(expected);
    JsonNode b = json(actual);
    for (String f :
        List.of(
            "architecture",
            "data_fingerprint",
            "identities",
            "images",
            "preprocessing",
            "training")) {
      assertEquals(a.get(f), b.get(f), f);
    }
    if (losses) {
      assertEquals(a.get("epochs").size(), b.get("epochs").size());
      for (int i = 0; i < a.get("epochs").size(); i++) {
        assertEquals(a.get("epochs").get(i).get("loss"), b.get("epochs").get(i).get("loss"));
      }
    }
    List<float[]> ca = centres(expected);
    List<float[]> cb = centres(actual);
    assertEquals(ca.size(), cb.size());
    for (int i = 0; i < ca.size(); i++) {
      assertArrayEquals(ca.get(i), cb.get(i), 1e-6f, "centre row " + i);
    }
  }

  private static JsonNode json(Location model) throws Exception {
    return StageJson.MAPPER.readTree(model.resolve(ModelDirectory.MODEL_JSON).readString());
  }

  private List<float[]> centres(Location model) throws Exception {
    Path copy = Files.createTempFile(dir, "centres", ".parquet");
    model.resolve("centres.parquet").copyTo(copy);
    List<float[]> rows = new ArrayList<>();
    ParquetFiles.read(copy, r -> rows.add(FaceSchemas.floats(r.get("vector"))));
    return rows;
  }

  private static SortedSet<String> ids(Path cleaned, String folder) throws Exception {
    SortedSet<String> ids = new TreeSet<>();
    for (Path f : ParquetFiles.list(cleaned.resolve(folder))) {
      ParquetFiles.read(f, r -> ids.add(r.get("id").toString()));
    }
    return ids;
  }

  /** The local temporary folders of trainings to a remote model directory. */
  private static SortedSet<String> trainTemps() throws Exception {
    try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return new TreeSet<>(
          s.map(p -> p.getFileName().toString())
              .filter(n -> n.startsWith("facesieve-train-"))
              .toList());
    }
  }
}
