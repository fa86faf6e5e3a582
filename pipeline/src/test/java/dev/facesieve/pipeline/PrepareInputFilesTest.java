package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.datasets.image.Images;
import dev.facesieve.datasets.input.ShardReader;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.pipeline.CommandLineTest.Result;
import dev.facesieve.pipeline.cli.FaceSieve;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.FileOutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code facesieve prepare} on hostile or unusual input files (issue #18): every file ends up
 * prepared or quarantined with a reason, nothing outside the input is read, and unusable inputs
 * stop with one line and exit code 2.
 */
class PrepareInputFilesTest {
  @TempDir Path dir;

  static byte[] jpeg(int shade) {
    BufferedImage img = new BufferedImage(112, 112, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(shade * 40 % 256, 90, 200 - shade * 30 % 200));
    g.fillRect(0, 0, 112, 112);
    g.setColor(Color.WHITE);
    g.fillOval(20 + shade, 30, 40, 50);
    g.dispose();
    return Images.jpeg(img, 0.9f);
  }

  private Result prepare(Path input, Path output, String... more) {
    List<String> args = new ArrayList<>(List.of("prepare", "--input", input.toString()));
    args.addAll(List.of("--output", output.toString()));
    args.addAll(List.of(more));
    return CommandLineTest.run(args.toArray(String[]::new));
  }

  private static Map<String, QuarantineRecord> quarantinedById(Path out) throws Exception {
    return PrepareJobTest.quarantined(out).stream()
        .collect(Collectors.toMap(QuarantineRecord::id, q -> q, (a, b) -> a, TreeMap::new));
  }

  private static PrepareManifest manifest(Path out) throws Exception {
    return StageJson.read(out.resolve(PrepareJob.MANIFEST), PrepareManifest.class);
  }

  private static void assertOneLineError(Result r, String... parts) {
    assertEquals(FaceSieve.USAGE, r.code(), r.out() + r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    for (String p : parts) {
      assertTrue(r.err().contains(p), "'" + p + "' not in: " + r.err());
    }
  }

  /** Item 11: Hugging Face style Parquet (image + label, no id column) gets ids file#row. */
  @Test
  void parquetWithoutAnIdColumnGetsFileRowIds() throws Exception {
    Schema s =
        SchemaBuilder.record("Row")
            .fields()
            .requiredBytes("image")
            .requiredLong("label")
            .endRecord();
    List<GenericRecord> rows = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      GenericRecord r = new GenericData.Record(s);
      r.put("image", ByteBuffer.wrap(jpeg(i)));
      r.put("label", (long) (i % 2));
      rows.add(r);
    }
    Path in = dir.resolve("hf");
    Files.createDirectories(in);
    ParquetFiles.write(in.resolve("train.parquet"), s, rows);
    Path out = dir.resolve("out");
    Result r = prepare(in, out);
    assertEquals(0, r.code(), r.err());
    List<String> ids = PrepareJobTest.faces(out).stream().map(FaceRecord::id).sorted().toList();
    assertEquals(
        List.of("train.parquet#0", "train.parquet#1", "train.parquet#2", "train.parquet#3"), ids);
  }

  /** Item 15: a relative Parquet folder path works like an absolute one. */
  @Test
  void relativeParquetFolderPath() throws Exception {
    Schema s =
        SchemaBuilder.record("Row")
            .fields()
            .requiredString("id")
            .requiredBytes("image")
            .requiredInt("label")
            .endRecord();
    List<GenericRecord> rows = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      GenericRecord r = new GenericData.Record(s);
      r.put("id", "r" + i);
      r.put("image", ByteBuffer.wrap(jpeg(i)));
      r.put("label", i);
      rows.add(r);
    }
    Path target = Path.of("target");
    Files.createDirectories(target);
    Path rel = Files.createTempDirectory(target, "relative-parquet-");
    try {
      assertFalse(rel.isAbsolute());
      Path in = rel.resolve("in");
      Files.createDirectories(in.resolve("part"));
      ParquetFiles.write(in.resolve("a.parquet"), s, rows.subList(0, 1));
      ParquetFiles.write(in.resolve("part/b.parquet"), s, rows.subList(1, 3));
      Path out = dir.resolve("out");
      Result r = prepare(in, out);
      assertEquals(0, r.code(), r.err());
      Map<String, String> files =
          PrepareJobTest.faces(out).stream()
              .collect(Collectors.toMap(FaceRecord::id, f -> f.source().file(), (a, b) -> a));
      assertEquals(
          Map.of("r0", "a.parquet", "r1", "part/b.parquet", "r2", "part/b.parquet"), files);
    } finally {
      try (Stream<Path> w = Files.walk(rel)) {
        for (Path p : w.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  /** Item 16: a column of the wrong type is one line naming the file and column, exit 2. */
  @Test
  void wrongColumnTypesAreOneLineErrors() throws Exception {
    Schema stringLabel =
        SchemaBuilder.record("Row")
            .fields()
            .requiredBytes("image")
            .requiredString("label")
            .endRecord();
    GenericRecord row = new GenericData.Record(stringLabel);
    row.put("image", ByteBuffer.wrap(jpeg(1)));
    row.put("label", "3");
    Path f = dir.resolve("string-label.parquet");
    ParquetFiles.write(f, stringLabel, List.of(row));
    Result r = prepare(f, dir.resolve("o1"));
    assertOneLineError(r, "string-label.parquet", "'label'", "--label-column");
    assertFalse(Files.exists(dir.resolve("o1/manifest.json")));

    Schema intImage =
        SchemaBuilder.record("Row").fields().requiredInt("image").requiredInt("label").endRecord();
    row = new GenericData.Record(intImage);
    row.put("image", 7);
    row.put("label", 0);
    f = dir.resolve("int-image.parquet");
    ParquetFiles.write(f, intImage, List.of(row));
    r = prepare(f, dir.resolve("o2"));
    assertOneLineError(r, "int-image.parquet", "'image'", "--image-column");
    assertFalse(Files.exists(dir.resolve("o2/manifest.json")));
  }

  /** Item 22: nothing to prepare is an error, not an empty success. */
  @Test
  void inputsWithNothingToPrepareAreRefused() throws Exception {
    Path root = dir.resolve("nested");
    Files.createDirectories(root.resolve("Amy/more"));
    Files.write(root.resolve("Amy/more/1.jpg"), jpeg(1));
    Result r = prepare(root, dir.resolve("o1"));
    assertOneLineError(r, root.toString(), "no image files", "nested_folders");
    assertFalse(Files.exists(dir.resolve("o1/manifest.json")));

    Schema s =
        SchemaBuilder.record("Row")
            .fields()
            .requiredBytes("image")
            .requiredInt("label")
            .endRecord();
    Path empty = dir.resolve("empty.parquet");
    ParquetFiles.write(empty, s, List.of());
    r = prepare(empty, dir.resolve("o2"));
    assertOneLineError(r, "empty.parquet", "no rows");
    assertFalse(Files.exists(dir.resolve("o2/manifest.json")));

    // Parquet files only in a subfolder look like an identity folder to --format auto
    Path hf = dir.resolve("hf");
    Files.createDirectories(hf.resolve("data"));
    Files.copy(empty, hf.resolve("data/train.parquet"));
    r = prepare(hf, dir.resolve("o3"));
    assertOneLineError(r, "no image files", "--format parquet");
    r = prepare(hf, dir.resolve("o3"), "--format", "parquet");
    assertOneLineError(r, hf.toString(), "no rows");
  }

  /** Item 13: a FIFO named .jpg is quarantined UNREADABLE instead of blocking prepare forever. */
  @Test
  void fifoNamedJpgIsQuarantinedNotWaitedFor() throws Exception {
    Path root = dir.resolve("faces");
    Files.createDirectories(root.resolve("Amy"));
    Files.write(root.resolve("Amy/1.jpg"), jpeg(1));
    Path fifo = root.resolve("Amy/2.jpg");
    boolean made;
    try {
      made = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0;
    } catch (java.io.IOException e) {
      made = false;
    }
    assumeTrue(made, "mkfifo is not available");
    Path out = dir.resolve("out");
    try {
      Result r = assertTimeoutPreemptively(Duration.ofSeconds(90), () -> prepare(root, out));
      assertEquals(0, r.code(), r.err());
    } finally {
      // a reader blocked in open() (the bug) is released by opening the other end
      Thread t =
          new Thread(
              () -> {
                try (FileOutputStream o = new FileOutputStream(fifo.toFile())) {
                  o.flush();
                } catch (java.io.IOException ignored) {
                  // nothing was waiting
                }
              });
      t.setDaemon(true);
      t.start();
    }
    Map<String, QuarantineRecord> q = quarantinedById(out);
    assertEquals(1, q.size(), q.toString());
    assertEquals("UNREADABLE", q.get("Amy/2.jpg").reason().name());
    assertTrue(q.get("Amy/2.jpg").message().contains("not a regular file"), q.toString());
    assertEquals(1, PrepareJobTest.faces(out).size());
    assertEquals(2, manifest(out).counts().read());
  }

  /** Item 14: a file over --max-bytes is quarantined IMAGE_TOO_LARGE without being read. */
  @Test
  void filesOverMaxBytesAreQuarantinedWithoutReadingThem() throws Exception {
    Path root = dir.resolve("faces");
    Files.createDirectories(root.resolve("Amy"));
    Files.write(root.resolve("Amy/1.jpg"), jpeg(1));
    Files.write(root.resolve("Amy/2.jpg"), jpeg(2));
    long huge = 3L << 30;
    try (RandomAccessFile f = new RandomAccessFile(root.resolve("Amy/huge.jpg").toFile(), "rw")) {
      f.setLength(huge); // sparse: takes no disk space
    }
    Path out = dir.resolve("out");
    Result r = prepare(root, out);
    assertEquals(0, r.code(), r.err());
    Map<String, QuarantineRecord> q = quarantinedById(out);
    assertEquals(1, q.size(), q.toString());
    QuarantineRecord big = q.get("Amy/huge.jpg");
    assertEquals("IMAGE_TOO_LARGE", big.reason().name());
    assertEquals(huge, big.imageBytes());
    assertNull(big.image());
    assertTrue(
        big.message().contains("--max-bytes " + ShardReader.DEFAULT_MAX_BYTES), big.message());
    assertEquals(2, PrepareJobTest.faces(out).size());
    assertEquals(3, manifest(out).counts().read());

    // the limit is an option; 1.jpg and 2.jpg are a few KB
    Path out2 = dir.resolve("out2");
    r = prepare(root, out2, "--max-bytes", "100");
    assertEquals(0, r.code(), r.err());
    assertEquals(Map.of("IMAGE_TOO_LARGE", 3L), manifest(out2).counts().quarantinedByReason());
    assertEquals(100L, manifest(out2).options().maxBytes());

    r = prepare(root, dir.resolve("out3"), "--max-bytes", "0");
    assertOneLineError(r, "--max-bytes");

    r = CommandLineTest.run("prepare", "--help");
    assertTrue(r.out().contains("--max-bytes"), r.out());
    assertTrue(r.out().contains("Default: " + ShardReader.DEFAULT_MAX_BYTES), r.out());
  }

  /**
   * Item 18: links whose target leaves the input folder are not read (the secret's bytes never
   * reach the output), and an undecodable file keeps only its first bytes in the quarantine.
   */
  @Test
  void symlinksOutOfTheInputAreNotReadAndUndecodableBytesAreCut() throws Exception {
    Path secret = dir.resolve("secret.txt");
    String secretText = "root:x:0:0:SECRET-LINE:/root:/bin/bash\n";
    Files.writeString(secret, secretText);
    Path elsewhere = dir.resolve("elsewhere");
    Files.createDirectories(elsewhere);
    Files.write(elsewhere.resolve("x.jpg"), jpeg(5));
    Path root = dir.resolve("faces");
    Files.createDirectories(root.resolve("Amy"));
    Files.write(root.resolve("Amy/1.jpg"), jpeg(1));
    Files.createSymbolicLink(root.resolve("Amy/passwd.jpg"), secret);
    Files.createSymbolicLink(root.resolve("Amy/relative.jpg"), Path.of("../../secret.txt"));
    Files.createSymbolicLink(root.resolve("Amy/zero.jpg"), Path.of("/dev/zero"));
    Files.createSymbolicLink(root.resolve("Amy/dangling.jpg"), dir.resolve("missing.jpg"));
    // a link that stays inside the input is an ordinary image
    Files.createSymbolicLink(root.resolve("Amy/same.jpg"), Path.of("1.jpg"));
    // an identity folder that is a link out of the input
    Files.createSymbolicLink(root.resolve("Bob"), elsewhere);
    byte[] garbage = new byte[100_000];
    new Random(7).nextBytes(garbage);
    Files.write(root.resolve("Amy/garbage.jpg"), garbage);
    Path out = dir.resolve("out");
    Result r = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> prepare(root, out));
    assertEquals(0, r.code(), r.err());

    Map<String, QuarantineRecord> q = quarantinedById(out);
    assertEquals(
        List.of(
            "Amy/dangling.jpg",
            "Amy/garbage.jpg",
            "Amy/passwd.jpg",
            "Amy/relative.jpg",
            "Amy/zero.jpg",
            "Bob/x.jpg"),
        List.copyOf(q.keySet()));
    for (String id : List.of("Amy/passwd.jpg", "Amy/relative.jpg", "Amy/zero.jpg", "Bob/x.jpg")) {
      QuarantineRecord u = q.get(id);
      assertEquals("UNREADABLE", u.reason().name(), id);
      assertTrue(u.message().contains("outside the input folder"), u.message());
      assertNull(u.image(), id);
    }
    assertEquals("UNREADABLE", q.get("Amy/dangling.jpg").reason().name());
    QuarantineRecord g = q.get("Amy/garbage.jpg");
    assertEquals("UNDECODABLE_IMAGE", g.reason().name());
    assertEquals(100_000, g.imageBytes());
    assertTrue(g.image().length <= QuarantineRecord.UNDECODABLE_KEPT_BYTES, "" + g.image().length);
    List<String> faces = PrepareJobTest.faces(out).stream().map(FaceRecord::id).sorted().toList();
    assertEquals(List.of("Amy/1.jpg", "Amy/same.jpg"), faces);
    assertEquals(8, manifest(out).counts().read());
    // nothing of the secret anywhere in the output
    byte[] needle = "SECRET-LINE".getBytes(StandardCharsets.US_ASCII);
    try (Stream<Path> w = Files.walk(out)) {
      for (Path p : w.filter(Files::isRegularFile).toList()) {
        String text = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
        assertFalse(text.contains(new String(needle, StandardCharsets.ISO_8859_1)), p.toString());
      }
    }
  }
}
