package dev.facesieve.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.model.Trainer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The progress display at a fixed terminal width, and as plain lines when not on a terminal. */
class ConsoleProgressTest {
  /** What an 80-column terminal may show on one line: the library keeps one column free. */
  static final int COLUMNS = 80;

  private static void sleep(long millis) throws InterruptedException {
    Thread.sleep(millis);
  }

  private static Trainer.StepInfo step(int epoch, long step) {
    return new Trainer.StepInfo(epoch, step, 10, 20, 5.0 - step * 0.1, 0.05 * step, 0.1, 320);
  }

  /** Drives every kind of pass: prepare, training's embedding pass, training, clean's embedding. */
  private static void drive(ConsoleProgress p) throws InterruptedException {
    p.update("prepare", 0, 5_800_000);
    sleep(150);
    for (long done = 1; done <= 4; done++) {
      p.update("prepare", done * 1_450_000, 5_800_000);
      sleep(300); // a second passes: the rate shows
    }
    p.onMessage("embedding 4324 faces with /models/mobilefacenet-512.onnx");
    for (long done = 0; done <= 4324; done += 1081) {
      p.onEmbedded(done, 4324);
      sleep(60);
    }
    for (long s = 1; s <= 20; s++) {
      p.onStep(step((int) ((s - 1) / 10), s));
      sleep(20);
    }
    p.update("clean: embedding", 0, 30);
    sleep(60);
    p.update("clean: embedding", 30, 30);
    p.close();
  }

  @Test
  void onAnEightyColumnTerminalNoLineIsWiderThanTheTerminal() throws Exception {
    StringWriter s = new StringWriter();
    ConsoleProgress p = new ConsoleProgress(new PrintWriter(s), true, () -> COLUMNS - 1, 40);
    drive(p);
    String out = s.toString();
    // what a terminal shows: each redraw starts at the line's start (\r), each line ends with \n
    List<String> drawn = Arrays.asList(out.split("[\r\n]"));
    for (String d : drawn) {
      assertTrue(d.length() < COLUMNS, d.length() + " columns: '" + d + "'");
    }
    assertTrue(out.contains("\r"), "redrawn in place on a terminal");
    String first = drawn.stream().filter(d -> d.startsWith("prepare")).findFirst().orElseThrow();
    // at 0%: elapsed time, an unknown time left, and no rate
    assertTrue(first.contains("  0%") && first.contains("(0:00:00 / ?)"), first);
    assertFalse(first.contains("/s"), first);
    String done = last(drawn, "prepare");
    assertTrue(done.contains("100%") && done.contains("5800000/5800000 img"), done);
    assertTrue(done.matches(".*\\(0:00:0\\d / 0:00:00\\) [0-9.]+ img/s.*"), done);
    assertTrue(last(drawn, "train: embedding").contains("4324/4324 img"), out);
    assertTrue(last(drawn, "train ").contains("20/20 steps"), out);
    assertTrue(last(drawn, "clean: embedding").contains("30/30 img"), out);
    // messages and epoch lines stand on their own lines, never inside a bar
    assertTrue(
        drawn.contains("train: embedding 4324 faces with /models/mobilefacenet-512.onnx"), out);
    assertTrue(drawn.contains("train: epoch 1/2: loss 4.450, accuracy 0.275, 320 img/s"), out);
    assertTrue(drawn.contains("train: epoch 2/2: loss 3.450, accuracy 0.775, 320 img/s"), out);
  }

  @Test
  void withoutATerminalItPrintsPlainPeriodicLines() throws Exception {
    StringWriter s = new StringWriter();
    ConsoleProgress p =
        new ConsoleProgress(new PrintWriter(s), false, () -> ConsoleProgress.LOG_WIDTH, 100);
    drive(p);
    String out = s.toString();
    assertFalse(out.contains("\r"), out);
    List<String> lines = out.lines().toList();
    for (String l : lines) {
      assertTrue(l.length() <= ConsoleProgress.LOG_WIDTH, l);
    }
    long prepare = lines.stream().filter(l -> l.startsWith("prepare ")).count();
    // about 1.35 s at one line per 0.1 s while it advances: the first, several between, the last
    assertTrue(prepare >= 3 && prepare <= 16, out);
    assertTrue(lines.get(0).startsWith("prepare   0% [") && lines.get(0).endsWith("(0:00:00 / ?)"));
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("prepare 100% [")), out);
    assertTrue(lines.contains("train: epoch 2/2: loss 3.450, accuracy 0.775, 320 img/s"), out);
  }

  private static String last(List<String> drawn, String prefix) {
    String last = null;
    for (String d : drawn) {
      if (d.startsWith(prefix)) {
        last = d;
      }
    }
    assertTrue(last != null, prefix + " never drawn");
    return last;
  }
}
