package dev.facesieve.datasets.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.InputException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two resources are {@code manifest.json} files written by {@code prepare} before this record
 * existed (a 12-identity RecordIO input; an image folder with a landmarks file and skipped
 * entries).
 */
class PrepareManifestTest {
  @TempDir Path dir;

  private static String resource(String name) throws Exception {
    try (InputStream in = PrepareManifestTest.class.getResourceAsStream("/contract/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private PrepareManifest readThroughFile(String text) throws Exception {
    Files.writeString(dir.resolve(PrepareManifest.FILE), text);
    return PrepareManifest.read(dir);
  }

  @Test
  void readsAndWritesTodaysFilesByteForByte() throws Exception {
    for (String name : List.of("prepare-manifest-recordio.json", "prepare-manifest-folder.json")) {
      String text = resource(name);
      PrepareManifest m = readThroughFile(text);
      assertEquals(text, StageJson.write(m), name);
    }
  }

  @Test
  void fingerprintHashesTheSameTextAsBefore() throws Exception {
    for (String name : List.of("prepare-manifest-recordio.json", "prepare-manifest-folder.json")) {
      PrepareManifest m = readThroughFile(resource(name));
      assertEquals(
          m.fingerprint(),
          PrepareManifest.fingerprint(m.input().files(), m.options(), m.facesieveVersion()),
          name);
    }
  }

  @Test
  void typedFieldsCarryTheFileValues() throws Exception {
    PrepareManifest rec = readThroughFile(resource("prepare-manifest-recordio.json"));
    assertEquals(12, rec.identities());
    assertEquals(24, rec.images());
    assertEquals(24, rec.counts().read());
    assertEquals("id_00011", rec.labels().get(11));
    assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), List.copyOf(rec.labels().keySet()));
    assertEquals(4, rec.input().files().size());
    assertEquals(334L, rec.input().files().get(1).bytes());
    assertNull(rec.input().files().get(1).listingSha256());
    assertEquals(5, rec.options().shardSize());
    assertNull(rec.options().truth());
    assertEquals("prepare", rec.stage());

    PrepareManifest folder = readThroughFile(resource("prepare-manifest-folder.json"));
    assertNull(folder.input().files().get(0).sha256());
    assertEquals(3L, folder.input().skipped().get("top_level_files"));
    assertEquals(3L, folder.counts().quarantinedByReason().get("UNDECODABLE_IMAGE"));
    assertEquals("/tmp/fs-baseline/in/lm.csv", folder.options().landmarks());
  }

  @Test
  void aFolderWithoutManifestIsNotAPrepareOutput() {
    InputException e = assertThrows(InputException.class, () -> PrepareManifest.read(dir));
    assertEquals(
        dir + ": not a finished 'facesieve prepare' output (no manifest.json)", e.getMessage());
  }

  @Test
  void anUnreadableManifestIsAnInputError() throws Exception {
    Files.writeString(dir.resolve(PrepareManifest.FILE), "{ \"counts\" : [");
    InputException e = assertThrows(InputException.class, () -> PrepareManifest.read(dir));
    assertTrue(e.getMessage().startsWith(dir.resolve("manifest.json") + ": cannot read"));
  }
}
