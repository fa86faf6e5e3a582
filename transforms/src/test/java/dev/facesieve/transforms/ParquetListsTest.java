package dev.facesieve.transforms;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.SourceRef;
import dev.facesieve.datasets.parquet.ParquetFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Beam's Parquet writers ({@link WriteFaceFiles}, {@link WriteParquet}, both through {@link
 * ParquetSink}) write standard 3-level lists, and Beam's readers ({@link ReadFaceFiles}, {@code
 * ParquetIO.read}) read files of both layouts.
 */
public class ParquetListsTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  private static FaceRecord face(int i) {
    float[] landmarks = new float[10];
    Arrays.fill(landmarks, i);
    return new FaceRecord(
        "f" + i,
        i % 2,
        "p" + (i % 2),
        new byte[] {(byte) i},
        "jpeg",
        112,
        112,
        "h" + i,
        new SourceRef("in", i),
        landmarks,
        null,
        null,
        null);
  }

  private static GenericRecord embedding(int i) {
    GenericRecord r = new GenericData.Record(CleanSchemas.EMBEDDING);
    r.put("id", "f" + i);
    r.put("label", i % 2);
    r.put("vector", FaceSchemas.floatList(new float[] {i, -i}));
    return r;
  }

  /** {@code <column> (LIST) { repeated group list { element } }}, as parquet-format specifies. */
  static void assertThreeLevel(Path file, String column) throws Exception {
    MessageType schema = ParquetFiles.parquetSchema(file);
    GroupType list = schema.getType(column).asGroupType();
    assertFalse("2-level list: " + schema, list.getType(0).isPrimitive());
    assertEquals(schema.toString(), "list", list.getType(0).getName());
    assertEquals(schema.toString(), "element", list.getType(0).asGroupType().getType(0).getName());
  }

  @Test
  public void beamWritersWriteThreeLevelLists() throws Exception {
    Path faces = tmp.getRoot().toPath().resolve("faces");
    Path emb = tmp.getRoot().toPath().resolve("emb");
    List<FaceRecord> fs = new ArrayList<>();
    List<GenericRecord> es = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      fs.add(face(i));
      es.add(embedding(i));
    }
    p.apply("Faces", Create.of(fs).withCoder(FaceCoders.faces()))
        .apply("WriteFaces", WriteFaceFiles.to(faces + "/").withFiles(2));
    p.apply("Embeddings", Create.of(es).withCoder(FaceCoders.avro(CleanSchemas.EMBEDDING)))
        .apply(
            "WriteEmbeddings",
            WriteParquet.<GenericRecord>to(emb + "/", CleanSchemas.EMBEDDING, r -> r));
    p.run().waitUntilFinish();
    assertEquals(2, ParquetFiles.list(faces).size());
    for (Path f : ParquetFiles.list(faces)) {
      assertThreeLevel(f, "landmarks");
    }
    assertFalse(ParquetFiles.list(emb).isEmpty());
    for (Path f : ParquetFiles.list(emb)) {
      assertThreeLevel(f, "vector");
    }
  }

  /**
   * {@code FileIO} clones its sink for every file it opens: the clone carries the schema and codec,
   * not a Hadoop {@code Configuration} (whose deserialisation parses Hadoop's XML defaults).
   */
  @Test
  public void sinkSerialisesAsLittleMoreThanItsSchema() {
    int schema = FaceSchemas.FACE.toString().getBytes(StandardCharsets.UTF_8).length;
    int bytes = SerializableUtils.serializeToByteArray(ParquetSink.of(FaceSchemas.FACE)).length;
    assertTrue(bytes + " bytes for a schema of " + schema, bytes < schema + 512);
  }

  private static void write(Path file, Schema schema, List<GenericRecord> rows, boolean old)
      throws Exception {
    Configuration c = new Configuration(false);
    c.set("fs.file.impl", org.apache.hadoop.fs.RawLocalFileSystem.class.getName());
    c.setBoolean("fs.file.impl.disable.cache", true);
    c.setBoolean(AvroWriteSupport.WRITE_OLD_LIST_STRUCTURE, old);
    Files.createDirectories(file.getParent());
    try (ParquetWriter<GenericRecord> w =
        AvroParquetWriter.<GenericRecord>builder(
                HadoopOutputFile.fromPath(
                    new org.apache.hadoop.fs.Path(file.toAbsolutePath().toUri()), c))
            .withSchema(schema)
            .withConf(c)
            .build()) {
      for (GenericRecord r : rows) {
        w.write(r);
      }
    }
  }

  /** Files from before the 3-level setting (2-level lists) and after it, read side by side. */
  @Test
  public void beamReadersReadBothLayouts() throws Exception {
    Path faces = tmp.getRoot().toPath().resolve("faces");
    Path emb = tmp.getRoot().toPath().resolve("emb");
    for (int old = 0; old < 2; old++) {
      write(
          faces.resolve("part-" + old + ".parquet"),
          FaceSchemas.FACE,
          List.of(FaceSchemas.toAvro(face(old))),
          old == 1);
      write(
          emb.resolve("part-" + old + ".parquet"),
          CleanSchemas.EMBEDDING,
          List.of(embedding(old)),
          old == 1);
    }
    assertTrue(
        ParquetFiles.threeLevelLists(ParquetFiles.parquetSchema(faces.resolve("part-0.parquet"))));
    assertFalse(
        ParquetFiles.threeLevelLists(ParquetFiles.parquetSchema(faces.resolve("part-1.parquet"))));
    PAssert.that(
            p.apply("ReadFaces", ReadFaceFiles.from(faces + "/*.parquet"))
                .apply(
                    "Landmarks",
                    MapElements.into(TypeDescriptors.strings())
                        .via((FaceRecord f) -> f.id() + Arrays.toString(f.landmarks()))))
        .containsInAnyOrder(
            "f0" + Arrays.toString(face(0).landmarks()),
            "f1" + Arrays.toString(face(1).landmarks()));
    PAssert.that(
            p.apply(
                    "ReadEmbeddings",
                    ParquetIO.read(CleanSchemas.EMBEDDING).from(emb + "/*.parquet"))
                .apply(
                    "Vectors",
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            (GenericRecord r) ->
                                r.get("id")
                                    + Arrays.toString(FaceSchemas.floats(r.get("vector"))))))
        .containsInAnyOrder("f0[0.0, 0.0]", "f1[1.0, -1.0]");
    p.run().waitUntilFinish();
  }
}
