package dev.facesieve.datasets.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Noise injection into identity folders, some of which hold no image. */
class NoiseInjectorTest {
  @TempDir Path dir;

  private Path identity(String name, int images) throws Exception {
    Path d = Files.createDirectories(dir.resolve("in").resolve(name));
    for (int i = 0; i < images; i++) {
      Files.write(d.resolve(name + "_" + i + ".jpg"), TestImages.jpeg(name.hashCode() + i));
    }
    return d;
  }

  @Test
  void foldersWithoutImagesAreNotIdentities() throws Exception {
    for (String n : new String[] {"a", "b", "c", "d"}) {
      identity(n, 6);
    }
    identity("empty", 0);
    // a name with a slash in the source became nested folders: images one level too deep
    Files.write(
        Files.createDirectories(dir.resolve("in/nested/deeper")).resolve("x.jpg"),
        TestImages.jpeg(9));
    Path out = dir.resolve("out");
    Map<NoiseKind, Long> counts =
        NoiseInjector.inject(
            dir.resolve("in"),
            out,
            new NoiseInjector.Config(0.2, 0, 0, SyntheticCollection.NoiseMode.COHERENT, 3));
    assertEquals(24L, counts.get(NoiseKind.CLEAN));
    assertTrue(counts.get(NoiseKind.CLOSE_SET) > 0, counts.toString());
    assertFalse(Files.exists(out.resolve("empty")));
    assertFalse(Files.exists(out.resolve("nested")));
    assertFalse(Files.readString(out.resolve("truth.csv")).contains("empty"));
  }

  @Test
  void fewerThanThreeIdentitiesWithImagesIsOneClearError() throws Exception {
    identity("a", 3);
    identity("b", 3);
    identity("empty", 0);
    InputException e =
        assertThrows(
            InputException.class,
            () ->
                NoiseInjector.inject(
                    dir.resolve("in"),
                    dir.resolve("out"),
                    new NoiseInjector.Config(
                        0.2, 0, 0, SyntheticCollection.NoiseMode.COHERENT, 3)));
    assertTrue(e.getMessage().contains("at least 3 identity folders with images"), e.getMessage());
  }
}
