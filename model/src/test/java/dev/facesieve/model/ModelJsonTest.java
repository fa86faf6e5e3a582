package dev.facesieve.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.datasets.io.LocalFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code model.json} as a typed record: the expected texts were written by the Map-based {@code
 * ModelDirectory} before {@link ModelJson} existed, from the same inputs.
 */
class ModelJsonTest {
  /** A trained backbone with full provenance, a NaN loss and 12 classes (keys sort as strings). */
  static final String TRAINED =
      """
        {
          "architecture" : {
            "backbone" : "small",
            "classes" : 12,
            "embedding_size" : 8,
            "m1" : 1.0,
            "m2" : 0.4,
            "m3" : 0.1,
            "scale" : 32.0,
            "sub_centers" : 2
          },
          "data" : "/data/prepared",
          "data_fingerprint" : "ab12",
          "epochs" : [ {
            "accuracy" : 0.25,
            "epoch" : 0,
            "images_per_second" : 123.4,
            "loss" : 4.5
          }, {
            "accuracy" : 0.5,
            "epoch" : 1,
            "images_per_second" : 0.001,
            "loss" : "NaN"
          } ],
          "facesieve_version" : "0.1.0-test",
          "identities" : {
            "0" : "id_0",
            "1" : "id_1",
            "10" : "id_10",
            "11" : "id_11",
            "2" : "id_2",
            "3" : "id_3",
            "4" : "id_4",
            "5" : "id_5",
            "6" : "id_6",
            "7" : "id_7",
            "8" : "id_8",
            "9" : "id_9"
          },
          "images" : 40,
          "preprocessing" : {
            "channels" : "RGB",
            "mean" : 127.5,
            "scale" : 128.0,
            "size" : 112
          },
          "stage" : "train",
          "training" : {
            "batch_size" : 4,
            "epochs" : 2,
            "learning_rate" : 0.1,
            "momentum" : 0.9,
            "sample_rate" : 0.5,
            "seed" : 7,
            "warmup_epochs" : 0.5,
            "weight_decay" : 5.0E-4
          }
        }""";

  /** A head-only model without provenance ({@code ONNX_PATH} stands for the file's path). */
  static final String HEAD_ONLY =
      """
        {
          "architecture" : {
            "backbone" : "onnx",
            "classes" : 3,
            "embedding_size" : 8,
            "m1" : 1.0,
            "m2" : 0.5,
            "m3" : 0.0,
            "onnx" : "ONNX_PATH",
            "onnx_sha256" : "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881",
            "scale" : 64.0,
            "sub_centers" : 3
          },
          "epochs" : [ ],
          "identities" : {
            "0" : "x",
            "2" : "z"
          },
          "preprocessing" : {
            "channels" : "RGB",
            "mean" : 127.5,
            "scale" : 128.0,
            "size" : 112
          },
          "training" : {
            "batch_size" : 128,
            "epochs" : 3,
            "learning_rate" : 0.1,
            "momentum" : 0.9,
            "sample_rate" : 1.0,
            "seed" : 1,
            "warmup_epochs" : 1.0,
            "weight_decay" : 5.0E-4
          }
        }""";

  @TempDir Path tmp;

  @BeforeAll
  static void offline() {
    System.setProperty("ai.djl.offline", "true");
  }

  @Test
  void writesTheKeysAndValuesOfTheMapBasedWriter() throws Exception {
    TreeMap<Integer, String> ids = new TreeMap<>();
    for (int c = 0; c < 12; c++) {
      ids.put(c, "id_" + c);
    }
    TrainConfig a =
        TrainConfig.builder()
            .setBackbone("small")
            .setEmbeddingSize(8)
            .setSubCenters(2)
            .setMargin(new Margin(32, 1, 0.4, 0.1))
            .setEpochs(2)
            .setBatchSize(4)
            .setWarmupEpochs(0.5)
            .setSampleRate(0.5)
            .setSeed(7)
            .build();
    try (Trainer t = new Trainer(a, null, tmp.resolve("a"), 12, 40)) {
      ModelDirectory.write(
          tmp.resolve("a"),
          a,
          t,
          ids,
          new ModelJson.Provenance("train", "0.1.0-test", "/data/prepared", "ab12", 40L),
          List.of(
              new Trainer.EpochMetrics(0, 4.5, 0.25, 123.4),
              new Trainer.EpochMetrics(1, Double.NaN, 0.5, 1e-3)));
    }
    // a trained backbone's weights are recorded by hash (the embedding store's key)
    // and the sub-centres too, so that cleaning refuses centres that changed (ModelCheck)
    String weights = LocalFiles.sha256(tmp.resolve("a/backbone.params"));
    String centres = LocalFiles.sha256(tmp.resolve("a/centres.parquet"));
    assertEquals(
        TRAINED
            .replace(
                "\"backbone\" : \"small\",\n",
                "\"backbone\" : \"small\",\n    \"backbone_sha256\" : \"" + weights + "\",\n")
            .replace(
                "\"classes\" : 12,\n",
                "\"centres_sha256\" : \"" + centres + "\",\n    \"classes\" : 12,\n"),
        Files.readString(tmp.resolve("a/model.json")));
    assertEquals(weights, ModelInfo.read(tmp.resolve("a")).backboneSha256());
    ModelInfo info = ModelInfo.read(tmp.resolve("a"));
    assertEquals("small", info.backbone());
    assertNull(info.onnx());
    assertEquals(8, info.embeddingSize());
    assertEquals(2, info.subCenters());
    assertEquals(12, info.classes());
    assertEquals(Preprocessing.ARCFACE, info.preprocessing());
    assertEquals(ids, info.identities());

    Path onnx = Files.writeString(tmp.resolve("e.onnx"), "x");
    TrainConfig b =
        TrainConfig.builder()
            .setBackbone("onnx:" + onnx)
            .setEmbeddingSize(8)
            .setEpochs(3)
            .setBatchSize(128)
            .setPreprocessing(new Preprocessing(112, "RGB", 127.5f, 128f))
            .build();
    try (Trainer t = new Trainer(b, null, tmp.resolve("b"), 3, 40)) {
      ModelDirectory.write(
          tmp.resolve("b"), b, t, Map.of(0, "x", 2, "z"), ModelJson.Provenance.NONE, List.of());
    }
    assertEquals(
        HEAD_ONLY
            .replace("ONNX_PATH", onnx.toAbsolutePath().toString())
            .replace(
                "\"classes\" : 3,\n",
                "\"centres_sha256\" : \""
                    + LocalFiles.sha256(tmp.resolve("b/centres.parquet"))
                    + "\",\n    \"classes\" : 3,\n"),
        Files.readString(tmp.resolve("b/model.json")));
    assertEquals(onnx.toAbsolutePath().toString(), ModelInfo.read(tmp.resolve("b")).onnx());
  }

  @Test
  void readThenWriteGivesTheSameBytes() throws Exception {
    for (String text : new String[] {TRAINED, HEAD_ONLY}) {
      Path f = Files.writeString(tmp.resolve("model.json"), text);
      assertEquals(text, StageJson.write(StageJson.read(f, ModelJson.class)));
    }
    Path f = Files.writeString(tmp.resolve("model.json"), TRAINED);
    ModelJson m = StageJson.read(f, ModelJson.class);
    assertEquals(
        new ModelJson.Provenance("train", "0.1.0-test", "/data/prepared", "ab12", 40L),
        m.provenance());
    assertEquals(Double.NaN, m.epochs().get(1).loss());
    assertEquals("id_10", m.identitiesByClass().get(10));
  }
}
