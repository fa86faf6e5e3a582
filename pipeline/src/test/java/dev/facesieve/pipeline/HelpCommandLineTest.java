package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.facesieve.pipeline.CommandLineTest.Result;
import dev.facesieve.pipeline.cli.FaceSieve;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** What a user meets at the command line before anything runs: help, typos, usage errors. */
class HelpCommandLineTest {
  @TempDir Path dir;

  /** Every command below {@code facesieve}, by qualified name, {@code facesieve} first. */
  static Map<String, CommandLine> commands() {
    Map<String, CommandLine> all = new LinkedHashMap<>();
    List<CommandLine> todo = new ArrayList<>(List.of(FaceSieve.commandLine()));
    while (!todo.isEmpty()) {
      CommandLine c = todo.remove(0);
      all.put(c.getCommandSpec().qualifiedName(), c);
      todo.addAll(c.getSubcommands().values());
    }
    return all;
  }

  static String help(String command) {
    String[] words = command.split(" ");
    String[] args = new String[words.length];
    System.arraycopy(words, 1, args, 0, words.length - 1);
    args[words.length - 1] = "--help";
    Result r = CommandLineTest.run(args);
    assertEquals(0, r.code(), r.err());
    return r.out();
  }

  private static void assertUsageError(Result r, String prefix, String... contains) {
    assertEquals(FaceSieve.USAGE, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith(prefix), r.err());
    for (String c : contains) {
      assertTrue(r.err().contains(c), "'" + c + "' not in: " + r.err());
    }
  }

  @Test
  void typosGetTheNameMeant() {
    String in = dir.toString();
    String out = dir.resolve("o").toString();
    assertUsageError(
        CommandLineTest.run("run", "--input", in, "--output", out, "--treshold-deg", "70"),
        "facesieve run: ",
        "unknown option '--treshold-deg'; did you mean --threshold-deg?");
    // the typo wins over the required option it left missing
    assertUsageError(
        CommandLineTest.run("run", "--inptu", in, "--output", out),
        "facesieve run: ",
        "unknown option '--inptu'; did you mean --input?");
    assertUsageError(
        CommandLineTest.run("clean", "--treshold-deg=70"),
        "facesieve clean: ",
        "did you mean --threshold-deg?");
    assertUsageError(
        CommandLineTest.run("rn", "--input", in),
        "facesieve: ",
        "unknown command 'rn'; did you mean run?");
    assertUsageError(
        CommandLineTest.run("clena"),
        "facesieve: ",
        "unknown command 'clena'; did you mean clean?");
    assertUsageError(
        CommandLineTest.run("report", "--report"),
        "facesieve report: ",
        "did you mean --report-classes or --report-thumbnails?");
  }

  @Test
  void errorLinesStartWithTheCommand() {
    assertUsageError(
        CommandLineTest.run("prepare", "--input", dir.resolve("nope").toString(), "--output", "o"),
        "facesieve prepare: ",
        "input not found");
    assertUsageError(
        CommandLineTest.run("train", "--epochs", "x"), "facesieve train: ", "'--epochs'");
    assertUsageError(
        CommandLineTest.run("synth", "--output", dir.resolve("s").toString(), "--format", "zip"),
        "facesieve synth: ",
        "--format must be recordio or folder");
  }

  @Test
  void noArgumentsPrintsTheUsageAndExitsTwo() {
    Result r = CommandLineTest.run();
    assertEquals(FaceSieve.USAGE, r.code(), r.err());
    assertTrue(r.err().startsWith("Usage: facesieve"), r.err());
    assertTrue(r.err().contains("Commands:") && r.err().contains("run "), r.err());
    assertEquals("", r.out());
  }

  @Test
  void beamRunnerNamesAreAccepted() {
    for (String name :
        List.of(
            "FlinkRunner", "flinkrunner", "FLINK", "org.apache.beam.runners.flink.FlinkRunner")) {
      Runners.Choice c = new Runners.Choice(name, "[local]", 2);
      assertEquals("flink", c.runner(), name);
      assertEquals(FlinkRunner.class, Runners.options(c, "t").getRunner(), name);
    }
    assertEquals(
        DirectRunner.class,
        Runners.options(new Runners.Choice("DirectRunner", "[local]", 2), "t").getRunner());
    assertEquals("dataflow", new Runners.Choice("DataflowRunner", "[local]", 2).runner());

    // at the command line: the runner is accepted, so the input is what is reported
    String nope = dir.resolve("nope").toString();
    String out = dir.resolve("o").toString();
    assertUsageError(
        CommandLineTest.run("prepare", "--input", nope, "--output", out, "--runner", "FlinkRunner"),
        "facesieve prepare: ",
        "input not found");
    assertUsageError(
        CommandLineTest.run("prepare", "--input", nope, "--output", out, "--runner", "Flinker"),
        "facesieve prepare: ",
        "--runner must be auto, direct, flink or dataflow",
        "FlinkRunner");
  }

