package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.pipeline.cli.FaceSieve;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CommandLineTest {
  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    CommandLine cl = FaceSieve.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void synthThenPrepareFromArguments() throws Exception {
    Path synth = dir.resolve("synth");
    Result r =
        run(
            "synth",
            "--output",
            synth.toString(),
            "--identities",
            "5",
            "--images-per-identity",
            "6",
            "--format",
            "folder",
            "--seed",
            "9");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("wrote 30 images"), r.out());
    Path out = dir.resolve("prepared");
    r =
        run(
            "prepare",
            "--input",
            synth.toString(),
            "--output",
            out.toString(),
            "--shard-size",
            "7");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("identities"), r.out());
    assertEquals(30, PrepareJobTest.faces(out).size() + PrepareJobTest.quarantined(out).size());
    // the default runner, auto, says what it chose for this small input, and the manifest agrees
    assertTrue(
        r.out()
            .lines()
            .anyMatch("prepare: runner auto: direct (30 input records, under 5,000)"::equals),
        r.out());
    assertEquals("direct", PrepareManifest.read(out).runner());
  }

  @Test
  void badInputIsOneLineAndExitCodeTwo() {
    Result r =
        run(
            "prepare",
            "--input",
            dir.resolve("nope").toString(),
            "--output",
            dir.resolve("o").toString());
    assertEquals(FaceSieve.USAGE, r.code());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("nope") && r.err().contains("input not found"), r.err());
    assertFalse(Files.exists(dir.resolve("o/manifest.json")));

    r = run("prepare", "--input", dir.toString());
    assertEquals(FaceSieve.USAGE, r.code());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("--output"), r.err());

    r =
        run(
            "prepare",
            "--input",
            dir.toString(),
            "--output",
            dir.resolve("o2").toString(),
            "--format",
            "zip");
    assertEquals(FaceSieve.USAGE, r.code());
    assertTrue(r.err().contains("--format must be"), r.err());
  }

  @Test
  void helpListsEveryOptionWithDefaults() {
    Result r = run("prepare", "--help");
    assertEquals(0, r.code());
    for (String opt :
        new String[] {
          "--input",
          "--output",
          "--format",
          "--max-pixels",
          "--align",
          "--runner",
          "--flink-master",
          "--shard-size"
        }) {
      assertTrue(r.out().contains(opt), opt);
    }
    assertTrue(r.out().contains("Default: 16777216"), r.out());
  }
}
