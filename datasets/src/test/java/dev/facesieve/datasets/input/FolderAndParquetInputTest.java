package dev.facesieve.datasets.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.TestImages;
import dev.facesieve.datasets.image.Pgm;
import dev.facesieve.datasets.io.Csv;
import dev.facesieve.datasets.io.LocalFiles;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.datasets.synth.NoiseInjector;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderAndParquetInputTest {
  @TempDir Path dir;

  @Test
  void foldersGiveSortedLabelsAndCountWhatTheySkip() throws Exception {
    Path root = dir.resolve("faces");
    Files.createDirectories(root.resolve("Zed"));
    Files.createDirectories(root.resolve("Amy/nested"));
    Files.write(root.resolve("Zed/z1.jpg"), TestImages.jpeg(1));
    Files.write(root.resolve("Zed/z2.png"), TestImages.png(112, 112));
    Files.write(root.resolve("Amy/a1.pgm"), Pgm.encode(TestImages.square(92, 112, 9)));
    Files.write(root.resolve("Amy/a2.jpg"), new byte[0]);
    Files.writeString(root.resolve("Amy/notes.txt"), "hi");
    Files.writeString(root.resolve("README"), "about");
    InputPlan plan =
        InputPlanner.plan(InputPlanner.Spec.builder().setInput(root).setShardSize(2).build());
    assertEquals(InputFormat.FOLDER, plan.format());
    assertEquals(Map.of(0, "Amy", 1, "Zed"), plan.identityNames());
    assertEquals(
        Map.of("top_level_files", 1L, "nested_folders", 1L, "non_image_files", 1L), plan.skipped());
    Collect c = Collect.all(plan);
    assertEquals(4, plan.plannedRecords());
    assertEquals(3, c.faces.size());
    assertEquals(1, c.quarantined.size());
    assertEquals("EMPTY_IMAGE", c.quarantined.get(0).reason().name());
    FaceRecord pgm = c.faces.get(0);
    assertEquals("Amy/a1.pgm", pgm.id());
    assertEquals("pgm", pgm.format());
    assertEquals(92, pgm.width());
    assertEquals(0, pgm.label());
    assertEquals("Zed", c.faces.get(2).identity());

    assertThrows(
        InputException.class,
        () -> InputPlanner.plan(InputPlanner.Spec.of(dir.resolve("empty-or-missing"))));
    Files.createDirectories(dir.resolve("empty"));
    InputException e =
        assertThrows(
            InputException.class,
            () -> InputPlanner.plan(InputPlanner.Spec.of(dir.resolve("empty"))));
    assertTrue(e.getMessage().contains("no identity folders"), e.getMessage());
  }

  @Test
  void truthAndLandmarkSideFilesAttachToRecords() throws Exception {
    Path root = dir.resolve("faces");
    Files.createDirectories(root.resolve("A"));
    Files.write(root.resolve("A/1.jpg"), TestImages.jpeg(1));
    Files.write(root.resolve("A/2.jpg"), TestImages.jpeg(2));
    Files.writeString(root.resolve("truth.csv"), "id,truth\nA/1.jpg,clean\nA/2.jpg,open_set\n");
    Path lm = dir.resolve("lm.csv");
    Files.writeString(lm, "id,x1,y1,x2,y2,x3,y3,x4,y4,x5,y5\nA/2.jpg,1,2,3,4,5,6,7,8,9,10\n");
    Collect c =
        Collect.all(
            InputPlanner.plan(
                InputPlanner.Spec.builder().setInput(root).setLandmarksFile(lm).build()));
    assertEquals(NoiseKind.CLEAN, c.faces.get(0).truth());
    assertEquals(NoiseKind.OPEN_SET, c.faces.get(1).truth());
    assertEquals(null, c.faces.get(1).trueIdentity(), "no true_identity column: not known");
    assertEquals(null, c.faces.get(0).landmarks());
    assertEquals(10f, c.faces.get(1).landmarks()[9]);
  }

  /**
   * A truth file as {@code synth} and {@code inject} write it names the identity each image really
   * shows; prepare carries it into the face records and their Parquet files.
   */
  @Test
  void trueIdentityOfTheTruthFileReachesThePreparedFaces() throws Exception {
    Path root = dir.resolve("faces");
    Files.createDirectories(root.resolve("A"));
    Files.createDirectories(root.resolve("B"));
    Files.write(root.resolve("A/1.jpg"), TestImages.jpeg(1));
    Files.write(root.resolve("A/noise_0_b.jpg"), TestImages.jpeg(2));
    Files.write(root.resolve("A/noise_1_z.jpg"), TestImages.jpeg(3));
    Files.write(root.resolve("B/1.jpg"), TestImages.jpeg(4));
    try (Csv.Out t = Csv.write(root.resolve("truth.csv"), NoiseInjector.TRUTH_HEADER)) {
      t.row("A/1.jpg", 0, "A", "clean", "A");
      t.row("A/noise_0_b.jpg", 0, "A", "close_set", "B");
      t.row("A/noise_1_z.jpg", 0, "A", "open_set", "=Zed");
    }
    Collect c = Collect.all(InputPlanner.plan(InputPlanner.Spec.of(root)));
    Map<String, FaceRecord> byId = new java.util.HashMap<>();
    c.faces.forEach(f -> byId.put(f.id(), f));
    assertEquals("A", byId.get("A/1.jpg").trueIdentity());
    assertEquals("B", byId.get("A/noise_0_b.jpg").trueIdentity());
    assertEquals(NoiseKind.CLOSE_SET, byId.get("A/noise_0_b.jpg").truth());
    assertEquals("=Zed", byId.get("A/noise_1_z.jpg").trueIdentity(), "spreadsheet-safe cell");
    assertEquals(null, byId.get("B/1.jpg").trueIdentity(), "not in the truth file");
    assertEquals(null, byId.get("B/1.jpg").truth());

    Path file = dir.resolve("prepared/part-0.parquet");
    Files.createDirectories(file.getParent());
    ParquetFiles.write(file, FaceSchemas.FACE, c.faces.stream().map(FaceSchemas::toAvro).toList());
    List<GenericRecord> rows = ParquetFiles.readAll(file);
    assertEquals(
        List.of("A", "B", "=Zed", "null"),
        rows.stream().map(r -> String.valueOf(r.get("true_identity"))).toList());
    assertEquals(c.faces, rows.stream().map(FaceSchemas::faceFromAvro).toList());
  }

  /**
   * A truth file's optional {@code true_duplicate_of} column marks copies; prepare carries it into
   * the face records, their Parquet files, and back out of a prepared file read as input.
   */
  @Test
  void copiesMarkedInTheTruthFileReachThePreparedFaces() throws Exception {
    Path root = dir.resolve("faces");
    Files.createDirectories(root.resolve("A"));
    Files.createDirectories(root.resolve("B"));
    Files.write(root.resolve("A/1.jpg"), TestImages.jpeg(1));
    Files.write(root.resolve("A/copy.jpg"), TestImages.jpeg(1));
    Files.write(root.resolve("B/2.jpg"), TestImages.jpeg(2));
    try (Csv.Out t =
        Csv.write(root.resolve("truth.csv"), "id", "truth", "true_identity", "true_duplicate_of")) {
      t.row("A/1.jpg", "clean", "A", "");
      t.row("A/copy.jpg", "clean", "A", "A/1.jpg");
    }
    Collect c = Collect.all(InputPlanner.plan(InputPlanner.Spec.of(root)));
    Map<String, FaceRecord> byId = new java.util.HashMap<>();
    c.faces.forEach(f -> byId.put(f.id(), f));
    assertEquals("A/1.jpg", byId.get("A/copy.jpg").trueDuplicateOf());
    assertEquals(null, byId.get("A/1.jpg").trueDuplicateOf(), "an empty cell: no copy");
    assertEquals(null, byId.get("B/2.jpg").trueDuplicateOf(), "not in the truth file");

    Path file = dir.resolve("prepared/part-0.parquet");
    Files.createDirectories(file.getParent());
    ParquetFiles.write(file, FaceSchemas.FACE, c.faces.stream().map(FaceSchemas::toAvro).toList());
    Map<String, String> column = new java.util.HashMap<>();
    ParquetFiles.readAll(file)
        .forEach(
            r -> column.put(r.get("id").toString(), String.valueOf(r.get("true_duplicate_of"))));
    assertEquals(Map.of("A/1.jpg", "null", "A/copy.jpg", "A/1.jpg", "B/2.jpg", "null"), column);
    Collect again = Collect.all(InputPlanner.plan(InputPlanner.Spec.of(file.getParent())));
    Map<String, String> reread = new java.util.HashMap<>();
    again.faces.forEach(f -> reread.put(f.id(), String.valueOf(f.trueDuplicateOf())));
    assertEquals(column, reread, "a prepared file's true_duplicate_of is read");
  }

  @Test
  void parquetRoundTripOfFaceRecords() throws Exception {
    List<FaceRecord> in = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      byte[] img = TestImages.jpeg(i);
      in.add(
          new FaceRecord(
              "r" + i,
              i % 3,
              "p" + (i % 3),
              img,
              "jpeg",
              112,
              112,
              LocalFiles.sha256(img),
              new dev.facesieve.datasets.SourceRef("src.rec", i * 100L),
              i % 2 == 0 ? new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, (float) i} : null,
              i % 5 == 0 ? NoiseKind.CLOSE_SET : null,
              i % 5 == 0 ? "p" + ((i + 1) % 3) : null,
              null));
    }
    Path file = dir.resolve("pq/part-0.parquet");
    Files.createDirectories(file.getParent());
    ParquetFiles.write(file, FaceSchemas.FACE, in.stream().map(FaceSchemas::toAvro).toList());
    assertEquals(30, ParquetFiles.rowCount(file));
    List<FaceRecord> back =
        ParquetFiles.readAll(file).stream().map(FaceSchemas::faceFromAvro).toList();
    assertEquals(in, back);

    InputPlan plan = InputPlanner.plan(InputPlanner.Spec.of(dir.resolve("pq")));
    assertEquals(InputFormat.PARQUET, plan.format());
    Collect c = Collect.all(plan);
    assertEquals(30, c.faces.size());
    assertEquals(in.get(4).id(), c.faces.get(4).id());
    assertEquals(NoiseKind.CLOSE_SET, c.faces.get(5).truth());
    assertEquals("p0", c.faces.get(5).trueIdentity(), "a prepared file's true_identity is read");
    assertEquals(null, c.faces.get(4).trueIdentity());

    // the URI route a hdfs:// input takes, here on Hadoop's local file system
    InputPlan viaUri =
        InputPlanner.planRemote(
            dir.resolve("pq").toUri(),
            InputFormat.AUTO,
            InputPlanner.Spec.DEFAULT_SHARD_SIZE,
            InputPlanner.Spec.DEFAULT_COLUMNS,
            null,
            null);
    assertEquals(InputFormat.PARQUET, viaUri.format());
    assertEquals(List.of(), viaUri.files());
    assertEquals(1, viaUri.remoteFiles().size());
    assertEquals(plan.shards().size(), viaUri.shards().size());
    assertEquals(
        c.faces.stream().map(f -> f.id() + " " + f.source() + " " + f.sha256()).toList(),
        Collect.all(viaUri).faces.stream()
            .map(f -> f.id() + " " + f.source() + " " + f.sha256())
            .toList());
  }

  @Test
  void foreignParquetWithColumnMappingAndStructImages() throws Exception {
    Schema img =
        SchemaBuilder.record("Image")
            .fields()
            .optionalBytes("bytes")
            .optionalString("path")
            .endRecord();
    Schema s =
        SchemaBuilder.record("Row")
            .fields()
            .name("picture")
            .type(img)
            .noDefault()
            .requiredLong("person")
            .endRecord();
    List<GenericRecord> rows = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      GenericRecord im = new GenericData.Record(img);
      im.put("bytes", ByteBuffer.wrap(TestImages.jpeg(i)));
      GenericRecord r = new GenericData.Record(s);
      r.put("picture", im);
      r.put("person", i == 3 ? -1L : (long) i);
      rows.add(r);
    }
    Path f = dir.resolve("hf.parquet");
    ParquetFiles.write(f, s, rows);
    InputException e =
        assertThrows(InputException.class, () -> InputPlanner.plan(InputPlanner.Spec.of(f)));
    assertTrue(e.getMessage().contains("no column 'image'"), e.getMessage());
    Collect c =
        Collect.all(
            InputPlanner.plan(
                InputPlanner.Spec.builder()
                    .setInput(f)
                    .setColumns(ColumnMapping.of("picture", "person"))
                    .build()));
    assertEquals(3, c.faces.size());
    assertEquals("hf.parquet#1", c.faces.get(1).id());
    assertEquals("1", c.faces.get(1).identity());
    assertEquals(1, c.quarantined.size());
    assertEquals("LABEL_OUT_OF_RANGE", c.quarantined.get(0).reason().name());
  }

  /** Rows of an image (bytes) and a label: the smallest Parquet input. */
  static final Schema IMAGE_AND_LABEL =
      SchemaBuilder.record("Row").fields().requiredBytes("image").requiredInt("label").endRecord();

  /**
   * Issue 29 point 3: a row group whose image column holds more than a worker may hold is
   * quarantined from the footer, unread, while the file's other row groups are read; its rows keep
   * their place in the file.
   */
  @Test
  void aRowGroupOfTooManyImageBytesIsQuarantinedUnread() throws Exception {
    Schema s = IMAGE_AND_LABEL;
    byte[] small = TestImages.jpeg(1);
    byte[] big = new byte[small.length * 8];
    java.util.Arrays.fill(big, (byte) 7);
    Path f = dir.resolve("groups.parquet");
    // one row per row group: rows 0 and 2 small, row 1 big
    try (org.apache.parquet.hadoop.ParquetWriter<GenericRecord> w =
        org.apache.parquet.avro.AvroParquetWriter.<GenericRecord>builder(
                org.apache.parquet.hadoop.util.HadoopOutputFile.fromPath(
                    new org.apache.hadoop.fs.Path(f.toUri()),
                    new org.apache.hadoop.conf.Configuration(false)))
            .withSchema(s)
            .withRowGroupSize(1L)
            .withMinRowCountForPageSizeCheck(1)
            .withMaxRowCountForPageSizeCheck(1)
            .build()) {
      for (byte[] b : List.of(small, big, small)) {
        GenericRecord r = new GenericData.Record(s);
        r.put("image", ByteBuffer.wrap(b));
        r.put("label", 0);
        w.write(r);
      }
    }
    List<ParquetFiles.ColumnInGroup> groups = ParquetFiles.columnBytes(f.toString(), "image");
    assertEquals(3, groups.size(), "one row group a row");
    long limit = (groups.get(0).columnBytes() + groups.get(1).columnBytes()) / 2;
    assertTrue(groups.get(1).columnBytes() > limit && groups.get(0).columnBytes() < limit);
    InputPlan plan = InputPlanner.plan(InputPlanner.Spec.of(f));
    Collect c = new Collect();
    ShardReader reader = new ShardReader(plan.identityNames(), big.length * 2L, limit);
    for (InputShard sh : plan.shards()) {
      reader.read(sh, c);
    }
    assertEquals(
        List.of("groups.parquet#0", "groups.parquet#2"), c.raw.stream().map(RawFace::id).toList());
    assertEquals(1, c.quarantined.size());
    assertEquals("IMAGE_TOO_LARGE", c.quarantined.get(0).reason().name());
    assertEquals("groups.parquet#1", c.quarantined.get(0).id());
    assertEquals(1, c.quarantined.get(0).source().offset());
    assertTrue(c.quarantined.get(0).message().contains("smaller row groups"));
  }

  @Test
  void parquetImagesOverMaxBytesAreQuarantinedAndAnOptionalColumnMayBeMissing() throws Exception {
    Schema s = IMAGE_AND_LABEL;
    byte[] small = TestImages.jpeg(1);
    byte[] big = new byte[small.length * 4];
    List<GenericRecord> rows = new ArrayList<>();
    for (byte[] b : List.of(small, big)) {
      GenericRecord r = new GenericData.Record(s);
      r.put("image", ByteBuffer.wrap(b));
      r.put("label", 0);
      rows.add(r);
    }
    Path f = dir.resolve("two.parquet");
    ParquetFiles.write(f, s, rows);
    InputPlan plan = InputPlanner.plan(InputPlanner.Spec.of(f));
    Collect c = new Collect();
    ShardReader reader = new ShardReader(plan.identityNames(), small.length + 1);
    for (InputShard sh : plan.shards()) {
      reader.read(sh, c);
    }
    assertEquals(1, c.raw.size());
    assertEquals("two.parquet#0", c.raw.get(0).id());
    assertEquals(1, c.quarantined.size());
    assertEquals("IMAGE_TOO_LARGE", c.quarantined.get(0).reason().name());
    assertEquals("two.parquet#1", c.quarantined.get(0).id());
    assertEquals(big.length, c.quarantined.get(0).imageBytes());
    assertEquals(null, c.quarantined.get(0).image());
  }

  @Test
  void sharedLfwFolderPreparesEveryImage() throws Exception {
    Path lfw = Path.of("../../shared/data/lfw-min10-112");
    if (!Files.isDirectory(lfw)) {
      lfw = Path.of("../shared/data/lfw-min10-112");
    }
    assumeTrue(Files.isDirectory(lfw), "../shared/data/lfw-min10-112 is not present");
    InputPlan plan = InputPlanner.plan(InputPlanner.Spec.of(lfw));
    assertEquals(158, plan.identityNames().size());
    assertEquals(4324, plan.plannedRecords());
  }
}