  @Test
  void everyDefaultIsShownOnceAndAsAUserWritesIt() {
    Pattern optionLine = Pattern.compile("^  (-\\w, |    )--?\\w.*");
    Pattern defaultWord = Pattern.compile("(?i)default");
    for (String command : commands().keySet()) {
      String help = help(command);
      assertFalse(help.contains("${DEFAULT-VALUE}"), command);
      List<String> block = new ArrayList<>();
      for (String line : (help + "\n  --end").split("\\R")) {
        if (optionLine.matcher(line).matches() || line.isBlank()) {
          String text = String.join(" ", block);
          long defaults = defaultWord.matcher(text).results().count();
          assertTrue(defaults <= 1, command + ": default shown " + defaults + " times: " + text);
          block.clear();
        }
        block.add(line.strip());
      }
      Matcher decimal = Pattern.compile("Default: (-?\\d+\\.0|\\S*\\dE-?\\d\\S*)\\b").matcher(help);
      if (decimal.find()) {
        fail(command + ": " + decimal.group());
      }
    }
    String run = help("facesieve run");
    assertTrue(run.matches("(?s).*--scale=<s>.*?Default: 64\\R.*"), run);
    assertTrue(run.matches("(?s).*--weight-decay=\\S+.*?Default: 0\\.0005\\R.*"), run);
    assertTrue(run.matches("(?s).*--warmup-epochs=\\S+.*?Default: 1\\R.*"), run);
    assertTrue(run.matches("(?s).*--flink-master=\\S+.*?Default: \\[local]\\R.*"), run);
  }

  /** Each option says what it is in a sentence, with its unit where it has one. */
  @Test
  void everyOptionIsDescribedInASentenceWithItsUnit() {
    Map<String, String> units =
        Map.ofEntries(
            Map.entry("--margin", "radians"),
            Map.entry("--threshold-deg", "degrees"),
            Map.entry("--other-person-deg", "degrees"),
            Map.entry("--lr", "learning rate"),
            Map.entry("--batch-size", "Faces per training step"),
            Map.entry("--scale", "scale s"),
            Map.entry("--epochs", "passes over"),
            Map.entry("--warmup-epochs", "Epochs of"),
            Map.entry("--checkpoint-every", "steps"),
            Map.entry("--max-bytes", "bytes"),
            Map.entry("--max-pixels", "pixels"),
            Map.entry("--sample-rate", "(0 to 1)"),
            Map.entry("--close-set-noise", "(0 to 1)"),
            Map.entry("--min-class-size", "faces"),
            Map.entry("--shard-size", "Faces per"));
    int withUnit = 0;
    for (Map.Entry<String, CommandLine> c : commands().entrySet()) {
      for (OptionSpec o : c.getValue().getCommandSpec().options()) {
        String d = String.join(" ", o.description()).strip();
        String what = c.getKey() + " " + o.longestName() + ": " + d;
        assertTrue(d.endsWith("."), what);
        if (!o.longestName().equals("--backbone")) { // point 1 rewrites it
          assertTrue(d.split("\\s+").length >= 4, what);
        }
        String unit = units.get(o.longestName());
        if (unit != null) {
          assertTrue(d.contains(unit), what + " (no '" + unit + "')");
          withUnit++;
        }
      }
    }
    assertTrue(withUnit >= units.size(), "" + withUnit);
  }

  @Test
  void runHelpIsInSections() {
    String run = help("facesieve run");
    assertTrue(run.startsWith("Usage: facesieve run --input=<path> --output=<dir> [OPTIONS]"), run);
    int at = -1;
    for (String heading :
        List.of(
            "Input and output:",
            "Reading the input:",
            "Model and training:",
            "Cleaning:",
            "Report:",
            "Runner:",
            "Other:")) {
      int next = run.indexOf("\n" + heading + "\n");
      assertTrue(next > at, heading + " missing or out of order in:\n" + run);
      at = next;
    }
    // an option under its section: --threshold-deg after Cleaning:, before Report:
    int threshold = run.indexOf("--threshold-deg=");
    assertTrue(threshold > run.indexOf("\nCleaning:") && threshold < run.indexOf("\nReport:"), run);
    for (String command : List.of("facesieve clean", "facesieve train", "facesieve prepare")) {
      String help = help(command);
      assertTrue(help.contains("\nInput and output:\n"), help);
      assertTrue(help.contains("\nRunner:\n") || command.endsWith("train"), help);
    }
  }

  /** {@code --input} names what a command reads everywhere; the older names still work. */
  @Test
  void inputIsTheInputOfEveryCommand() throws Exception {
    Path notPrepared = Files.createDirectories(dir.resolve("not-prepared"));
    for (String name : List.of("--input", "--data")) {
      assertUsageError(
          CommandLineTest.run(
              "train", name, notPrepared.toString(), "--output", dir.resolve("m").toString()),
          "facesieve train: ",
          "not a finished 'facesieve prepare' output");
    }
    for (String name : List.of("--input", "--clean")) {
      Result r = CommandLineTest.run("report", name, dir.resolve("nope").toString());
      assertEquals(FaceSieve.USAGE, r.code(), r.err());
      assertTrue(r.err().startsWith("facesieve report: "), r.err());
      assertTrue(r.err().contains("nope"), r.err());
    }
    for (String command : List.of("train", "clean", "report")) {
      assertTrue(help("facesieve " + command).contains("--input=<dir>"), command);
      assertTrue(help("facesieve " + command).contains("(its --output)"), command);
    }
  }
}
