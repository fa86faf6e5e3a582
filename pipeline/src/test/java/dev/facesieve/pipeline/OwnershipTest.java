package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.io.LocalFiles;
import dev.facesieve.pipeline.cli.FaceSieve;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, items 1–7 and 24: a command deletes only what it wrote, refuses outputs that overlap
 * its inputs or hold files it did not write, and refuses an output another run is writing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OwnershipTest {
  Path dir;
  Path synth;
  Path prepared;
  Path model;

  @BeforeAll
  void data(@TempDir Path tmp) throws Exception {
    dir = tmp;
    synth = dir.resolve("synth");
    ok(synthArgs(synth, "--format", "folder"));
    prepared = dir.resolve("prepared");
    ok("prepare", "--input", synth.toString(), "--output", prepared.toString());
    model = dir.resolve("model");
    trainTiny(prepared, model);
  }

  /**
   * Generates the small synthetic RecordIO of {@link #synthArgs} into {@code base/synth}, prepares
   * it into {@code base/prepared} and returns that folder.
   */
  static Path synthPrepared(Path base) {
    Path synth = base.resolve("synth");
    ok(synthArgs(synth));
    Path prepared = base.resolve("prepared");
    ok("prepare", "--input", synth.toString(), "--output", prepared.toString());
    return prepared;
  }

  /** Trains the tiny model the clean tests start from: 1 epoch, batches of 8, 32 dimensions. */
  static void trainTiny(Path prepared, Path model) {
    ok(
        "train",
        "--data",
        prepared.toString(),
        "--output",
        model.toString(),
        "--epochs",
        "1",
        "--batch-size",
        "8",
        "--embedding-size",
        "32");
  }

  static String[] synthArgs(Path out, String... extra) {
    List<String> a =
        new java.util.ArrayList<>(
            List.of(
                "synth",
                "--output",
                out.toString(),
                "--identities",
                "4",
                "--images-per-identity",
                "8",
                "--seed",
                "3"));
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  /** {@code clean} of the shared prepared data with the shared model into {@code output}. */
  String[] cleanArgs(Path output, String... extra) {
    List<String> a =
        new java.util.ArrayList<>(
            List.of(
                "clean",
                "--data",
                prepared.toString(),
                "--model",
                model.toString(),
                "--output",
                output.toString()));
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  static CommandLineTest.Result ok(String... args) {
    CommandLineTest.Result r = CommandLineTest.run(args);
    assertEquals(0, r.code(), String.join(" ", args) + "\n" + r.err() + r.out());
    return r;
  }

  /** Exit 2 with one line on stderr that contains every one of {@code words}. */
  static CommandLineTest.Result refused(CommandLineTest.Result r, String... words) {
    assertEquals(FaceSieve.USAGE, r.code(), r.err() + r.out());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    for (String w : words) {
      assertTrue(r.err().contains(w), "'" + w + "' not in: " + r.err());
    }
    return r;
  }

  static Path userFile(Path p, String content) throws Exception {
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
    return p;
  }

  static String tree(Path root) throws Exception {
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted().toList()) {
        sb.append(root.relativize(p));
        if (Files.isRegularFile(p)) {
          sb.append(' ').append(LocalFiles.sha256(p));
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  /** Items 1 and 2: {@code run} keeps the user's files in its stage folders and its own input. */
  @Test
  void runRefusesForeignFilesInItsStageFoldersAndAnInputInsideItsOutput() throws Exception {
    Path out = dir.resolve("run");
    Path mine = userFile(out.resolve("prepared/faces/mine.txt"), "the user's");
    CommandLineTest.Result r = CommandLineTest.run(RunCommandTest.args(synth, out));
    refused(r, "mine.txt");
    assertTrue(Files.isRegularFile(mine));
    assertFalse(Files.exists(out.resolve("prepared/manifest.json")));
    Files.delete(mine);

    r = ok(RunCommandTest.args(synth, out));
    assertTrue(r.out().contains("stages: prepare ran; train ran; clean ran; report ran"), r.out());
    String before = tree(out);

    // a new threshold reruns clean, which must not delete files it did not write
    for (String f : new String[] {"clean/kept/mine.parquet", "embeddings/mine.parquet"}) {
      Path p = userFile(out.resolve(f), "the user's");
      r = CommandLineTest.run(RunCommandTest.args(synth, out, "--threshold-deg", "70"));
      refused(r, "mine.parquet");
      assertTrue(Files.isRegularFile(p), f);
      Files.delete(p);
    }
    assertEquals(before, tree(out));

    // item 2: an input inside the output's stage folders would be replaced by the run
    r =
        CommandLineTest.run(
            RunCommandTest.args(out.resolve("clean/kept"), out, "--threshold-deg", "70"));
    refused(r, "overlaps");
    assertEquals(before, tree(out));
    r = CommandLineTest.run(RunCommandTest.args(out, out.resolve("again")));
    refused(r, "overlaps");
    assertEquals(before, tree(out));

    // a folder that is not a run's output is not taken over
    Path docs = dir.resolve("documents");
    userFile(docs.resolve("letter.txt"), "dear");
    refused(CommandLineTest.run(RunCommandTest.args(synth, docs)), "letter.txt");
    assertEquals(List.of(docs.resolve("letter.txt")), Files.list(docs).toList());
  }

  /**
   * Issue 29: a name added by hand to {@code .facesieve-owned.json}, or a file FaceSieve wrote that
   * was changed since, is the user's: {@code --overwrite} refuses and deletes nothing; a report
   * written again by {@code facesieve report} stays FaceSieve's.
   */
  @Test
  void overwriteKeepsFilesAddedToTheRecordByHandOrChangedSince() throws Exception {
    Path out = dir.resolve("clean-stamped");
    String[] clean = cleanArgs(out, "--overwrite");
    ok(clean);
    ok("report", "--clean", out.toString());
    ok(clean); // the report's own files, written again, are still FaceSieve's

    Path record = out.resolve(OutputGuard.OWNED);
    Path notes = userFile(out.resolve("notes.txt"), "the user's");
    java.util.Map<String, Object> owned = Json.read(record);
    @SuppressWarnings("unchecked")
    List<String> names = new java.util.ArrayList<>((List<String>) owned.get("files"));
    names.add("notes.txt");
    owned.put("files", names);
    Files.writeString(record, Json.write(owned));
    refused(CommandLineTest.run(clean), "notes.txt");
    assertEquals("the user's", Files.readString(notes));
    Files.delete(notes);

    Path csv = out.resolve("dropped.csv");
    Files.writeString(csv, Files.readString(csv) + "my review line\n");
    refused(CommandLineTest.run(clean), "dropped.csv");
    assertTrue(Files.readString(csv).endsWith("my review line\n"), "the changed file is kept");
  }

  /** Item 3: {@code clean --embeddings DIR} deletes only the embeddings it wrote. */
  @Test
  void cleanEmbeddingsFolderKeepsFilesItDidNotWrite() throws Exception {
    Path emb = dir.resolve("emb");
    Path theirs = userFile(emb.resolve("theirs.parquet"), "not an embedding");
    CommandLineTest.Result r =
        CommandLineTest.run(cleanArgs(dir.resolve("clean-e1"), "--embeddings", emb.toString()));
    refused(r, "theirs.parquet");
    assertEquals("not an embedding", Files.readString(theirs));
    assertFalse(Files.exists(dir.resolve("clean-e1/summary.json")));

    // its own cache it replaces, twice, with nothing foreign left behind or deleted
    Path emb2 = dir.resolve("emb2");
    for (String t : new String[] {"60", "70"}) {
      ok(
          cleanArgs(
              dir.resolve("clean-e2"),
              "--embeddings",
              emb2.toString(),
              "--overwrite",
              "--threshold-deg",
              t));
    }
    assertTrue(Files.isRegularFile(dir.resolve("emb2.json")));
    // the cache's record lies beside it: a user's file in that place is not overwritten
    Path theirsJson = userFile(dir.resolve("emb3.json"), "{\"mine\": true}");
    r =
        CommandLineTest.run(
            cleanArgs(dir.resolve("clean-e4"), "--embeddings", dir.resolve("emb3").toString()));
    refused(r, "emb3.json", "not the record of a FaceSieve embedding cache");
    assertEquals("{\"mine\": true}", Files.readString(theirsJson));
    // the cache must not overlap what clean reads or writes
    r =
        CommandLineTest.run(
            cleanArgs(
                dir.resolve("clean-e3"), "--embeddings", prepared.resolve("faces").toString()));
    refused(r, "overlaps");
  }

  /** Item 4: {@code prepare} never deletes its input, nor a folder that is not its output. */
  @Test
  void prepareRefusesOverlapAndForeignFoldersEvenWithOverwrite() throws Exception {
    Path x = dir.resolve("x");
    ok(synthArgs(x, "--format", "folder"));
    // an identity folder that happens to be called faces
    Files.move(x.resolve("id_00000"), x.resolve("faces"));
    String before = tree(x);
    refused(
        CommandLineTest.run(
            "prepare", "--input", x.toString(), "--output", x.toString(), "--overwrite"),
        "overlaps");
    refused(
        CommandLineTest.run(
            "prepare", "--input", x.resolve("faces").toString(), "--output", x.toString()),
        "overlaps");
    refused(
        CommandLineTest.run(
            "prepare", "--input", x.toString(), "--output", x.resolve("out").toString()),
        "overlaps");
    assertEquals(before, tree(x));

    Path foreign = dir.resolve("foreign");
    userFile(foreign.resolve("faces/holiday.txt"), "mine");
    String foreignBefore = tree(foreign);
    refused(
        CommandLineTest.run(
            "prepare", "--input", synth.toString(), "--output", foreign.toString(), "--overwrite"),
        "holiday.txt");
    assertEquals(foreignBefore, tree(foreign));

    // its own output it replaces with --overwrite, and refuses without
    Path own = dir.resolve("prepared-own");
    ok("prepare", "--input", synth.toString(), "--output", own.toString());
    refused(
        CommandLineTest.run("prepare", "--input", synth.toString(), "--output", own.toString()),
        "--overwrite");
    ok("prepare", "--input", synth.toString(), "--output", own.toString(), "--overwrite");
    Path extra = userFile(own.resolve("quarantine/notes.txt"), "mine");
    refused(
        CommandLineTest.run(
            "prepare", "--input", synth.toString(), "--output", own.toString(), "--overwrite"),
        "notes.txt");
    assertTrue(Files.isRegularFile(extra));
    assertTrue(Files.isRegularFile(own.resolve("manifest.json")));
  }

  /** Item 5: {@code inject} does not write into its input. */
  @Test
  void injectRefusesItsInputAsOutput() throws Exception {
    Path x = dir.resolve("inject-src");
    ok(synthArgs(x, "--format", "folder"));
    String before = tree(x);
    refused(
        CommandLineTest.run("inject", "--input", x.toString(), "--output", x.toString()),
        "overlaps");
    refused(
        CommandLineTest.run(
            "inject", "--input", x.toString(), "--output", x.resolve("noisy").toString()),
        "overlaps");
    assertEquals(before, tree(x));

    Path foreign = dir.resolve("inject-foreign");
    userFile(foreign.resolve("truth.csv"), "mine");
    refused(
        CommandLineTest.run(
            "inject", "--input", x.toString(), "--output", foreign.toString(), "--overwrite"),
        "truth.csv");
    assertEquals("mine", Files.readString(foreign.resolve("truth.csv")));

    Path noisy = dir.resolve("noisy");
    ok("inject", "--input", x.toString(), "--output", noisy.toString());
    refused(
        CommandLineTest.run("inject", "--input", x.toString(), "--output", noisy.toString()),
        "--overwrite");
    ok("inject", "--input", x.toString(), "--output", noisy.toString(), "--overwrite");
    assertTrue(Files.isRegularFile(noisy.resolve("truth.csv")));
  }

  /** Item 6: {@code train} keeps an existing checkpoint unless told to replace it. */
  @Test
  void trainKeepsACheckpointWithoutOverwrite() throws Exception {
    Path m = dir.resolve("model-ckpt");
    Path state = userFile(m.resolve("checkpoint/state.json"), "{\"step\":5}");
    // as an interrupted training leaves it: its record claims what training writes
    OwnedFiles.claim(
        Location.of(m), OutputKind.MODEL, List.of("checkpoint/", "checkpoint/state.json"));
    CommandLineTest.Result r =
        CommandLineTest.run(
            "train",
            "--data",
            prepared.toString(),
            "--output",
            m.toString(),
            "--epochs",
            "1",
            "--batch-size",
            "8",
            "--embedding-size",
            "32");
    refused(r, "--resume", "--overwrite");
    assertEquals("{\"step\":5}", Files.readString(state));

    Path foreign = dir.resolve("model-foreign");
    userFile(foreign.resolve("notes.txt"), "mine");
    r =
        CommandLineTest.run(
            "train",
            "--data",
            prepared.toString(),
            "--output",
            foreign.toString(),
            "--overwrite",
            "--epochs",
            "1",
            "--batch-size",
            "8",
            "--embedding-size",
            "32");
    refused(r, "notes.txt");
    assertEquals(List.of(foreign.resolve("notes.txt")), Files.list(foreign).toList());
    refused(
        CommandLineTest.run(
            "train", "--data", prepared.toString(), "--output", prepared.resolve("m").toString()),
        "overlaps");
  }

  /** Item 7: {@code synth} does not overwrite files in a folder it did not write. */
  @Test
  void synthRefusesANonEmptyFolder() throws Exception {
    Path f = dir.resolve("synth-foreign");
    userFile(f.resolve("truth.csv"), "mine");
    refused(CommandLineTest.run(synthArgs(f)), "truth.csv");
    refused(CommandLineTest.run(synthArgs(f, "--overwrite")), "truth.csv");
    assertEquals("mine", Files.readString(f.resolve("truth.csv")));
    assertEquals(1, Files.list(f).count());

    Path own = dir.resolve("synth-own");
    ok(synthArgs(own));
    refused(CommandLineTest.run(synthArgs(own)), "--overwrite");
    ok(synthArgs(own, "--overwrite", "--format", "folder"));
    assertFalse(Files.exists(own.resolve("train.rec")), "the earlier RecordIO is replaced");
    assertTrue(Files.isDirectory(own.resolve("id_00000")));
  }

  /** {@code demo} regenerates only the synthetic collection it wrote. */
  @Test
  void demoKeepsFilesItDidNotWrite() throws Exception {
    Path d = dir.resolve("demo");
    Path mine = userFile(d.resolve("synthetic/mine.txt"), "mine");
    refused(
        CommandLineTest.run(
            "demo",
            "--output",
            d.toString(),
            "--identities",
            "3",
            "--images-per-identity",
            "4",
            "--epochs",
            "1"),
        "mine.txt");
    assertEquals("mine", Files.readString(mine));
  }

  /** Item 24: a second run into an output that a live run holds exits 2 naming the holder. */
  @Test
  void aLockedOutputIsRefusedAndAStaleLockTakenOver() throws Exception {
    String host = InetAddress.getLocalHost().getHostName();
    ProcessHandle self = ProcessHandle.current();
    Path out = dir.resolve("locked");
    Path lock =
        userFile(
            out.resolve(".facesieve.lock"),
            "{\"command\":\"facesieve run\",\"host\":\""
                + host
                + "\",\"pid\":"
                + self.pid()
                + ",\"process_started\":\""
                + self.info().startInstant().orElseThrow()
                + "\"}");
    String holder = "pid " + self.pid() + " on " + host;
    refused(
        CommandLineTest.run("prepare", "--input", synth.toString(), "--output", out.toString()),
        holder,
        "facesieve run");
    refused(CommandLineTest.run(RunCommandTest.args(synth, out)), holder);
    refused(CommandLineTest.run(synthArgs(out)), holder);
    assertEquals(List.of(lock), Files.list(out).toList());

    // a lock whose process is gone is taken over and released at the end
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Files.writeString(
        lock,
        "{\"command\":\"facesieve prepare\",\"host\":\""
            + host
            + "\",\"pid\":"
            + gone.pid()
            + ",\"process_started\":\"2020-01-01T00:00:00Z\"}");
    ok("prepare", "--input", synth.toString(), "--output", out.toString());
    assertFalse(Files.exists(lock));
    assertTrue(Files.isRegularFile(out.resolve("manifest.json")));
  }
}
