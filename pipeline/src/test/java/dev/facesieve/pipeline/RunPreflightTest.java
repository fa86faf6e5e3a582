package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.facesieve.datasets.synth.SyntheticCollection;
import dev.facesieve.pipeline.cli.FaceSieve;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code facesieve run} checks every path and option of every stage before the first one starts: a
 * mistake that a later stage would meet is reported in one line, exit 2, with no stage output
 * written.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunPreflightTest {
  Path dir;
  Path synth;

  @BeforeAll
  void collection(@TempDir Path tmp) throws Exception {
    dir = tmp;
    synth = dir.resolve("synth");
    SyntheticCollection.generate(
        new SyntheticCollection.Config(
            4,
            6,
            0.1,
            0.1,
            0,
            3,
            SyntheticCollection.NoiseMode.COHERENT,
            SyntheticCollection.Layout.FOLDER),
        synth);
  }

  /** Runs {@code run} into a fresh folder and asserts it stopped up front with {@code message}. */
  private CommandLineTest.Result refused(String name, String message, String... options) {
    Path out = dir.resolve(name);
    List<String> a = new ArrayList<>(List.of("run", "--output", out.toString()));
    if (!List.of(options).contains("--input")) {
      a.addAll(List.of("--input", synth.toString()));
    }
    a.addAll(List.of(options));
    CommandLineTest.Result r = CommandLineTest.run(a.toArray(String[]::new));
    assertEquals(FaceSieve.USAGE, r.code(), r.out() + r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains(message), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
    assertFalse(Files.exists(out.resolve("prepared")), "a stage started: " + r.out());
    assertFalse(Files.exists(out.resolve("run.json")), r.out());
    return r;
  }

  @Test
  void aMissingOrUnusableOnnxBackboneIsReportedBeforePrepare() throws Exception {
    Path missing = dir.resolve("models/mobilefacenet.onnx");
    CommandLineTest.Result r =
        refused(
            "onnx-missing",
            missing + ": ONNX model (--backbone onnx:" + missing + ") not found",
            "--backbone",
            "onnx:" + missing);
    assertTrue(r.out().contains("backbone: onnx:" + missing), r.out());

    Path folder = Files.createDirectories(dir.resolve("models"));
    refused("onnx-folder", "is a folder, not a file", "--backbone", "onnx:" + folder);

    Path garbage = Files.writeString(folder.resolve("truncated.onnx"), "not a model");
    refused("onnx-garbage", "truncated.onnx: ONNX model", "--backbone", "onnx:" + garbage);
    refused("onnx-garbage2", "cannot be loaded", "--backbone", "onnx:" + garbage);
  }

  @Test
  void anOnnxBackboneOfAnotherEmbeddingSizeIsReportedBeforePrepare() {
    Path onnx = SharedData.find("models/mobilefacenet-512.onnx");
    assumeTrue(onnx != null, "../shared ONNX model is not present");
    refused(
        "onnx-size",
        "embeds to 512 dimensions, not --embedding-size 128; pass --embedding-size 512",
        "--backbone",
        "onnx:" + onnx,
        "--embedding-size",
        "128");
  }

  @Test
  void sideFilesInputAndOutputAreCheckedBeforePrepare() throws Exception {
    CommandLineTest.Result r =
        refused(
            "truth-missing",
            "truth.csv: --truth file not found",
            "--truth",
            dir.resolve("truth.csv").toString());
    // leaving out --backbone says what trains instead, and what is recommended
    assertTrue(
        r.out()
            .contains(
                "backbone: small (the default, trained from scratch; a pretrained ONNX embedder,"
                    + " --backbone onnx:<file>, is the recommended path)"),
        r.out());
    refused("landmarks-folder", "--landmarks file is a folder", "--landmarks", dir.toString());
    refused(
        "test-set-missing",
        "test-set: test set not found",
        "--exclude-identities-of",
        dir.resolve("test-set").toString());
    refused(
        "bad-duplicate-action",
        "--duplicate-identities must be one of report, merge, drop, got join",
        "--duplicate-identities",
        "join");
    CommandLineTest.Result none =
        CommandLineTest.run("run", "--output", dir.resolve("no-input").toString());
    assertEquals(FaceSieve.USAGE, none.code(), none.err());
    assertTrue(none.err().contains("Missing required option: '--input"), none.err());
    assertFalse(Files.exists(dir.resolve("no-input")), none.out());
    refused("input-missing", "input not found", "--input", dir.resolve("nope").toString());
    // the run's output inside its input
    Path inside = synth.resolve("run");
    CommandLineTest.Result o =
        CommandLineTest.run("run", "--input", synth.toString(), "--output", inside.toString());
    assertEquals(FaceSieve.USAGE, o.code(), o.err());
    assertTrue(o.err().contains("overlaps the input"), o.err());
    assertFalse(Files.exists(inside), o.out());
  }

  @Test
  void optionsOfLaterStagesAreCheckedBeforePrepare() {
    refused("bad-threshold", "threshold must be in (0, 180]", "--threshold-deg", "200");
    refused("bad-epochs", "epochs must be > 0", "--epochs", "0");
    refused("bad-channels", "channels", "--channels", "GBR");
    refused("bad-report", "thumbnails must be >= 0", "--report-thumbnails", "-1");
    // the runner is first used by prepare's pipeline, or by clean's when prepare is skipped
    refused("bad-runner", "--runner dataflow needs a build", "--runner", "dataflow");
  }

  @Test
  void helpRecommendsAPretrainedEmbedder() {
    CommandLineTest.Result r = CommandLineTest.run("run", "--help");
    assertEquals(0, r.code(), r.err());
    String help = r.out().replaceAll("\\s+", " ");
    assertTrue(help.contains("onnx:<file> (recommended: a pretrained"), r.out());
    assertTrue(help.contains("small (a CPU-sized CNN)"), r.out());
    assertTrue(help.contains("Default: small"), r.out());
  }
}
