package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.pipeline.cli.FaceSieve;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code facesieve train} in a child JVM, stopped by SIGINT (Ctrl-C) and SIGTERM mid-training: each
 * stops at a step boundary, writes a checkpoint, says so in one line and exits 130 / 143; no JVM
 * crash log is left behind, and {@code --resume} continues from the checkpoint.
 */
class TrainSignalTest {
  @TempDir Path dir;

  private static final Pattern INTERRUPTED =
      Pattern.compile(
          "train: interrupted at step (\\d+); checkpoint written, continue with --resume");

  private static final Pattern RUN_INTERRUPTED =
      Pattern.compile(
          "run: interrupted during training at step (\\d+); checkpoint written, the same command"
              + " again resumes from it");

  @Test
  void sigintAndSigtermStopAtAStepWithACheckpointThatResumeContinues() throws Exception {
    Path synth = dir.resolve("synth");
    Path prep = dir.resolve("prepared");
    assertEquals(
        0,
        CommandLineTest.run(
                "synth",
                "--output",
                synth.toString(),
                "--identities",
                "5",
                "--images-per-identity",
                "10",
                "--seed",
                "4")
            .code());
    assertEquals(
        0,
        CommandLineTest.run("prepare", "--input", synth.toString(), "--output", prep.toString())
            .code());
    Path model = dir.resolve("model");
    Path cwd = Files.createDirectories(dir.resolve("cwd"));
    List<String> train =
        List.of(
            "train",
            "--data",
            prep.toString(),
            "--output",
            model.toString(),
            "--epochs",
            "100000",
            "--batch-size",
            "8",
            "--embedding-size",
            "32");

    // a shell starts background jobs with SIGINT ignored, and children inherit that: then only
    // SIGTERM can be tested
    long first =
        sigintIgnored()
            ? interrupt(cwd, train, "TERM", 143, INTERRUPTED)
            : interrupt(cwd, train, "INT", 130, INTERRUPTED);
    assertEquals(first, checkpointStep(model));
    List<String> resumed = new ArrayList<>(train);
    resumed.add("--resume");
    long second = interrupt(cwd, resumed, "TERM", 143, INTERRUPTED);
    assertTrue(second > first, second + " after " + first);
    assertEquals(second, checkpointStep(model));
    assertFalse(Files.exists(model.resolve("model.json")), "an interrupted run is not finished");

    // 50 faces in batches of 8: 6 steps an epoch; finish two epochs after the checkpoint
    String epochs = Long.toString(second / 6 + 2);
    CommandLineTest.Result r =
        CommandLineTest.run(
            "train",
            "--data",
            prep.toString(),
            "--output",
            model.toString(),
            "--epochs",
            epochs,
            "--batch-size",
            "8",
            "--embedding-size",
            "32",
            "--resume");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("train: resuming at step " + second), r.out());
    assertTrue(Files.isRegularFile(model.resolve("model.json")));
  }

  @Test
  void runStopsItsTrainingStageTheSameWay() throws Exception {
    Path synth = dir.resolve("synth");
    assertEquals(
        0,
        CommandLineTest.run(
                "synth",
                "--output",
                synth.toString(),
                "--identities",
                "5",
                "--images-per-identity",
                "10",
                "--seed",
                "4")
            .code());
    Path out = dir.resolve("run");
    Path cwd = Files.createDirectories(dir.resolve("cwd-run"));
    long step =
        interrupt(
            cwd,
            List.of(
                "run",
                "--input",
                synth.toString(),
                "--output",
                out.toString(),
                "--epochs",
                "100000",
                "--batch-size",
                "8",
                "--embedding-size",
                "32"),
            "TERM",
            143,
            RUN_INTERRUPTED);
    assertEquals(step, checkpointStep(out.resolve("model")));
    assertFalse(
        Files.exists(out.resolve("model/model.json")), "an interrupted run is not finished");
    assertFalse(Files.exists(out.resolve("clean")), "no stage after training ran");
  }

  /**
   * Starts {@code facesieve args} in a child JVM, sends {@code signal} after its first progress
   * line, checks the exit code, the one line and that no crash log was written; returns the step.
   */
  private long interrupt(Path cwd, List<String> args, String signal, int code, Pattern said)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-opens") || a.startsWith("-Dai.djl") || a.equals("-Doffline=true")) {
        cmd.add(a);
      }
    }
    cmd.add("-Dai.djl.offline=true");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(FaceSieve.class.getName());
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
    List<String> lines = new CopyOnWriteArrayList<>();
    CountDownLatch training = new CountDownLatch(1);
    CompletableFuture<Void> reader =
        CompletableFuture.runAsync(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  lines.add(line);
                  if (line.startsWith("train: epoch")) {
                    training.countDown();
                  }
                }
              } catch (IOException e) {
                // the stream closes with the process
              }
            });
    try {
      assertTrue(training.await(120, TimeUnit.SECONDS), "no progress line: " + lines);
      if (signal.equals("TERM")) {
        // SIGTERM on Linux and macOS; Process.destroy() would also close the child's output
        p.toHandle().destroy();
      } else {
        new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
      }
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "still running after SIG" + signal);
    } finally {
      p.destroyForcibly();
    }
    reader.get(10, TimeUnit.SECONDS);
    String out = String.join("\n", lines);
    assertEquals(code, p.exitValue(), out);
    List<String> interrupted = lines.stream().filter(l -> l.contains("interrupted")).toList();
    assertEquals(1, interrupted.size(), out);
    Matcher m = said.matcher(interrupted.get(0));
    assertTrue(m.matches(), out);
    try (Stream<Path> files = Files.list(cwd)) {
      assertEquals(List.of(), files.map(f -> f.getFileName().toString()).toList(), out);
    }
    return Long.parseLong(m.group(1));
  }

  /** Whether this process ignores SIGINT (Linux only; elsewhere assumed not). */
  private static boolean sigintIgnored() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return false;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseLong(line.substring(7).strip(), 16) & (1L << (2 - 1))) != 0;
      }
    }
    return false;
  }

  @SuppressWarnings("unchecked")
  private static long checkpointStep(Path model) throws IOException {
    Map<String, Object> state = Json.read(model.resolve("checkpoint/state.json"));
    return ((Number) state.get("step")).longValue();
  }
}
