package dev.facesieve.datasets.parquet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.FaceSchemas;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Array columns are written as standard 3-level lists, and files of either layout read back. */
class ParquetListsTest {
  @TempDir Path dir;

  private static final Schema PROJECTION =
      SchemaBuilder.record("CleanedFace")
          .namespace("dev.facesieve")
          .fields()
          .requiredString("id")
          .name("cosines")
          .type()
          .array()
          .items()
          .floatType()
          .noDefault()
          .endRecord();

  private static List<GenericRecord> embeddings() {
    List<GenericRecord> rows = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      GenericRecord r = new GenericData.Record(CleanSchemas.EMBEDDING);
      r.put("id", "f" + i);
      r.put("label", i);
      r.put("vector", FaceSchemas.floatList(new float[] {i, 0.5f, -i}));
      rows.add(r);
    }
    return rows;
  }

  /** The footer's list: {@code <name> (LIST) { repeated group list { <element> } }}. */
  static void assertThreeLevel(MessageType schema, String column) {
    GroupType list = schema.getType(column).asGroupType();
    assertEquals(LogicalTypeAnnotation.listType(), list.getLogicalTypeAnnotation(), column);
    Type repeated = list.getType(0);
    assertTrue(repeated.isRepetition(Type.Repetition.REPEATED), schema.toString());
    assertFalse(repeated.isPrimitive(), "2-level list: " + schema);
    assertEquals("list", repeated.getName(), schema.toString());
    assertEquals("element", repeated.asGroupType().getType(0).getName(), schema.toString());
  }

  @Test
  void writesThreeLevelListsThatReadBack() throws IOException {
    Path f = dir.resolve("emb.parquet");
    ParquetFiles.write(f, CleanSchemas.EMBEDDING, embeddings());
    MessageType schema = ParquetFiles.parquetSchema(f);
    assertThreeLevel(schema, "vector");
    assertTrue(ParquetFiles.threeLevelLists(schema));
    List<GenericRecord> back = ParquetFiles.readAll(f);
    assertEquals(3, back.size());
    assertArrayEquals(new float[] {2, 0.5f, -2}, FaceSchemas.floats(back.get(2).get("vector")), 0f);
  }

  /** Files written before the 3-level setting (2-level lists) read as they always did. */
  @Test
  void readsTwoLevelListsOfEarlierFiles() throws IOException {
    Path f = dir.resolve("old.parquet");
    Configuration c = ParquetFiles.conf();
    c.setBoolean(AvroWriteSupport.WRITE_OLD_LIST_STRUCTURE, true);
    try (ParquetWriter<GenericRecord> w =
        AvroParquetWriter.<GenericRecord>builder(
                HadoopOutputFile.fromPath(ParquetFiles.hpath(f), c))
            .withSchema(CleanSchemas.EMBEDDING)
            .withConf(c)
            .build()) {
      for (GenericRecord r : embeddings()) {
        w.write(r);
      }
    }
    assertFalse(ParquetFiles.threeLevelLists(ParquetFiles.parquetSchema(f)));
    List<GenericRecord> back = ParquetFiles.readAll(f);
    assertArrayEquals(new float[] {1, 0.5f, -1}, FaceSchemas.floats(back.get(1).get("vector")), 0f);
  }

  /** A projection that names a list column reads files of both layouts (the report's path). */
  @Test
  void projectionWithAListReadsBothLayouts() throws IOException {
    for (boolean old : new boolean[] {false, true}) {
      Path f = dir.resolve("cleaned-" + old + ".parquet");
      Configuration c = ParquetFiles.conf();
      c.setBoolean(AvroWriteSupport.WRITE_OLD_LIST_STRUCTURE, old);
      GenericRecord r = new GenericData.Record(CleanSchemas.CLEANED);
      GenericRecord face =
          FaceSchemas.toAvro(
              new dev.facesieve.datasets.FaceRecord(
                  "a",
                  0,
                  "p",
                  new byte[] {1},
                  "jpeg",
                  1,
                  1,
                  "00",
                  new dev.facesieve.datasets.SourceRef("s", 0),
                  new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
                  null,
                  null,
                  null));
      for (Schema.Field field : FaceSchemas.FACE.getFields()) {
        r.put(field.name(), face.get(field.name()));
      }
      r.put("original_label", 0);
      r.put("angle_deg", 10.0);
      r.put("nearest_sub_center", 0);
      r.put("dominant_sub_center", 0);
      r.put("cosines", FaceSchemas.floatList(new float[] {0.9f, 0.1f}));
      try (ParquetWriter<GenericRecord> w =
          AvroParquetWriter.<GenericRecord>builder(
                  HadoopOutputFile.fromPath(ParquetFiles.hpath(f), c))
              .withSchema(CleanSchemas.CLEANED)
              .withConf(c)
              .build()) {
        w.write(r);
      }
      List<GenericRecord> back = new ArrayList<>();
      ParquetFiles.readColumns(f, PROJECTION, back::add);
      assertArrayEquals(
          new float[] {0.9f, 0.1f}, FaceSchemas.floats(back.get(0).get("cosines")), 0f, "" + old);
      assertArrayEquals(
          new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
          FaceSchemas.floats(ParquetFiles.readAll(f).get(0).get("landmarks")),
          0f);
    }
  }
}
