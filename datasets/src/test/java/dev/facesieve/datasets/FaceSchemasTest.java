package dev.facesieve.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.facesieve.datasets.io.LocalFiles;
import dev.facesieve.datasets.parquet.ParquetFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FaceSchemasTest {
  @TempDir Path dir;

  private static FaceRecord face(int i, NoiseKind truth, String trueIdentity) {
    byte[] img = TestImages.jpeg(i);
    return new FaceRecord(
        "r" + i,
        i,
        "p" + i,
        img,
        "jpeg",
        112,
        112,
        LocalFiles.sha256(img),
        new SourceRef("src.rec", i),
        null,
        truth,
        trueIdentity,
        null);
  }

  @Test
  void trueIdentityRoundTripsThroughAvro() {
    FaceRecord f = face(1, NoiseKind.OPEN_SET, "outsider");
    GenericRecord r = FaceSchemas.toAvro(f);
    assertEquals("outsider", r.get("true_identity"));
    assertEquals(f, FaceSchemas.faceFromAvro(r));
    assertNull(FaceSchemas.faceFromAvro(FaceSchemas.toAvro(face(2, null, null))).trueIdentity());
  }

  /**
   * Prepared faces written before {@code true_identity} and {@code true_duplicate_of} existed still
   * read, without them.
   */
  @Test
  void facesWrittenWithoutTrueIdentityStillRead() throws Exception {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : FaceSchemas.FACE.getFields()) {
      if (!f.name().equals("true_identity") && !f.name().equals("true_duplicate_of")) {
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
    List<FaceRecord> faces = List.of(face(1, NoiseKind.CLEAN, null), face(2, null, null));
    List<GenericRecord> rows = new ArrayList<>();
    for (FaceRecord f : faces) {
      GenericRecord now = FaceSchemas.toAvro(f);
      GenericRecord r = new GenericData.Record(old);
      for (Schema.Field field : old.getFields()) {
        r.put(field.name(), now.get(field.name()));
      }
      rows.add(r);
    }
    Path file = dir.resolve("old.parquet");
    ParquetFiles.write(file, old, rows);

    // with the file's own schema (ParquetFiles.read, the input planner)
    assertEquals(
        faces, ParquetFiles.readAll(file).stream().map(FaceSchemas::faceFromAvro).toList());
    // with FACE as the read schema (as ParquetIO.read(FaceSchemas.FACE) in clean reads faces)
    List<FaceRecord> projected = new ArrayList<>();
    ParquetFiles.readColumns(
        file, FaceSchemas.FACE, r -> projected.add(FaceSchemas.faceFromAvro(r)));
    assertEquals(faces, projected);
  }
}
