package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.contract.StageJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 point 4 for object stores: {@code prepare --input} of a URI whose scheme only {@link
 * BeamBackedFileSystem} serves (its test scheme {@code beamtest://local/…}, Beam's local files;
 * there is no GCS or S3 here) prepares what the local prepare of the same files prepares, for a
 * RecordIO, a Parquet folder and an image folder. Outputs stay local: Beam itself has no {@code
 * beamtest}.
 */
class ObjectStoreInputTest {
  @TempDir Path dir;

  @Test
  void aUriOnlyTheAdapterServesIsRemoteForLocationAndUnknownToBeam() {
    Path synth = dir.resolve("synth");
    OwnershipTest.ok(OwnershipTest.synthArgs(synth));
    String uri = BeamTestFileSystem.uri(dir);
    assertTrue(Location.isRemote(uri));
    assertFalse(Location.parse(uri).isLocal());
    // an output there goes to Beam's FileSystems, which do not know the scheme
    CommandLineTest.Result r =
        CommandLineTest.run(
            "prepare", "--input", synth.toString(), "--output", uri + "/prepared-elsewhere");
    assertNotEquals(0, r.code(), r.out());
    assertTrue(r.err().contains("No filesystem found for scheme beamtest"), r.err());
    assertFalse(Files.exists(dir.resolve("prepared-elsewhere")), "nothing written");
  }

  @Test
  void prepareReadsRecordIOAsFromTheLocalFiles() throws Exception {
    Path synth = dir.resolve("synth");
    OwnershipTest.ok(OwnershipTest.synthArgs(synth));
    String remote = BeamTestFileSystem.uri(synth);
    // truth.csv lies beside the RecordIO: found there through the adapter, as locally
    JsonNode[] m = prepareBoth(synth, remote);
    JsonNode a = m[0];
    JsonNode b = m[1];
    assertEquals(remote, b.get("input").get("path").asText());
    assertEquals(a.get("input").get("planned_records"), b.get("input").get("planned_records"));
    assertEquals(a.get("input").get("files").size(), b.get("input").get("files").size());
    for (int i = 0; i < a.get("input").get("files").size(); i++) {
      JsonNode fa = a.get("input").get("files").get(i);
      JsonNode fb = b.get("input").get("files").get(i);
      String name = Path.of(fa.get("path").asText()).getFileName().toString();
      assertTrue(fb.get("path").asText().startsWith("beamtest:"), fb.toString());
      assertTrue(fb.get("path").asText().endsWith(synth + "/" + name), fb.toString());
      assertEquals(fa.get("sha256"), fb.get("sha256"), name);
      assertEquals(fa.get("bytes"), fb.get("bytes"), name);
    }
  }

  @Test
  void prepareReadsAParquetFolderAsFromTheLocalFiles() throws Exception {
    Path synth = dir.resolve("synth");
    OwnershipTest.ok(OwnershipTest.synthArgs(synth));
    Path source = dir.resolve("parquet-source");
    OwnershipTest.ok("prepare", "--input", synth.toString(), "--output", source.toString());
    Path faces = source.resolve("faces");
    JsonNode[] m = prepareBoth(faces, BeamTestFileSystem.uri(faces));
    assertEquals("parquet", m[1].get("input").get("format").asText());
    assertEquals(m[0].get("input").get("shards"), m[1].get("input").get("shards"));
    assertEquals(m[0].get("input").get("files").size(), m[1].get("input").get("files").size());
    for (int i = 0; i < m[0].get("input").get("files").size(); i++) {
      assertEquals(
          m[0].get("input").get("files").get(i).get("sha256"),
          m[1].get("input").get("files").get(i).get("sha256"));
    }
  }

  @Test
  void prepareReadsAnImageFolderAsFromTheLocalFiles() throws Exception {
    Path synth = dir.resolve("folder");
    OwnershipTest.ok(OwnershipTest.synthArgs(synth, "--format", "folder"));
    Files.write(synth.resolve("id_00001/corrupt.jpg"), new byte[] {1, 2, 3, 4, 5});
    JsonNode[] m = prepareBoth(synth, BeamTestFileSystem.uri(synth));
    assertEquals("folder", m[1].get("input").get("format").asText());
    assertEquals(1, m[0].get("counts").get("quarantined").asLong(), m[0].toString());
    for (String field : List.of("planned_records", "shards", "skipped")) {
      assertEquals(m[0].get("input").get(field), m[1].get("input").get(field), field);
    }
    JsonNode fa = m[0].get("input").get("files").get(0);
    JsonNode fb = m[1].get("input").get("files").get(0);
    assertEquals(fa.get("listing_sha256"), fb.get("listing_sha256"), "the same listing");
  }

  @Test
  void anObjectStoreBeamDoesNotHaveIsReportedAsSuch() {
    CommandLineTest.Result r =
        CommandLineTest.run(
            "prepare", "--input", "s3://no-bucket/faces", "--output", dir.resolve("p").toString());
    assertNotEquals(0, r.code(), r.out());
    assertTrue(r.err().contains("Beam has none for s3"), r.err() + r.out());
    assertFalse(Files.exists(dir.resolve("p")), "nothing written");
    // and an input that is not there, on an object store Beam has, is not found
    String missing = BeamTestFileSystem.uri(dir.resolve("nothing-here"));
    CommandLineTest.Result none =
        CommandLineTest.run("prepare", "--input", missing, "--output", dir.resolve("p").toString());
    assertNotEquals(0, none.code(), none.out());
    assertTrue(none.err().contains(missing + ": input not found"), none.err());
    assertFalse(Files.exists(dir.resolve("p")), "nothing written");
  }

  /**
   * Prepares {@code local} and {@code remote} (the same files) into local folders; asserts the same
   * counts, labels, identities, faces (id, label, identity, bytes' hash, truth) and quarantined
   * ids; returns both manifests.
   */
  private JsonNode[] prepareBoth(Path local, String remote) throws Exception {
    Path fromLocal = dir.resolve("prepared-from-local-" + local.getFileName());
    Path fromRemote = dir.resolve("prepared-from-remote-" + local.getFileName());
    OwnershipTest.ok("prepare", "--input", local.toString(), "--output", fromLocal.toString());
    CommandLineTest.Result r =
        OwnershipTest.ok("prepare", "--input", remote, "--output", fromRemote.toString());
    assertTrue(r.out().contains("output: " + fromRemote), r.out());
    JsonNode a = StageJson.MAPPER.readTree(fromLocal.resolve(PrepareJob.MANIFEST).toFile());
    JsonNode b = StageJson.MAPPER.readTree(fromRemote.resolve(PrepareJob.MANIFEST).toFile());
    assertTrue(a.get("counts").get("prepared").asLong() > 0, a.toString());
    for (String field : List.of("counts", "images_per_label", "labels", "identities")) {
      assertEquals(a.get(field), b.get(field), field);
    }
    assertEquals(faces(fromLocal), faces(fromRemote), "the same faces");
    assertEquals(quarantined(fromLocal), quarantined(fromRemote), "the same quarantined");
    return new JsonNode[] {a, b};
  }

  private static List<String> faces(Path prepared) throws Exception {
    return PrepareJobTest.faces(prepared).stream()
        .map(
            f ->
                f.id()
                    + " "
                    + f.label()
                    + " "
                    + f.identity()
                    + " "
                    + f.sha256()
                    + " "
                    + f.truth()
                    + " "
                    + f.trueIdentity())
        .sorted()
        .toList();
  }

  private static List<String> quarantined(Path prepared) throws Exception {
    List<String> ids = new ArrayList<>();
    if (Files.isDirectory(prepared.resolve("quarantine"))) {
      for (QuarantineRecord q : PrepareJobTest.quarantined(prepared)) {
        ids.add(q.id() + " " + q.reason());
      }
    }
    return ids.stream().sorted().toList();
  }
}
