package dev.facesieve.datasets.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.TestImages;
import dev.facesieve.datasets.recordio.IRHeader;
import dev.facesieve.datasets.recordio.IdxFile;
import dev.facesieve.datasets.recordio.InsightFaceRecWriter;
import dev.facesieve.datasets.recordio.RecordIO;
import dev.facesieve.datasets.recordio.RecordIOException;
import dev.facesieve.datasets.recordio.RecordIOReader;
import dev.facesieve.datasets.recordio.RecordIOWriter;
import dev.facesieve.datasets.recordio.SparseRec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordIOInputTest {
  @TempDir Path dir;

  @Test
  void recordsOverMaxBytesAreQuarantinedAndCounted() throws Exception {
    byte[] small = TestImages.jpeg(1);
    byte[] big = TestImages.jpeg(2);
    int limit = Math.min(small.length, big.length) - 1;
    try (InsightFaceRecWriter w = new InsightFaceRecWriter(dir)) {
      w.add(0, "a", small, 112, 112);
      w.add(1, "b", big, 112, 112);
    }
    InputPlan plan = InputPlanner.plan(InputPlanner.Spec.of(dir));
    Collect c = new Collect();
    ShardReader reader = new ShardReader(plan.identityNames(), limit);
    for (InputShard sh : plan.shards()) {
      reader.read(sh, c);
    }
    assertEquals(0, c.raw.size());
    assertEquals(2, c.quarantined.size());
    assertEquals(
        List.of("IMAGE_TOO_LARGE", "IMAGE_TOO_LARGE"),
        c.quarantined.stream().map(q -> q.reason().name()).toList());
    assertEquals(small.length, c.quarantined.get(0).imageBytes());
    assertEquals(null, c.quarantined.get(0).image());
    assertEquals(plan.plannedRecords(), c.quarantined.size() + c.metadata);
  }

  @Test
  void aRecordIOPlannedAndReadThroughHadoopsFileSystemGivesWhatALocalOneGives() throws Exception {
    try (InsightFaceRecWriter w = new InsightFaceRecWriter(dir)) {
      for (int label = 0; label < 4; label++) {
        for (int i = 0; i < 3 + label; i++) {
          w.add(label, "person" + label, TestImages.jpeg(label * 40 + i), 112, 112);
        }
      }
    }
    InputPlan local =
        InputPlanner.plan(InputPlanner.Spec.builder().setInput(dir).setShardSize(5).build());
    // the URI route a hdfs:// input takes, here on Hadoop's local file system
    InputPlan hadoop =
        InputPlanner.planRemote(
            dir.toUri(), InputFormat.AUTO, 5, InputPlanner.Spec.DEFAULT_COLUMNS, null, null);
    assertEquals(local.plannedRecords(), hadoop.plannedRecords());
    assertEquals(local.shards().size(), hadoop.shards().size());
    assertEquals(local.numClasses(), hadoop.numClasses());
    assertEquals(local.identityNames(), hadoop.identityNames());
    assertEquals(List.of(), hadoop.files());
    assertEquals(
        local.files().stream().map(f -> f.toAbsolutePath().toUri().getPath()).toList(),
        hadoop.remoteFiles().stream().map(java.net.URI::getPath).toList());
    Collect a = Collect.all(local);
    Collect b = Collect.all(hadoop);
    assertEquals(18, b.faces.size());
    assertEquals(a.metadata, b.metadata);
    assertEquals(
        a.faces.stream().map(f -> f.id() + " " + f.label() + " " + f.sha256()).toList(),
        b.faces.stream().map(f -> f.id() + " " + f.label() + " " + f.sha256()).toList());
    // the positioned reads of Hadoop's stream give the bytes the local channel gives
    try (RecordIOReader viaPath = new RecordIOReader(dir.resolve("train.rec"));
        RecordIOReader viaHadoop = new RecordIOReader(dir.resolve("train.rec").toUri())) {
      assertEquals(viaPath.size(), viaHadoop.size());
      IdxFile idx = IdxFile.read(dir.resolve("train.idx").toUri());
      assertEquals(23, idx.size());
      for (int i = 0; i < idx.size(); i++) {
        assertArrayEquals(viaPath.read(idx.offset(i)), viaHadoop.read(idx.offset(i)));
      }
      assertThrows(RecordIOException.class, () -> viaHadoop.read(viaHadoop.size()));
    }
    InputException e =
        assertThrows(
            InputException.class,
            () ->
                InputPlanner.planRemote(
                    dir.toUri(),
                    InputFormat.FOLDER,
                    5,
                    InputPlanner.Spec.DEFAULT_COLUMNS,
                    null,
                    null));
    // the folder holds files only: as an image folder it has no identities
    assertTrue(e.getMessage().contains("no identity folders"), e.getMessage());
  }

  @Test
  void aTruthFileBesideARemoteInputIsReadAsBesideALocalOne() throws Exception {
    try (InsightFaceRecWriter w = new InsightFaceRecWriter(dir)) {
      for (int label = 0; label < 2; label++) {
        for (int i = 0; i < 3; i++) {
          w.add(label, "person" + label, TestImages.jpeg(label * 40 + i), 112, 112);
        }
      }
    }
    InputPlan probe =
        InputPlanner.plan(InputPlanner.Spec.builder().setInput(dir).setShardSize(5).build());
    String first = Collect.all(probe).faces.get(0).id();
    Files.writeString(dir.resolve("truth.csv"), "id,truth\n" + first + ",close_set\n");
    InputPlan local =
        InputPlanner.plan(InputPlanner.Spec.builder().setInput(dir).setShardSize(5).build());
    InputPlan hadoop =
        InputPlanner.planRemote(
            dir.toUri(), InputFormat.AUTO, 5, InputPlanner.Spec.DEFAULT_COLUMNS, null, null);
    List<String> a = Collect.all(local).faces.stream().map(f -> f.id() + " " + f.truth()).toList();
    assertTrue(a.contains(first + " CLOSE_SET"), a.toString());
    assertEquals(a, Collect.all(hadoop).faces.stream().map(f -> f.id() + " " + f.truth()).toList());

    // a problem in it is named by its URI, not by the temporary copy it is read from
    Files.writeString(dir.resolve("truth.csv"), "name,kind\n" + first + ",close_set\n");
    InputException e =
        assertThrows(
            InputException.class,
            () ->
                InputPlanner.planRemote(
                    dir.toUri(),
                    InputFormat.AUTO,
                    5,
                    InputPlanner.Spec.DEFAULT_COLUMNS,
                    null,
                    null));
    assertTrue(
        e.getMessage().contains(dir.toUri().getPath() + "truth.csv: header must name"),
        e.getMessage());
    assertFalse(e.getMessage().contains("facesieve-truth-"), e.getMessage());
  }

  @Test
  void readsInsightFaceLayoutCountingMetadataRecords() throws Exception {
    try (InsightFaceRecWriter w = new InsightFaceRecWriter(dir)) {
      for (int label = 0; label < 4; label++) {
        for (int i = 0; i < 3 + label; i++) {
          w.add(label, "person" + label, TestImages.jpeg(label * 40 + i), 112, 112);
        }
      }
    }
    assertEquals("4,112,112", Files.readString(dir.resolve("property")));
    InputPlan plan =
        InputPlanner.plan(InputPlanner.Spec.builder().setInput(dir).setShardSize(5).build());
    assertEquals(InputFormat.RECORDIO, plan.format());
    // 18 images, 4 identity records and the header record: every .idx entry is read
    assertEquals(18 + 4 + 1, plan.plannedRecords());
    assertEquals(5, plan.shards().size());
    Collect c = Collect.all(plan);
    assertEquals(18, c.faces.size());
    assertEquals(0, c.quarantined.size());
    assertEquals(5, c.metadata);
    FaceRecord f = c.faces.get(0);
    assertEquals("1", f.id());
    assertEquals(0, f.label());
    assertEquals("person0", f.identity());
    assertEquals("jpeg", f.format());
    assertEquals(112, f.width());
    assertEquals("train.rec", f.source().file());
    assertEquals(0, f.source().offset() % 4);
    assertEquals(
        List.of(0, 1, 2, 3), c.faces.stream().map(FaceRecord::label).distinct().sorted().toList());
  }

  @Test
  void readsRecordsWrittenByAnIndependentImplementation() throws Exception {
    Path script = Path.of(getClass().getResource("/write_rec.py").toURI());
    Process p;
    try {
      p =
          new ProcessBuilder("python3", script.toString(), dir.toString())
              .redirectErrorStream(false)
              .start();
    } catch (java.io.IOException e) {
      assumeTrue(false, "python3 is not installed: " + e.getMessage());
      return;
    }
    List<String[]> expected = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
      String line;
      while ((line = r.readLine()) != null) {
        expected.add(line.split(" "));
      }
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue());
    InputPlan plan = InputPlanner.plan(InputPlanner.Spec.of(dir.resolve("train.rec")));
    assertEquals(3, plan.numClasses());
    List<RawFace> got = new ArrayList<>();
    ShardReader reader = new ShardReader(Map.of());
    for (InputShard s : plan.shards()) {
      reader.read(
          s,
          new ShardSink() {
            @Override
            public void face(RawFace face) {
              got.add(face);
            }

            @Override
            public void quarantine(dev.facesieve.datasets.QuarantineRecord record) {
              throw new AssertionError(record.message());
            }
          });
    }
    assertEquals(expected.size(), got.size());
    for (int i = 0; i < got.size(); i++) {
      assertEquals(Integer.parseInt(expected.get(i)[0]), got.get(i).label(), "record " + i);
      assertArrayEquals(
          HexFormat.of().parseHex(expected.get(i)[1]), got.get(i).image(), "record " + i);
      assertEquals(Integer.toString(i + 1), got.get(i).id());
    }
  }

  @Test
  void quarantinesEveryKindOfBadRecordAndCountsReconcile() throws Exception {
    Path rec = dir.resolve("train.rec");
    Path idx = dir.resolve("train.idx");
    List<String> idxLines = new ArrayList<>();
    try (RecordIOWriter w = new RecordIOWriter(rec, dir.resolve("ignored.idx"))) {
      idxLines.add("1\t" + w.position());
      w.write(1, IRHeader.scalar(0, 1).pack(TestImages.jpeg(10)));
      idxLines.add("2\t" + w.position());
      w.write(2, IRHeader.scalar(1, 2).pack(new byte[] {1, 2, 3})); // undecodable
      idxLines.add("3\t" + w.position());
      w.write(3, IRHeader.scalar(7, 3).pack(TestImages.jpeg(20))); // label >= 2 classes
      idxLines.add("4\t" + w.position());
      w.write(4, IRHeader.scalar(1, 4).pack(new byte[0])); // empty
      idxLines.add("5\t" + (w.position() + 2)); // points into the middle: bad magic
      idxLines.add("1\t0"); // duplicate key
      idxLines.add("6\t999999"); // past the end
      idxLines.add("7\t" + w.position());
      w.write(7, IRHeader.scalar(0.5f, 7).pack(TestImages.jpeg(30))); // non-integer label
      idxLines.add("8\t" + w.position());
      w.write(8, IRHeader.scalar(1, 8).pack(TestImages.png(5000, 5000))); // too many pixels
      idxLines.add("9\t" + w.position());
      w.write(9, IRHeader.scalar(1, 9).pack(TestImages.jpeg(40)));
    }
    // truncate the file inside the last record
    long size = Files.size(rec);
    byte[] all = Files.readAllBytes(rec);
    Files.write(rec, java.util.Arrays.copyOf(all, (int) size - 100));
    Files.write(idx, idxLines);
    Files.writeString(dir.resolve("property"), "2,112,112");

    InputPlan plan =
        InputPlanner.plan(InputPlanner.Spec.builder().setInput(dir).setShardSize(3).build());
    Collect c = Collect.all(plan, 10_000_000);
    assertEquals(10, idxLines.size());
    assertEquals(10, c.faces.size() + c.quarantined.size(), "read = prepared + quarantined");
    assertEquals(1, c.faces.size());
    assertEquals(
        Map.of(
            "BAD_MAGIC", 1L,
            "DUPLICATE_KEY", 1L,
            "EMPTY_IMAGE", 1L,
            "IMAGE_TOO_LARGE", 1L,
            "LABEL_OUT_OF_RANGE", 2L,
            "OFFSET_PAST_EOF", 1L,
            "TRUNCATED_RECORD", 1L,
            "UNDECODABLE_IMAGE", 1L),
        c.reasons());
    c.quarantined.forEach(q -> assertTrue(!q.message().isBlank(), q.reason().name()));
  }

  @Test
  void missingRecOrUnreadableIdxIsOneClearError() throws Exception {
    InputException e =
        assertThrows(
            InputException.class,
            () -> InputPlanner.plan(InputPlanner.Spec.of(dir.resolve("nope.rec"))));
    assertTrue(e.getMessage().contains("nope.rec"), e.getMessage());

    Files.write(dir.resolve("x.rec"), new byte[16]);
    e =
        assertThrows(
            InputException.class,
            () -> InputPlanner.plan(InputPlanner.Spec.of(dir.resolve("x.rec"))));
    assertTrue(
        e.getMessage().contains("x.idx") && e.getMessage().contains("not found"), e.getMessage());

    Files.writeString(dir.resolve("x.idx"), "0\t0\nhello world\n");
    e =
        assertThrows(
            InputException.class,
            () -> InputPlanner.plan(InputPlanner.Spec.of(dir.resolve("x.rec"))));
    assertTrue(
        e.getMessage().contains("x.idx") && e.getMessage().contains("line 2"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }

  @Test
  void identityBoundaryPastFloatPrecisionIsDecidedByContent() throws Exception {
    // A float32 label of 2^24 + 1 rounds to 2^24: the planner must not trust it to the key.
    assertEquals((float) (1 << 24), (float) ((1 << 24) + 1));
    assertTrue(ShardReader.labelProblem(3.0, 4) == null);
    assertTrue(ShardReader.labelProblem(4.0, 4) != null);
    assertTrue(ShardReader.labelProblem(-1.0, null) != null);
    assertTrue(ShardReader.labelProblem(Double.NaN, null) != null);
  }

  /**
   * Issue 29: a record whose chunk header declares more than {@code --max-bytes} (512 MB in one
   * chunk, here at key 0, which the planner reads first) is quarantined from its header alone:
   * neither the planner nor the reader allocates it, and the records around it are read.
   */
  @Test
  void aRecordDeclaringMoreThanMaxBytesIsQuarantinedUnread() throws Exception {
    byte[][] images = {TestImages.jpeg(1), TestImages.jpeg(2)};
    try (SparseRec w = new SparseRec(dir.resolve("train.rec"), dir.resolve("train.idx"))) {
      w.add(1, IRHeader.scalar(0, 1).pack(images[0]));
      w.addHollow(0, RecordIO.MAX_LENGTH);
      w.add(2, IRHeader.scalar(1, 2).pack(images[1]));
    }
    Files.writeString(dir.resolve("property"), "2,112,112");
    long before = allocatedBytes();
    Collect c = readAll(ShardReader.DEFAULT_MAX_BYTES);
    long allocated = allocatedBytes() - before;
    assertEquals(List.of("1", "2"), c.raw.stream().map(RawFace::id).toList());
    assertArrayEquals(images[0], c.raw.get(0).image());
    assertArrayEquals(images[1], c.raw.get(1).image());
    assertEquals(List.of("0"), c.quarantined.stream().map(q -> q.id()).toList());
    assertEquals("IMAGE_TOO_LARGE", c.quarantined.get(0).reason().name());
    assertTrue(allocated < 64 << 20, "allocated " + allocated + " bytes");
    assertEquals(RecordIO.MAX_LENGTH, c.quarantined.get(0).imageBytes());
  }

  /**
   * Issue 29: a record of four chunks of 512 MB (2 GB rejoined) is quarantined from its chunk
   * headers, at the default limit and at the largest, which each chunk is under but their sum is
   * not; the record after it is still read. It used to exhaust the heap and lose the whole run.
   */
  @Test
  void aMultiChunkRecordOverMaxBytesIsQuarantinedFromItsHeaders() throws Exception {
    int part = RecordIO.MAX_LENGTH;
    byte[][] images = {TestImages.jpeg(3), TestImages.jpeg(4)};
    try (SparseRec w = new SparseRec(dir.resolve("train.rec"), dir.resolve("train.idx"))) {
      w.add(1, IRHeader.scalar(0, 1).pack(images[0]));
      w.addHollow(2, part, part, part, part);
      w.add(3, IRHeader.scalar(1, 3).pack(images[1]));
    }
    Files.writeString(dir.resolve("property"), "2,112,112");
    for (long limit : new long[] {ShardReader.DEFAULT_MAX_BYTES, ShardReader.LARGEST_MAX_BYTES}) {
      long before = allocatedBytes();
      Collect c = readAll(limit);
      long allocated = allocatedBytes() - before;
      assertEquals(List.of("1", "3"), c.raw.stream().map(RawFace::id).toList());
      assertArrayEquals(images[1], c.raw.get(1).image());
      assertEquals(1, c.quarantined.size());
      assertEquals("IMAGE_TOO_LARGE", c.quarantined.get(0).reason().name());
      assertTrue(allocated < 64 << 20, "allocated " + allocated + " bytes at limit " + limit);
      assertEquals(
          SparseRec.assembledLength(part, part, part, part), c.quarantined.get(0).imageBytes());
    }
  }

  private Collect readAll(long maxBytes) throws Exception {
    InputPlan plan = InputPlanner.plan(InputPlanner.Spec.of(dir));
    Collect c = new Collect();
    ShardReader reader = new ShardReader(plan.identityNames(), maxBytes);
    for (InputShard sh : plan.shards()) {
      reader.read(sh, c);
    }
    assertEquals(plan.plannedRecords(), c.raw.size() + c.quarantined.size() + c.metadata);
    return c;
  }

  /** Bytes this thread has allocated so far (HotSpot counts them). */
  private static long allocatedBytes() {
    com.sun.management.ThreadMXBean bean =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(bean.isThreadAllocatedMemorySupported() && bean.isThreadAllocatedMemoryEnabled());
    return bean.getThreadAllocatedBytes(Thread.currentThread().getId());
  }
}
