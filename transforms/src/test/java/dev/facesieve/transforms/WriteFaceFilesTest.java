package dev.facesieve.transforms;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.SourceRef;
import dev.facesieve.datasets.parquet.ParquetFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class WriteFaceFilesTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  private static FaceRecord face(int i) {
    return new FaceRecord(
        "person" + (i % 3) + "/" + i + ".jpg",
        i % 3,
        "person" + (i % 3),
        new byte[] {(byte) i, 7},
        "jpeg",
        112,
        112,
        "h" + i,
        new SourceRef("in", i),
        null,
        i % 4 == 0 ? NoiseKind.CLOSE_SET : null,
        i % 4 == 0 ? "person" + ((i + 1) % 3) : null,
        null);
  }

  @Test
  public void filesDependOnTheFacesNotOnTheirOrder() throws Exception {
    List<FaceRecord> faces = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      faces.add(face(i));
    }
    List<FaceRecord> reversed = new ArrayList<>(faces);
    Collections.reverse(reversed);
    Path a = tmp.getRoot().toPath().resolve("a");
    Path b = tmp.getRoot().toPath().resolve("b");
    PCollection<String> namesA =
        p.apply("FacesInOrder", Create.of(faces).withCoder(FaceCoders.faces()))
            .apply("WriteA", WriteFaceFiles.to(a + "/").withFiles(3))
            .get(WriteFaceFiles.FILES);
    p.apply("FacesReversed", Create.of(reversed).withCoder(FaceCoders.faces()))
        .apply("WriteB", WriteFaceFiles.to(b + "/").withFiles(3));
    PAssert.that(namesA)
        .containsInAnyOrder(
            "part-00000-of-00003.parquet",
            "part-00001-of-00003.parquet",
            "part-00002-of-00003.parquet");
    p.run().waitUntilFinish();

    List<Path> files = ParquetFiles.list(a);
    assertEquals(3, files.size());
    Set<String> ids = new TreeSet<>();
    for (Path f : files) {
      assertArrayEquals(
          f.getFileName() + " differs between the two orders",
          Files.readAllBytes(f),
          Files.readAllBytes(b.resolve(f.getFileName())));
      int file = Integer.parseInt(f.getFileName().toString().substring(5, 10));
      long previous = Long.MIN_VALUE;
      for (GenericRecord r : ParquetFiles.readAll(f)) {
        FaceRecord back = FaceSchemas.faceFromAvro(r);
        assertEquals(face(Integer.parseInt(back.id().replaceAll(".*/|\\.jpg", ""))), back);
        assertEquals(file, WriteFaceFiles.fileOf(back.id(), 3));
        assertTrue(
            "faces are ordered by their hash", WriteFaceFiles.orderOf(back.id()) >= previous);
        previous = WriteFaceFiles.orderOf(back.id());
        assertTrue(back.id() + " written twice", ids.add(back.id()));
      }
    }
    assertEquals(40, ids.size());
    try (var left = Files.list(a)) {
      assertEquals("no temporary files left", 3, left.count());
    }
  }

  /** Issue 18 item 12: one id twice must not reach {@code clean}; the first by source is kept. */
  @Test
  public void repeatedIdsAreSetAsideKeepingTheFirstBySourceOrder() throws Exception {
    List<FaceRecord> faces = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      faces.add(face(i));
    }
    FaceRecord first = face(4);
    // the same id from a later row of the same file, and from a file sorting after "in"
    faces.add(
        0,
        new FaceRecord(
            first.id(),
            2,
            "other",
            new byte[] {1},
            "jpeg",
            112,
            112,
            "x",
            new SourceRef("in", 40),
            null,
            null,
            null,
            null));
    faces.add(
        new FaceRecord(
            first.id(),
            1,
            "person1",
            new byte[] {2},
            "jpeg",
            112,
            112,
            "y",
            new SourceRef("j", 0),
            null,
            null,
            null,
            null));
    Path a = tmp.getRoot().toPath().resolve("a");
    PCollectionTuple out =
        p.apply("Faces", Create.of(faces).withCoder(FaceCoders.faces()))
            .apply("Write", WriteFaceFiles.to(a + "/").withFiles(2));
    PAssert.that(
            out.get(WriteFaceFiles.REPEATS)
                .apply(
                    "Describe",
                    MapElements.into(TypeDescriptors.strings())
                        .via((QuarantineRecord q) -> q.id() + " " + q.source() + " " + q.reason())))
        .containsInAnyOrder(first.id() + " in@40 DUPLICATE_KEY", first.id() + " j@0 DUPLICATE_KEY");
    p.run().waitUntilFinish();
    List<FaceRecord> back = new ArrayList<>();
    for (Path f : ParquetFiles.list(a)) {
      ParquetFiles.readAll(f).forEach(r -> back.add(FaceSchemas.faceFromAvro(r)));
    }
    assertEquals(10, back.size());
    assertTrue(back.contains(first));
  }

  @Test
  public void sizesTheFileCountFromTheExpectedFaces() {
    assertEquals(1, WriteFaceFiles.to("x/").forFaces(0).files());
    assertEquals(1, WriteFaceFiles.to("x/").forFaces(WriteFaceFiles.FACES_PER_FILE).files());
    assertEquals(2, WriteFaceFiles.to("x/").forFaces(WriteFaceFiles.FACES_PER_FILE + 1).files());
    assertEquals(5000, WriteFaceFiles.to("x/").forFaces(10_000_000).files());
  }

  /**
   * Faces written before {@code true_identity} existed still read through {@link ReadFaceFiles}, as
   * {@code clean} reads them: the field is null. ({@code ParquetIO.read(FaceSchemas.FACE)} failed
   * here: its coder cannot encode the older records.)
   */
  @Test
  public void facesWithoutTrueIdentityReadThroughParquetIo() throws Exception {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : FaceSchemas.FACE.getFields()) {
      if (!f.name().equals("true_identity")) {
        fields.add(new Schema.Field(f, f.schema()));
      }
    }
    Schema old =
        Schema.createRecord(
            FaceSchemas.FACE.getName(),
            FaceSchemas.FACE.getDoc(),
            FaceSchemas.FACE.getNamespace(),
            false,
            fields);
    List<GenericRecord> rows = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      GenericRecord now = FaceSchemas.toAvro(face(i));
      GenericRecord r = new GenericData.Record(old);
      for (Schema.Field field : old.getFields()) {
        r.put(field.name(), now.get(field.name()));
      }
      rows.add(r);
    }
    Path dir = tmp.getRoot().toPath().resolve("old");
    Files.createDirectories(dir);
    ParquetFiles.write(dir.resolve("part-0.parquet"), old, rows);
    PCollection<String> read =
        p.apply("Read", ReadFaceFiles.from(dir + "/*.parquet"))
            .apply(
                "Describe",
                MapElements.into(TypeDescriptors.strings())
                    .via((FaceRecord f) -> f.id() + ":" + f.truth() + ":" + f.trueIdentity()));
    PAssert.that(read)
        .containsInAnyOrder(
            "person0/0.jpg:CLOSE_SET:null",
            "person1/1.jpg:null:null",
            "person2/2.jpg:null:null",
            "person0/3.jpg:null:null");
    p.run().waitUntilFinish();
  }
}
