package dev.facesieve.datasets.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.TestImages;
import dev.facesieve.datasets.image.Pgm;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image folder named by a URI is planned and read through Hadoop's {@code FileSystem} (here
 * Hadoop's local file system, by a {@code file:} URI) by the rules a local folder is: the same
 * identities, labels, skipped entries, work items, listing hash, faces and quarantines, links
 * leaving the folder included.
 */
class FolderInputOnHadoopTest {
  private static final String SECRET = "root:x:0:0:SECRET-LINE:/root:/bin/bash\n";

  @TempDir Path dir;
  Path root;

  @BeforeEach
  void tree() throws Exception {
    Files.writeString(dir.resolve("secret.txt"), SECRET);
    Files.createDirectories(dir.resolve("elsewhere"));
    Files.write(dir.resolve("elsewhere/x.jpg"), TestImages.jpeg(5));
    root = dir.resolve("my faces"); // a space: the root as a URI and as a Hadoop path differ
    Files.createDirectories(root.resolve("Amy/nested"));
    Files.createDirectories(root.resolve("Zed"));
    Files.createDirectories(root.resolve(".git"));
    Files.write(root.resolve("Amy/1.jpg"), TestImages.jpeg(1));
    Files.write(root.resolve("Amy/2.png"), TestImages.png(112, 112));
    Files.write(root.resolve("Amy/a1.pgm"), Pgm.encode(TestImages.square(92, 112, 9)));
    Files.write(root.resolve("Amy/empty.jpg"), new byte[0]);
    byte[] garbage = new byte[5_000];
    new Random(7).nextBytes(garbage);
    Files.write(root.resolve("Amy/corrupt.jpg"), garbage);
    Files.writeString(root.resolve("Amy/notes.txt"), "hi");
    Files.write(root.resolve("Amy/.hidden.jpg"), TestImages.jpeg(2));
    try (RandomAccessFile f = new RandomAccessFile(root.resolve("Amy/huge.jpg").toFile(), "rw")) {
      f.setLength(ShardReader.DEFAULT_MAX_BYTES + 1); // sparse: takes no disk space
    }
    // links: inside the folder (one through another), out of it, and an identity folder out of it
    Files.createSymbolicLink(root.resolve("Amy/same.jpg"), Path.of("1.jpg"));
    Files.createSymbolicLink(root.resolve("Amy/chain.jpg"), Path.of("same.jpg"));
    Files.createSymbolicLink(root.resolve("Amy/passwd.jpg"), Path.of("../../secret.txt"));
    Files.createSymbolicLink(root.resolve("Bob"), dir.resolve("elsewhere"));
    // names a URI could misread (HDFS allows no ':'), and an order where UTF-16 and UTF-8 differ
    Files.write(root.resolve("Zed/12-30.jpg"), TestImages.jpeg(3));
    Files.write(root.resolve("Zed/a b%20.jpg"), TestImages.jpeg(4));
    Files.write(root.resolve("Zed/\uFB01.jpg"), TestImages.jpeg(6));
    Files.write(root.resolve("Zed/\uD83D\uDE00.jpg"), TestImages.jpeg(7));
    Files.writeString(root.resolve("README"), "about");
  }

  private InputPlan local() {
    return InputPlanner.plan(InputPlanner.Spec.builder().setInput(root).setShardSize(3).build());
  }

  private InputPlan viaHadoop(URI uri, InputFormat format) {
    return InputPlanner.planRemote(uri, format, 3, InputPlanner.Spec.DEFAULT_COLUMNS, null, null);
  }

  private static List<String> items(InputPlan plan) {
    return plan.shards().stream()
        .flatMap(s -> ((InputShard.Folder) s).entries().stream())
        .map(e -> e.relativePath() + " " + e.label() + " " + e.identity())
        .toList();
  }

  private static Map<String, String> reasons(Collect c) {
    Map<String, String> m = new TreeMap<>();
    for (QuarantineRecord q : c.quarantined) {
      m.put(q.id(), q.reason().name());
    }
    return m;
  }

  private static List<String> faces(Collect c) {
    return c.faces.stream().map(f -> f.id() + " " + f.label() + " " + f.sha256()).toList();
  }

