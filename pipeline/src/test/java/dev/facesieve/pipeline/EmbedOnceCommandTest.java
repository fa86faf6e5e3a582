package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.datasets.synth.SyntheticCollection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 point 1: one embedding pass per (embedder, data). A head-only {@code run} embeds each
 * face once, in training, and every later training with another head and every cleaning reuse the
 * store; a trained backbone's store changes with its training.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbedOnceCommandTest {
  Path dir;
  Path synth;

  @BeforeAll
  void collection(@TempDir Path tmp) throws Exception {
    dir = tmp;
    synth = synthetic(dir.resolve("synth"));
  }

  /**
   * The small synthetic RecordIO the command-line tests of a head-only run share: 5 identities of
   * 10 faces with coherent close-set and open-set noise; returns {@code out}.
   */
  static Path synthetic(Path out) throws Exception {
    SyntheticCollection.generate(
        new SyntheticCollection.Config(
            5,
            10,
            0.15,
            0.15,
            0.0,
            16,
            SyntheticCollection.NoiseMode.COHERENT,
            SyntheticCollection.Layout.RECORDIO),
        out);
    return out;
  }

  static String[] args(Path input, Path out, String backbone, String dim, String... extra) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "run",
                "--input",
                input.toString(),
                "--output",
                out.toString(),
                "--backbone",
                backbone,
                "--embedding-size",
                dim,
                "--epochs",
                "2",
                "--batch-size",
                "16",
                "--scale",
                "32"));
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  private static long embedded(Path summaryDir) throws Exception {
    return ((Number) Json.read(summaryDir.resolve("summary.json")).get("faces_embedded"))
        .longValue();
  }

  private static Map<?, ?> modelEmbeddings(Path out) throws Exception {
    return (Map<?, ?>) Json.read(out.resolve("model/model.json")).get("embeddings");
  }

  @Test
  void headOnlyRunEmbedsEachFaceOnce() throws Exception {
    Path onnx = SharedData.find("models/mobilefacenet-512.onnx");
    assumeTrue(onnx != null, "../shared ONNX model is not present");
    String backbone = "onnx:" + onnx;
    Path out = dir.resolve("head-only");
    CommandLineTest.Result r = CommandLineTest.run(args(synth, out, backbone, "512"));
    assertEquals(0, r.code(), r.err());
    long faces = PrepareManifest.read(out.resolve("prepared")).counts().prepared();
    assertTrue(faces > 0);
    // training embedded every face, into the store; cleaning reused it
    assertEquals(faces, embedded(out.resolve("clean")), "faces embedded by the first run");
    Map<?, ?> m = modelEmbeddings(out);
    assertEquals(faces, ((Number) m.get("faces_embedded")).longValue());
    assertEquals(false, m.get("reused"));
    assertEquals(out.resolve("embeddings").toAbsolutePath().toString(), m.get("store"));
    Map<String, Object> s = Json.read(out.resolve("clean/summary.json"));
    assertEquals(true, ((Map<?, ?>) s.get("options")).get("embeddings_reused"));
    assertTrue(r.out().contains("train: embedding"), r.out());
    assertTrue(r.out().contains("train: stored embeddings"), r.out());
    assertTrue(r.out().contains("clean (cached embeddings)"), r.out());
    assertTrue(Files.isRegularFile(out.resolve("embeddings.json")));
    assertTrue(Files.notExists(out.resolve("model/embeddings.f32")), "one copy: the store");

    // another K: training runs again on the stored embeddings, and so does the cleaning
    r = CommandLineTest.run(args(synth, out, backbone, "512", "--subcenters", "2"));
    assertEquals(0, r.code(), r.err());
    assertTrue(
        r.out().contains("stages: prepare skipped; train ran; clean ran; report ran"), r.out());
    assertEquals(0, embedded(out.resolve("clean")), "faces embedded with another K");
    m = modelEmbeddings(out);
    assertEquals(0, ((Number) m.get("faces_embedded")).longValue());
    assertEquals(true, m.get("reused"));
    assertTrue(!r.out().contains("train: embedding"), r.out());

    // another threshold into another output: nothing embedded either
    r =
        CommandLineTest.run(
            args(
                synth,
                out,
                backbone,
                "512",
                "--subcenters",
                "2",
                "--name",
                "t70",
                "--threshold-deg",
                "70"));
    assertEquals(0, r.code(), r.err());
    assertTrue(
        r.out().contains("stages: prepare skipped; train skipped; clean-t70 ran; report-t70 ran"),
        r.out());
    assertEquals(0, embedded(out.resolve("clean-t70")), "faces embedded by another cleaning");

    // plain train and clean share the same store with --embeddings
    Path model = dir.resolve("model-k4");
    r =
        CommandLineTest.run(
            "train",
            "--input",
            out.resolve("prepared").toString(),
            "--output",
            model.toString(),
            "--embeddings",
            out.resolve("embeddings").toString(),
            "--backbone",
            backbone,
            "--subcenters",
            "4",
            "--epochs",
            "1",
            "--batch-size",
            "16");
    assertEquals(0, r.code(), r.err());
    Map<?, ?> k4 = (Map<?, ?>) Json.read(model.resolve("model.json")).get("embeddings");
    assertEquals(true, k4.get("reused"), k4.toString());
    r =
        CommandLineTest.run(
            "clean",
            "--input",
            out.resolve("prepared").toString(),
            "--model",
            model.toString(),
            "--output",
            dir.resolve("clean-k4").toString(),
            "--embeddings",
            out.resolve("embeddings").toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(0, embedded(dir.resolve("clean-k4")));
  }

  @Test
  void trainedBackboneNeverReusesAStaleStore() throws Exception {
    Path out = dir.resolve("full");
    CommandLineTest.Result r = CommandLineTest.run(args(synth, out, "small", "32"));
    assertEquals(0, r.code(), r.err());
    long faces = PrepareManifest.read(out.resolve("prepared")).counts().prepared();
    assertEquals(faces, embedded(out.resolve("clean")));
    assertEquals(null, modelEmbeddings(out), "training a backbone embeds nothing beforehand");
    Object key = Json.read(out.resolve("embeddings.json")).get("embedder_sha256");

    // another training changes the embedder: the cleaning embeds again, with the new backbone
    r = CommandLineTest.run(args(synth, out, "small", "32", "--seed", "5"));
    assertEquals(0, r.code(), r.err());
    assertTrue(
        r.out().contains("stages: prepare skipped; train ran; clean ran; report ran"), r.out());
    assertEquals(faces, embedded(out.resolve("clean")), "a retrained backbone embeds again");
    Map<String, Object> s = Json.read(out.resolve("clean/summary.json"));
    assertEquals(false, ((Map<?, ?>) s.get("options")).get("embeddings_reused"));
    assertNotEquals(key, Json.read(out.resolve("embeddings.json")).get("embedder_sha256"));

    // the same backbone with another threshold reuses it
    r =
        CommandLineTest.run(
            args(synth, out, "small", "32", "--seed", "5", "--threshold-deg", "70"));
    assertEquals(0, r.code(), r.err());
    assertEquals(0, embedded(out.resolve("clean")));
  }
}
