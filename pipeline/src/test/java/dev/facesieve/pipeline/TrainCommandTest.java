package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.pipeline.cli.FaceSieve;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
  @TempDir Path dir;

  private Path prepared(int ids, int images) {
    Path synth = dir.resolve("synth");
    Path prep = dir.resolve("prepared");
    assertEquals(
        0,
        CommandLineTest.run(
                "synth",
                "--output",
                synth.toString(),
                "--identities",
                Integer.toString(ids),
                "--images-per-identity",
                Integer.toString(images),
                "--seed",
                "4")
            .code());
    assertEquals(
        0,
        CommandLineTest.run("prepare", "--input", synth.toString(), "--output", prep.toString())
            .code());
    return prep;
  }

  @Test
  @SuppressWarnings("unchecked")
  void trainsFromArgumentsAndRefusesToClobber() throws Exception {
    Path prep = prepared(5, 10);
    Path model = dir.resolve("model");
    CommandLineTest.Result r =
        CommandLineTest.run(
            "train",
            "--data",
            prep.toString(),
            "--output",
            model.toString(),
            "--epochs",
            "2",
            "--batch-size",
            "8",
            "--embedding-size",
            "32",
            "--sample-rate",
            "0.6",
            "--subcenters",
            "2");
    assertEquals(0, r.code(), r.err() + r.out());
    assertTrue(r.out().contains("train: epoch 2"), r.out());
    Map<String, Object> m = Json.read(model.resolve("model.json"));
    Map<String, Object> arch = (Map<String, Object>) m.get("architecture");
    assertEquals("small", arch.get("backbone"));
    assertEquals(2, arch.get("sub_centers"));
    assertEquals(5, arch.get("classes"));
    assertEquals(
        Json.read(prep.resolve("manifest.json")).get("fingerprint"), m.get("data_fingerprint"));
    assertEquals(2, ((List<?>) m.get("epochs")).size());
    assertEquals("id_00003", ((Map<String, Object>) m.get("identities")).get("3"));
    assertEquals(10, ParquetFiles.rowCount(model.resolve("centres.parquet")));

    r = CommandLineTest.run("train", "--data", prep.toString(), "--output", model.toString());
    assertEquals(FaceSieve.USAGE, r.code());
    assertTrue(r.err().contains("--resume"), r.err());
    assertEquals(1, r.err().strip().lines().count());

    r =
        CommandLineTest.run(
            "train", "--data", dir.toString(), "--output", dir.resolve("m2").toString());
    assertEquals(FaceSieve.USAGE, r.code());
    assertTrue(r.err().contains("not a finished 'facesieve prepare' output"), r.err());

    r =
        CommandLineTest.run(
            "train",
            "--data",
            prep.toString(),
            "--output",
            dir.resolve("m3").toString(),
            "--backbone",
            "vgg");
    assertEquals(FaceSieve.USAGE, r.code());
    assertTrue(r.err().contains("unknown backbone"), r.err());
  }

  @Test
  @SuppressWarnings("unchecked")
  void headOnlyOnLfwWithTheSharedOnnxEmbedder() throws Exception {
    Path lfw = SharedData.find("data/lfw-min10-112");
    Path onnx = SharedData.find("models/mobilefacenet-512.onnx");
    assumeTrue(lfw != null && onnx != null, "../shared LFW or ONNX model is not present");
    Path prep = dir.resolve("lfw");
    PrepareJob.run(PrepareJob.Settings.of(lfw, prep));
    Path model = dir.resolve("lfw-model");
    CommandLineTest.Result r =
        CommandLineTest.run(
            "train",
            "--data",
            prep.toString(),
            "--output",
            model.toString(),
            "--backbone",
            "onnx:" + onnx,
            "--epochs",
            "2",
            "--batch-size",
            "128");
    assertEquals(0, r.code(), r.err());
    Map<String, Object> m = Json.read(model.resolve("model.json"));
    assertEquals("onnx", ((Map<String, Object>) m.get("architecture")).get("backbone"));
    assertEquals("BGR", ((Map<String, Object>) m.get("preprocessing")).get("channels"));
    assertEquals(158 * 3, ParquetFiles.rowCount(model.resolve("centres.parquet")));
    assertTrue(Files.size(model.resolve("embeddings.f32")) == 4324L * 512 * 4);
    List<Map<String, Object>> epochs = (List<Map<String, Object>>) m.get("epochs");
    assertTrue(((Number) epochs.get(1).get("accuracy")).doubleValue() > 0.9, epochs.toString());
  }
}