  @Test
  void plansAndReadsAsTheLocalPlannerDoes() throws Exception {
    InputPlan local = local();
    InputPlan hadoop = viaHadoop(root.toUri(), InputFormat.AUTO);

    assertEquals(InputFormat.FOLDER, hadoop.format());
    assertEquals(Map.of(0, "Amy", 1, "Bob", 2, "Zed"), hadoop.identityNames());
    assertEquals(local.identityNames(), hadoop.identityNames());
    assertEquals(
        Map.of(
            "hidden_entries",
            2L,
            "top_level_files",
            1L,
            "nested_folders",
            1L,
            "non_image_files",
            1L),
        hadoop.skipped());
    assertEquals(local.skipped(), hadoop.skipped());
    assertEquals(14, local.plannedRecords());
    assertEquals(local.plannedRecords(), hadoop.plannedRecords());
    assertEquals(items(local), items(hadoop), "the same work items in the same shards' order");
    assertEquals(local.shards().size(), hadoop.shards().size());
    assertNotNull(local.listingSha256());
    assertEquals(local.listingSha256(), hadoop.listingSha256(), "names and sizes, links followed");
    // the manifest names the folder by its URI and hashes its listing, not its files
    assertEquals(List.of(), hadoop.files());
    assertEquals(
        List.of(root.toUri().getPath()), hadoop.remoteFiles().stream().map(URI::getPath).toList());
    assertTrue(((InputShard.Folder) hadoop.shards().get(0)).root().startsWith("file:"));

    Collect a = Collect.all(local);
    Collect b = Collect.all(hadoop);
    assertEquals(
        Map.of(
            "Amy/corrupt.jpg", "UNDECODABLE_IMAGE",
            "Amy/empty.jpg", "EMPTY_IMAGE",
            "Amy/huge.jpg", "IMAGE_TOO_LARGE",
            "Amy/passwd.jpg", "UNREADABLE",
            "Bob/x.jpg", "UNREADABLE"),
        reasons(b));
    assertEquals(reasons(a), reasons(b));
    assertEquals(9, b.faces.size());
    assertEquals(faces(a), faces(b), "the same faces, labels and bytes");
    for (QuarantineRecord q : b.quarantined) {
      if (q.reason().name().equals("UNREADABLE")) {
        assertTrue(q.message().contains("outside the input folder"), q.message());
        assertNull(q.image());
      }
      if (q.id().equals("Amy/huge.jpg")) {
        assertEquals(ShardReader.DEFAULT_MAX_BYTES + 1, q.imageBytes(), "its size, unread");
        assertTrue(q.message().endsWith("; not read"), q.message());
      }
    }
    byte[] secret = SECRET.getBytes(StandardCharsets.UTF_8);
    for (RawFace f : b.raw) {
      assertFalse(java.util.Arrays.equals(secret, f.image()), f.id());
    }
  }

  /** What changes between planning and reading is quarantined alike on both file systems. */
  @Test
  void filesGoneOrReplacedAfterPlanningAreQuarantinedAlike() throws Exception {
    InputPlan local = local();
    InputPlan hadoop = viaHadoop(root.toUri(), InputFormat.FOLDER);
    Files.delete(root.resolve("Zed/a b%20.jpg"));
    Files.delete(root.resolve("Amy/2.png"));
    Files.createSymbolicLink(root.resolve("Amy/2.png"), dir.resolve("missing.png"));
    Files.delete(root.resolve("Amy/a1.pgm"));
    Files.createDirectories(root.resolve("Amy/a1.pgm"));
    Collect a = Collect.all(local);
    Collect b = Collect.all(hadoop);
    assertEquals(reasons(a), reasons(b));
    Map<String, String> messages = new TreeMap<>();
    b.quarantined.forEach(q -> messages.put(q.id(), q.message()));
    assertEquals("file disappeared after it was listed", messages.get("Zed/a b%20.jpg"));
    assertTrue(
        messages.get("Amy/2.png").startsWith("link to a missing file: "), messages.toString());
    assertTrue(messages.get("Amy/2.png").endsWith("missing.png"), messages.toString());
    assertEquals("not a regular file (a folder); not read", messages.get("Amy/a1.pgm"));
    assertEquals(faces(a), faces(b));
  }

  @Test
  void anInputThatIsNoImageFolderIsRefusedAsLocally() throws Exception {
    InputException missing =
        assertThrows(
            InputException.class,
            () -> viaHadoop(dir.resolve("nowhere").toUri(), InputFormat.FOLDER));
    assertTrue(missing.getMessage().contains("input not found"), missing.getMessage());
    InputException file =
        assertThrows(
            InputException.class,
            () -> viaHadoop(root.resolve("README").toUri(), InputFormat.FOLDER));
    assertTrue(file.getMessage().contains("not a folder of identity folders"), file.getMessage());
    Files.createDirectories(dir.resolve("flat"));
    Files.write(dir.resolve("flat/1.jpg"), TestImages.jpeg(1));
    InputException flat =
        assertThrows(
            InputException.class, () -> viaHadoop(dir.resolve("flat").toUri(), InputFormat.AUTO));
    assertTrue(flat.getMessage().contains("no identity folders"), flat.getMessage());
    // a .parquet file in an identity folder does not make the folder Parquet, as locally
    Files.createDirectories(dir.resolve("hf/data"));
    Files.write(dir.resolve("hf/data/train.parquet"), new byte[] {1});
    assertEquals(InputFormat.FOLDER, InputFormat.detect(dir.resolve("hf")));
    InputException hf =
        assertThrows(
            InputException.class, () -> viaHadoop(dir.resolve("hf").toUri(), InputFormat.AUTO));
    assertTrue(hf.getMessage().contains("give --format parquet"), hf.getMessage());
  }
}
