package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.datasets.io.LocalFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run.json} as {@link RunState}: files written before it read and re-write unchanged. */
class RunStateTest {
  /** {@code run.json} of a finished {@code facesieve demo}, written by the map-based RunJob. */
  static final String FINISHED =
      """
      {
        "facesieve_version" : "0.1.0-SNAPSHOT",
        "stages" : {
          "clean" : {
            "key" : "28af9abc573c501466be8d87e6f4ee635e368d893f74caf39c9d5c0d2a38cd38",
            "marker" : "clean/summary.json",
            "marker_sha256" : "9d266eaf5ae5dc1b0f419de4f462038d748709165291b59dbb8614515e02d372",
            "state" : "done"
          },
          "prepare" : {
            "key" : "cb0aaa5ed397c2525c32acec16154b07dd9bb0572af54d6efdfff9073c0776ad",
            "marker" : "prepared/manifest.json",
            "marker_sha256" : "2a67497185439c65f8315f85d14b7140dec340dce1cee1fc455f239788feb3db",
            "state" : "done"
          },
          "report" : {
            "key" : "715b69638d1943fb4fd5d1cd0c39af0486f11e3f5568eec00baafc9aa3bb3dad",
            "marker" : "clean/report.json",
            "marker_sha256" : "99d1f85b9b3a8f063fc94a9b6b2d05d09a0596dac02325d37d644fbc36ac2484",
            "state" : "done"
          },
          "train" : {
            "key" : "d3a13fec92b284520b14ed2068dafd33f806be02c6b56ce85c82470cbf374afc",
            "marker" : "model/model.json",
            "marker_sha256" : "b0b2ee273e75fb196f09738d99a8e0969662879ecc541b9c6bee641369a5bd3b",
            "state" : "done"
          }
        }
      }"""
          .stripIndent();

  /** {@code run.json} of a {@code facesieve demo} stopped during training, map-based RunJob. */
  static final String TRAINING =
      """
      {
        "facesieve_version" : "0.1.0-SNAPSHOT",
        "stages" : {
          "prepare" : {
            "key" : "0d842be0b92cb2f1b45d7f28d8a18e6b8b5f0443863b7832f63067ef85c69beb",
            "marker" : "prepared/manifest.json",
            "marker_sha256" : "eaf226fa6e8436413f76af8f1cd8c9d7871cf0ba4b6b8595b99d3249e7649d79",
            "state" : "done"
          },
          "train" : {
            "key" : "95ace276076f0e6665c96cf3f7617e458a34463e32af7a7d0474679010a54cd1",
            "state" : "started"
          }
        }
      }"""
          .stripIndent();

  @Test
  void existingFilesReadAndRewriteToTheSameBytes(@TempDir Path dir) throws Exception {
    for (String text : new String[] {FINISHED, TRAINING}) {
      Path f = dir.resolve(RunJob.STATE);
      Files.writeString(f, text);
      RunState s = StageJson.read(f, RunState.class);
      assertEquals(text, StageJson.write(s));
    }
  }

  @Test
  void readsTheFieldsTheRunDecidesBy(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve(RunJob.STATE), TRAINING);
    RunState s = RunState.read(Location.of(dir));
    assertEquals(Version.get(), s.facesieveVersion());
    assertEquals(List.of("prepare", "train"), List.copyOf(s.stages().keySet()));
    RunState.StageRecord prepare = s.stage("prepare");
    assertEquals(RunState.State.DONE, prepare.state());
    assertEquals("prepared/manifest.json", prepare.marker());
    assertEquals(
        "eaf226fa6e8436413f76af8f1cd8c9d7871cf0ba4b6b8595b99d3249e7649d79", prepare.markerSha256());
    RunState.StageRecord train = s.stage("train");
    assertEquals(RunState.State.STARTED, train.state());
    assertEquals("95ace276076f0e6665c96cf3f7617e458a34463e32af7a7d0474679010a54cd1", train.key());
    assertNull(train.marker());
    assertNull(s.stage("clean"));
  }

  @Test
  void writtenStateSortsStagesAndOmitsAbsentMarkers(@TempDir Path dir) throws Exception {
    RunState s =
        RunState.empty("0.1.0-SNAPSHOT")
            .with(
                "train",
                RunState.StageRecord.started(
                    "95ace276076f0e6665c96cf3f7617e458a34463e32af7a7d0474679010a54cd1"))
            .with(
                "prepare",
                RunState.StageRecord.done(
                    "0d842be0b92cb2f1b45d7f28d8a18e6b8b5f0443863b7832f63067ef85c69beb",
                    "prepared/manifest.json",
                    "eaf226fa6e8436413f76af8f1cd8c9d7871cf0ba4b6b8595b99d3249e7649d79"));
    s.write(Location.of(dir));
    assertEquals(TRAINING, Files.readString(dir.resolve(RunJob.STATE)));
    assertEquals(TRAINING, StageJson.write(s.with("clean", s.stage("prepare")).without("clean")));
  }

  @Test
  void anUnreadableStateMeansNothingIsDone(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve(RunJob.STATE), "{ \"stages\" : [ 1, 2 ] ");
    RunState s = RunState.read(Location.of(dir));
    assertTrue(s.stages().isEmpty());
    assertEquals(Version.get(), s.facesieveVersion());
    assertTrue(RunState.read(Location.of(dir.resolve("absent"))).stages().isEmpty());
  }

  /**
   * A stage's key hashes the JSON text the map-based RunJob hashed: keys of old runs still match.
   */
  @Test
  void stageKeysAreUnchanged() {
    Map<String, Object> options = new TreeMap<>();
    options.put("format", "auto");
    options.put("max_pixels", 16777216L);
    options.put("align", false);
    options.put("landmarks", null);
    options.put("columns", "facesieve");
    options.put("shard_size", 1024);
    String text =
        """
        [ "prepare", "%s", "/data/in", {
          "align" : false,
          "columns" : "facesieve",
          "format" : "auto",
          "landmarks" : null,
          "max_pixels" : 16777216,
          "shard_size" : 1024
        }, "" ]"""
            .stripIndent()
            .formatted(Version.get());
    assertEquals(LocalFiles.sha256(text), RunState.key("prepare", "/data/in", options, ""));
  }
}
