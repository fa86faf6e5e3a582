package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.datasets.image.Images;
import dev.facesieve.datasets.input.InputPlan;
import dev.facesieve.datasets.input.InputPlanner;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.datasets.recordio.IRHeader;
import dev.facesieve.datasets.recordio.InsightFaceRecWriter;
import dev.facesieve.datasets.recordio.RecordIOWriter;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code facesieve prepare} accounts for every input record: each {@code .idx} entry or Parquet row
 * is prepared, quarantined with a reason, or counted as a RecordIO metadata record, and {@code
 * read} covers them all.
 */
class PrepareCountsTest {
  @TempDir Path dir;

  static byte[] jpeg(int seed) {
    BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color((seed * 37) % 256, (seed * 91) % 256, (seed * 13) % 256));
    g.fillRect(0, 0, 32, 32);
    g.setColor(Color.WHITE);
    g.fillRect(seed % 24, (seed / 24) % 24, 8, 8);
    g.dispose();
    return Images.jpeg(img, 0.9f);
  }

  private PrepareManifest prepare(Path input, String... extra) throws Exception {
    Path out = dir.resolve("prepared");
    List<String> args = new ArrayList<>(List.of("prepare", "--input", input.toString()));
    args.addAll(List.of("--output", out.toString()));
    args.addAll(List.of(extra));
    CommandLineTest.Result r = CommandLineTest.run(args.toArray(String[]::new));
    assertEquals(0, r.code(), r.err() + r.out());
    PrepareManifest m = PrepareManifest.read(out);
    PrepareManifest.Counts c = m.counts();
    assertEquals(c.read(), c.prepared() + c.quarantined() + c.metadataRecords(), "read reconciles");
    assertEquals(c.prepared(), PrepareJobTest.faces(out).size());
    assertEquals(c.quarantined(), PrepareJobTest.quarantined(out).size());
    assertEquals(
        c.prepared(), m.imagesPerLabel().values().stream().mapToLong(Long::longValue).sum());
    return m;
  }

  /** Issue 18 item 8: im2rec's multi-label records carry the class as their first label. */
  @Test
  void im2recMultiLabelRecordsArePreparedWithTheFirstLabelAsTheClass() throws Exception {
    Path rec = dir.resolve("in/data.rec");
    Files.createDirectories(rec.getParent());
    try (RecordIOWriter w = new RecordIOWriter(rec, dir.resolve("in/data.idx"))) {
      // keys from 0 as im2rec writes them; record 0 is an image whose two labels [3, 10] look
      // like an InsightFace header's identity range, and must not be taken for one
      for (int i = 0; i < 20; i++) {
        float label = (i + 3) % 4;
        w.write(i, IRHeader.vector(new float[] {label, 10 + i, 0.5f}, i).pack(jpeg(i)));
      }
    }
    PrepareManifest m = prepare(rec);
    assertEquals(20, m.counts().read());
    assertEquals(20, m.counts().prepared());
    assertEquals(0, m.counts().metadataRecords());
    assertEquals(Map.of(0, 5L, 1, 5L, 2, 5L, 3, 5L), m.imagesPerLabel());
    Map<String, Integer> labels = new TreeMap<>();
    PrepareJobTest.faces(dir.resolve("prepared")).forEach(f -> labels.put(f.id(), f.label()));
    assertEquals(3, labels.get("0"));
    assertEquals(0, labels.get("1"));
  }

  /**
   * Issue 18 item 9: a header record declaring identity keys {@code [50, 211)} over 200 image
   * records read 49 of them and counted the other 151 nowhere.
   */
  @Test
  void headerDeclaringTooLowAnIdentityRangeLosesNoImage() throws Exception {
    Path in = dir.resolve("in");
    Files.createDirectories(in);
    try (RecordIOWriter w = new RecordIOWriter(in.resolve("train.rec"), in.resolve("train.idx"))) {
      w.write(0, IRHeader.vector(new float[] {50, 211}, 0).pack(new byte[0]));
      for (int i = 1; i <= 200; i++) {
        w.write(i, IRHeader.scalar(i % 4, i).pack(jpeg(i)));
      }
    }
    PrepareManifest m = prepare(in);
    assertEquals(201, m.counts().read(), "every .idx entry");
    assertEquals(200, m.counts().prepared());
    assertEquals(0, m.counts().quarantined());
    assertEquals(1, m.counts().metadataRecords(), "the header record");
  }

  /** A well-formed InsightFace file: the header and identity records are counted as metadata. */
  @Test
  void insightFaceMetadataRecordsAreCountedInRead() throws Exception {
    Path in = dir.resolve("in");
    try (InsightFaceRecWriter w = new InsightFaceRecWriter(in)) {
      for (int i = 0; i < 12; i++) {
        w.add(i / 4, "person" + (i / 4), jpeg(i), 32, 32);
      }
    }
    PrepareManifest m = prepare(in);
    assertEquals(12 + 3 + 1, Files.readAllLines(in.resolve("train.idx")).size());
    assertEquals(16, m.counts().read());
    assertEquals(12, m.counts().prepared());
    assertEquals(4, m.counts().metadataRecords(), "record 0 and one record per identity");
    assertEquals(Map.of(0, "person0", 1, "person1", 2, "person2"), m.labels());

    // the run fails rather than commit counts that do not add up
    InputPlan plan = InputPlanner.plan(InputPlanner.Spec.of(in));
    PrepareJob.reconcile(plan, m);
    PrepareManifest.Counts c = m.counts();
    PrepareManifest.Counts lost =
        new PrepareManifest.Counts(
            c.aligned(),
            c.metadataRecords(),
            c.prepared(),
            c.quarantined(),
            c.quarantinedByReason(),
            c.read() - 1,
            c.truth());
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                PrepareJob.reconcile(
                    plan,
                    new PrepareManifest(
                        lost,
                        m.facesieveVersion(),
                        m.fingerprint(),
                        m.identities(),
                        m.images(),
                        m.imagesPerLabel(),
                        m.input(),
                        m.labels(),
                        m.note(),
                        m.options(),
                        m.outputs(),
                        m.runner(),
                        m.stage())));
    assertTrue(
        e.getMessage().contains("counts do not reconcile: input 16 records"), e.getMessage());
  }

  /** Issue 18 item 10: a key listed twice in the {@code .idx} file killed the whole prepare. */
  @Test
  void duplicateIdxKeysAreQuarantinedNotFatal() throws Exception {
    Path in = dir.resolve("in");
    Files.createDirectories(in);
    List<String> idx = new ArrayList<>();
    try (RecordIOWriter w =
        new RecordIOWriter(in.resolve("train.rec"), dir.resolve("ignored.idx"))) {
      for (int i = 1; i <= 6; i++) {
        idx.add(i + "\t" + w.position());
        w.write(i, IRHeader.scalar(i % 2, i).pack(jpeg(i)));
      }
    }
    idx.add(idx.get(2)); // key 3 again, same offset
    idx.add("4\t" + idx.get(4).split("\t")[1]); // key 4 again, pointing at record 5
    Files.write(in.resolve("train.idx"), idx);
    PrepareManifest m = prepare(in, "--shard-size", "3");
    assertEquals(8, m.counts().read());
    assertEquals(6, m.counts().prepared());
    assertEquals(Map.of("DUPLICATE_KEY", 2L), m.counts().quarantinedByReason());
    List<QuarantineRecord> q = PrepareJobTest.quarantined(dir.resolve("prepared"));
    assertEquals(List.of("3", "4"), q.stream().map(QuarantineRecord::id).sorted().toList());
    assertTrue(q.stream().allMatch(r -> r.message().contains("more than once")), q.toString());
  }

  /**
   * Issue 18 item 12: repeated ids in Parquet passed prepare and crashed {@code clean}. The first
   * by source order (file, then row) is kept, the others quarantined as DUPLICATE_KEY.
   */
  @Test
  void repeatedParquetIdsAreQuarantinedKeepingTheFirstBySourceOrder() throws Exception {
    Schema s =
        SchemaBuilder.record("Row")
            .fields()
            .requiredString("id")
            .requiredBytes("image")
            .requiredInt("label")
            .endRecord();
    Path in = dir.resolve("in");
    Files.createDirectories(in);
    // a.parquet: x0..x5 with x2 again at row 6; b.parquet: x1 again (another label), y0..y3
    List<GenericRecord> a = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      a.add(row(s, "x" + i, i, i % 3));
    }
    a.add(row(s, "x2", 100, 2));
    List<GenericRecord> b = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      b.add(row(s, "y" + i, 200 + i, i % 3));
    }
    b.add(row(s, "x1", 300, 0));
    ParquetFiles.write(in.resolve("b.parquet"), s, b);
    ParquetFiles.write(in.resolve("a.parquet"), s, a);
    PrepareManifest m = prepare(in, "--shard-size", "2");
    assertEquals(12, m.counts().read());
    assertEquals(10, m.counts().prepared());
    assertEquals(Map.of("DUPLICATE_KEY", 2L), m.counts().quarantinedByReason());
    List<FaceRecord> faces = PrepareJobTest.faces(dir.resolve("prepared"));
    assertEquals(10, faces.stream().map(FaceRecord::id).distinct().count());
    Map<String, String> kept = new TreeMap<>();
    faces.forEach(f -> kept.put(f.id(), f.source().toString()));
    assertEquals("a.parquet@1", kept.get("x1"));
    assertEquals("a.parquet@2", kept.get("x2"));
    List<String> repeats =
        PrepareJobTest.quarantined(dir.resolve("prepared")).stream()
            .map(q -> q.id() + " " + q.source() + " " + q.reason())
            .sorted()
            .toList();
    assertEquals(List.of("x1 b.parquet@4 DUPLICATE_KEY", "x2 a.parquet@6 DUPLICATE_KEY"), repeats);
    // label 0 lost x1's repeat: 2 + 2 images (x0, x3; y0, y3), not 5
    assertEquals(Map.of(0, 4L, 1, 3L, 2, 3L), m.imagesPerLabel());
  }

  private static GenericRecord row(Schema s, String id, int seed, int label) {
    GenericRecord r = new GenericData.Record(s);
    r.put("id", id);
    r.put("image", ByteBuffer.wrap(jpeg(seed)));
    r.put("label", label);
    return r;
  }
}
