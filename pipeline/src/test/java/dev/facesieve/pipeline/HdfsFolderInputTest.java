package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.contract.StageJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 point 4: {@code prepare --input hdfs://…} of an image folder (ten ORL people, with a
 * corrupt, an empty, a non-image and a hidden file, a link out of the folder and one inside it
 * added) on a real HDFS ({@code MiniDFSCluster}) prepares what the local prepare of the same folder
 * prepares, and its manifest names the folder by its URI with the same listing hash.
 */
class HdfsFolderInputTest {
  @TempDir Path dir;

  @Test
  void prepareReadsAnImageFolderFromHdfsAsFromALocalCopy() throws Exception {
    Path orl = SharedData.find("data/orl");
    assumeTrue(orl != null, "../shared/data/orl is not present");
    // ten of ORL's 40 people: each file written to HDFS costs a round of its protocol
    Path tree = dir.resolve("orl");
    List<Path> people;
    try (Stream<Path> s = Files.list(orl)) {
      people = s.filter(Files::isDirectory).sorted().limit(10).toList();
    }
    for (Path person : people) {
      Path to = Files.createDirectories(tree.resolve(person.getFileName().toString()));
      try (Stream<Path> s = Files.list(person)) {
        for (Path image : s.toList()) {
          Files.copy(image, to.resolve(image.getFileName().toString()));
        }
      }
    }
    byte[] garbage = new byte[3_000];
    new Random(11).nextBytes(garbage);
    Files.write(tree.resolve("s1/corrupt.pgm"), garbage);
    Files.write(tree.resolve("s10/empty.jpg"), new byte[0]);
    Files.writeString(tree.resolve("s11/notes.txt"), "not an image");
    Files.writeString(tree.resolve("s11/.hidden.jpg"), "skipped");

    MiniDFSCluster cluster = HdfsOutputTest.startCluster(dir);
    try {
      String root = "hdfs://localhost:" + cluster.getNameNodePort();
      // the client waits 400 ms by default before it asks again whether a file it closed is
      // complete; a file's block is reported at once on a one-node cluster
      Configuration fast = new Configuration(cluster.getConfiguration(0));
      fast.setInt("dfs.client.block.write.locateFollowingBlock.initial.delay.ms", 20);
      // another person's image outside the folder, for a link to lead out of it
      Path secret = Files.copy(orl.resolve("s2/1.pgm"), dir.resolve("secret.pgm"));
      try (FileSystem fs = FileSystem.newInstance(cluster.getURI(), fast)) {
        fs.copyFromLocalFile(
            new org.apache.hadoop.fs.Path(tree.toUri()),
            new org.apache.hadoop.fs.Path("/inputs/orl"));
        fs.copyFromLocalFile(
            new org.apache.hadoop.fs.Path(secret.toUri()),
            new org.apache.hadoop.fs.Path("/secret.pgm"));
      }
      // the same links in both trees (the copy above followed none): one out of the folder, one
      // inside it; HDFS makes links only once they are enabled in the JVM (for the rest of this
      // test JVM: no other test makes links on HDFS, and FaceSieve resolves them itself)
      Files.createSymbolicLink(tree.resolve("s12/outside.pgm"), secret);
      Files.createSymbolicLink(tree.resolve("s13/same.pgm"), Path.of("1.pgm"));
      FileSystem.enableSymlinks();
      cluster
          .getFileSystem()
          .createSymlink(
              new org.apache.hadoop.fs.Path("/secret.pgm"),
              new org.apache.hadoop.fs.Path("/inputs/orl/s12/outside.pgm"),
              false);
      cluster
          .getFileSystem()
          .createSymlink(
              new org.apache.hadoop.fs.Path("1.pgm"),
              new org.apache.hadoop.fs.Path("/inputs/orl/s13/same.pgm"),
              false);
      String remoteInput = root + "/inputs/orl";

      Path local = dir.resolve("prepared-from-local");
      OwnershipTest.ok("prepare", "--input", tree.toString(), "--output", local.toString());
      Path fromHdfs = dir.resolve("prepared-from-hdfs");
      OwnershipTest.ok("prepare", "--input", remoteInput, "--output", fromHdfs.toString());

      JsonNode a = StageJson.MAPPER.readTree(local.resolve(PrepareJob.MANIFEST).toFile());
      JsonNode b = StageJson.MAPPER.readTree(fromHdfs.resolve(PrepareJob.MANIFEST).toFile());
      assertEquals(101, a.get("counts").get("prepared").asLong(), a.toString());
      assertEquals(3, a.get("counts").get("quarantined").asLong(), a.toString());
      for (String field : List.of("counts", "images_per_label", "labels", "identities")) {
        assertEquals(a.get(field), b.get(field), field);
      }
      assertEquals("folder", b.get("input").get("format").asText());
      assertEquals(remoteInput, b.get("input").get("path").asText());
      for (String field : List.of("planned_records", "shards", "skipped")) {
        assertEquals(a.get("input").get(field), b.get("input").get(field), field);
      }
      // the folder by its URI, with the hash of the same listing (names and sizes)
      JsonNode fa = a.get("input").get("files");
      JsonNode fb = b.get("input").get("files");
      assertEquals(1, fb.size(), fb.toString());
      assertEquals(remoteInput, fb.get(0).get("path").asText());
      assertNotNull(fb.get(0).get("listing_sha256"), fb.toString());
      assertEquals(fa.get(0).get("listing_sha256"), fb.get(0).get("listing_sha256"));
      assertFalse(fb.get(0).has("sha256"), "a folder is hashed by its listing: " + fb);

      assertEquals(faces(local), faces(fromHdfs), "the same faces, labels, identities and bytes");
      SortedMap<String, String> q = quarantined(fromHdfs);
      assertEquals(
          Map.of(
              "s1/corrupt.pgm",
              "UNDECODABLE_IMAGE",
              "s10/empty.jpg",
              "EMPTY_IMAGE",
              "s12/outside.pgm",
              "UNREADABLE"),
          q);
      assertEquals(quarantined(local), q);
      QuarantineRecord out =
          PrepareJobTest.quarantined(fromHdfs).stream()
              .filter(r -> r.id().equals("s12/outside.pgm"))
              .findFirst()
              .orElseThrow();
      assertTrue(out.message().contains("outside the input folder"), out.message());
      assertNull(out.image(), "not read");
      assertTrue(
          PrepareJobTest.faces(fromHdfs).stream().allMatch(f -> f.source().file().startsWith("s")),
          "sources are named relative to the folder, as locally");
    } finally {
      cluster.shutdown();
    }
  }

  private static List<String> faces(Path prepared) throws Exception {
    return PrepareJobTest.faces(prepared).stream()
        .map(f -> f.id() + " " + f.label() + " " + f.identity() + " " + f.sha256())
        .sorted()
        .toList();
  }

  private static SortedMap<String, String> quarantined(Path prepared) throws Exception {
    SortedMap<String, String> m = new TreeMap<>();
    for (QuarantineRecord r : PrepareJobTest.quarantined(prepared)) {
      m.put(r.id(), r.reason().name());
    }
    return m;
  }
}
