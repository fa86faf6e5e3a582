package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.QuarantineReason;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.align.FaceAligner;
import dev.facesieve.datasets.image.Images;
import dev.facesieve.datasets.synth.SyntheticFaces;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files from outside met at the command line (issue 18, items 17, 19, 20, 25, 26): identity names
 * that break or attack CSV files, truncated and CMYK JPEGs, WebP and TIFF, absurd landmarks.
 */
class UntrustedFilesCommandLineTest {
  @TempDir Path dir;

  private static final SyntheticFaces FACES = new SyntheticFaces(18);

  private static byte[] face(int identity, int i) {
    return Images.jpeg(FACES.draw(identity, i).image(), 0.9f);
  }

  private static Map<String, QuarantineRecord> quarantinedById(Path prepared) throws Exception {
    Map<String, QuarantineRecord> out = new TreeMap<>();
    for (QuarantineRecord q : PrepareJobTest.quarantined(prepared)) {
      out.put(q.id(), q);
    }
    return out;
  }

  private static Map<String, FaceRecord> facesById(Path prepared) throws Exception {
    Map<String, FaceRecord> out = new TreeMap<>();
    for (FaceRecord f : PrepareJobTest.faces(prepared)) {
      out.put(f.id(), f);
    }
    return out;
  }

  /**
   * Items 17 and 26: {@code inject} writes identities holding a comma or starting like a formula
   * into {@code truth.csv} so that a spreadsheet shows them as text, and {@code prepare} reads the
   * file back with every record's truth.
   */
  @Test
  void injectThenPrepareWithCommasAndFormulasInIdentities() throws Exception {
    Path src = dir.resolve("src");
    List<String> names =
        List.of("Bush, George W", "=HYPERLINK(\"x\")", "-2+3", "@SUM(A1)", "plain");
    for (int id = 0; id < names.size(); id++) {
      Path d = Files.createDirectories(src.resolve(names.get(id)));
      for (int i = 0; i < 6; i++) {
        Files.write(d.resolve(String.format(Locale.ROOT, "%02d.jpg", i)), face(id, i));
      }
    }
    Path noisy = dir.resolve("noisy");
    CommandLineTest.Result r =
        CommandLineTest.run(
            "inject",
            "--input",
            src.toString(),
            "--output",
            noisy.toString(),
            "--close-set-noise",
            "0.2",
            "--open-set-noise",
            "0",
            "--seed",
            "3");
    assertEquals(0, r.code(), r.err());
    String truth = Files.readString(noisy.resolve("truth.csv"), StandardCharsets.UTF_8);
    // no cell (quoted or not) starts with a formula character
    Pattern formula = Pattern.compile("(^|,)\"?[=+\\-@]", Pattern.MULTILINE);
    assertFalse(formula.matcher(truth).find(), truth);
    assertTrue(truth.contains("\"Bush, George W\""), truth);

    Path prepared = dir.resolve("prepared");
    r =
        CommandLineTest.run(
            "prepare", "--input", noisy.toString(), "--output", prepared.toString());
    assertEquals(0, r.code(), r.err());
    Map<String, FaceRecord> faces = facesById(prepared);
    long files = truth.lines().count() - 1;
    assertEquals(files, faces.size());
    Set<String> identities = new TreeSet<>();
    for (FaceRecord f : faces.values()) {
      assertNotNull(f.truth(), "truth of " + f.id() + " read back from truth.csv");
      assertNotNull(f.trueIdentity(), "true identity of " + f.id() + " read back from truth.csv");
      assertEquals(
          f.truth() == NoiseKind.CLEAN,
          f.identity().equals(f.trueIdentity()),
          f.id() + " shows " + f.trueIdentity());
      identities.add(f.identity());
    }
    assertEquals(new TreeSet<>(names), identities);
    assertTrue(faces.containsKey("=HYPERLINK(\"x\")/00.jpg"), faces.keySet().toString());
    assertTrue(faces.values().stream().anyMatch(f -> f.truth().isNoise()), "noise truth read");
  }

  /**
   * A CMYK JPEG as Photoshop writes it: four inverted channels and an Adobe APP14 segment with
   * transform 0, made from raw bytes. Left half 50% black, right half C10 M40 Y50 K0.
   */
  static byte[] cmykJpeg() throws Exception {
    WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 64, 64, 4, null);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        r.setPixel(x, y, x < 32 ? new int[] {255, 255, 255, 127} : new int[] {230, 153, 128, 255});
      }
    }
    ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream os = new MemoryCacheImageOutputStream(out)) {
      w.setOutput(os);
      w.write(null, new IIOImage(r, null, null), null);
    } finally {
      w.dispose();
    }
    byte[] b = out.toByteArray();
    byte[] app14 = {
      (byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0
    };
    byte[] cmyk = new byte[b.length + app14.length];
    System.arraycopy(b, 0, cmyk, 0, 2);
    System.arraycopy(app14, 0, cmyk, 2, app14.length);
    System.arraycopy(b, 2, cmyk, 2 + app14.length, b.length - 2);
    return cmyk;
  }

  private static void assertColour(int expected, int actual, String what) {
    for (int shift = 0; shift <= 16; shift += 8) {
      int e = (expected >> shift) & 0xff;
      int a = (actual >> shift) & 0xff;
      assertTrue(
          Math.abs(e - a) <= 12,
          String.format(Locale.ROOT, "%s: expected ~%06x, got %06x", what, expected, actual));
    }
  }

  /**
   * Items 19 and 20: truncated JPEGs are quarantined, not prepared as grey-filled faces; a CMYK
   * JPEG keeps its colours; WebP and TIFF are read; a GIF is quarantined rather than skipped.
   */
  @Test
  void prepareQuarantinesTruncatedJpegsAndReadsCmykWebpTiff() throws Exception {
    Path in = dir.resolve("in");
    Path a = Files.createDirectories(in.resolve("a"));
    Path b = Files.createDirectories(in.resolve("b"));
    Path c = Files.createDirectories(in.resolve("c"));
    for (int i = 0; i < 3; i++) {
      Files.write(a.resolve("ok" + i + ".jpg"), face(0, i));
      Files.write(b.resolve("ok" + i + ".jpg"), face(1, i));
      Files.write(c.resolve("ok" + i + ".jpg"), face(2, i));
    }
    byte[] whole = face(0, 9);
    for (int pct : new int[] {25, 50, 75, 98}) {
      Files.write(a.resolve("cut" + pct + ".jpg"), Arrays.copyOf(whole, whole.length * pct / 100));
    }
    Files.write(b.resolve("cmyk.jpg"), cmykJpeg());
    try (InputStream webp = getClass().getResourceAsStream("/images/face.webp")) {
      Files.write(b.resolve("face.webp"), webp.readAllBytes());
    }
    BufferedImage tiffFace = FACES.draw(1, 7).image();
    assertTrue(ImageIO.write(tiffFace, "tiff", b.resolve("face.tif").toFile()));
    assertTrue(ImageIO.write(FACES.draw(2, 7).image(), "gif", c.resolve("face.gif").toFile()));
    Files.writeString(c.resolve("notes.txt"), "not an image");

    Path prepared = dir.resolve("prepared");
    CommandLineTest.Result r =
        CommandLineTest.run("prepare", "--input", in.toString(), "--output", prepared.toString());
    assertEquals(0, r.code(), r.err());
    Map<String, FaceRecord> faces = facesById(prepared);
    Map<String, QuarantineRecord> bad = quarantinedById(prepared);
    for (int pct : new int[] {25, 50, 75, 98}) {
      String id = "a/cut" + pct + ".jpg";
      assertFalse(faces.containsKey(id), id + " must not reach faces/");
      assertEquals(QuarantineReason.UNDECODABLE_IMAGE, bad.get(id).reason(), id);
    }
    assertEquals(QuarantineReason.UNDECODABLE_IMAGE, bad.get("c/face.gif").reason());
    assertEquals(5, bad.size(), bad.keySet().toString());

    FaceRecord cmyk = faces.get("b/cmyk.jpg");
    assertNotNull(cmyk, faces.keySet().toString());
    BufferedImage img = Images.decode(cmyk.image(), 1 << 20).image();
    assertColour(0x7f7f7f, img.getRGB(10, 10), "50% black");
    assertColour(0xe69980, img.getRGB(50, 10), "C10 M40 Y50");

    assertEquals("webp", faces.get("b/face.webp").format());
    assertEquals(112, faces.get("b/face.webp").width());
    FaceRecord tif = faces.get("b/face.tif");
    assertEquals("tiff", tif.format());
    assertEquals(
        tiffFace.getRGB(56, 56), Images.decode(tif.image(), 1 << 20).image().getRGB(56, 56));
    assertEquals(
        Set.of(
            "a/ok0.jpg",
            "a/ok1.jpg",
            "a/ok2.jpg",
            "b/ok0.jpg",
            "b/ok1.jpg",
            "b/ok2.jpg",
            "b/cmyk.jpg",
            "b/face.webp",
            "b/face.tif",
            "c/ok0.jpg",
            "c/ok1.jpg",
            "c/ok2.jpg"),
        faces.keySet());
  }

  /** 160×160 faces with landmarks; record {@code a/0.jpg} gets {@code bad} instead of its own. */
  private Path landmarkInput(String bad) throws Exception {
    Path in = dir.resolve("lm-in");
    StringBuilder csv = new StringBuilder("id,x1,y1,x2,y2,x3,y3,x4,y4,x5,y5\n");
    for (String who : List.of("a", "b")) {
      Path d = Files.createDirectories(in.resolve(who));
      for (int i = 0; i < 3; i++) {
        SyntheticFaces.Drawn f = FACES.draw(who.equals("a") ? 0 : 1, i);
        Files.write(d.resolve(i + ".jpg"), Images.jpeg(Images.resize(f.image(), 160, 160), 0.9f));
        String id = who + "/" + i + ".jpg";
        csv.append(id);
        if (id.equals("a/0.jpg")) {
          csv.append(',').append(bad);
        } else {
          for (float v : f.landmarks()) {
            csv.append(',').append(String.format(Locale.ROOT, "%.2f", v * 160f / 112f));
          }
        }
        csv.append('\n');
      }
    }
    Files.writeString(in.resolve("landmarks.csv"), csv);
    return in;
  }

  private Path prepareWithLandmarks(Path in) throws Exception {
    Path prepared = dir.resolve("lm-prepared");
    CommandLineTest.Result r =
        CommandLineTest.run(
            "prepare",
            "--input",
            in.toString(),
            "--output",
            prepared.toString(),
            "--landmarks",
            in.resolve("landmarks.csv").toString(),
            "--align");
    assertEquals(0, r.code(), r.err());
    return prepared;
  }

  /** Item 25: {@code nan} landmarks quarantine their record instead of refusing the whole run. */
  @Test
  void nanLandmarksQuarantineTheirRecord() throws Exception {
    Path prepared = prepareWithLandmarks(landmarkInput("nan,nan,60,50,80,80,60,100,90,100"));
    Map<String, QuarantineRecord> bad = quarantinedById(prepared);
    assertEquals(Set.of("a/0.jpg"), bad.keySet());
    assertEquals(QuarantineReason.BAD_LANDMARKS, bad.get("a/0.jpg").reason());
    Map<String, FaceRecord> faces = facesById(prepared);
    assertEquals(5, faces.size());
    assertTrue(faces.values().stream().allMatch(f -> f.width() == FaceAligner.SIZE));
  }

  /** Item 25: landmarks far outside the image would give a blank face: quarantined. */
  @Test
  void landmarksOutsideTheImageQuarantineTheirRecord() throws Exception {
    Path prepared =
        prepareWithLandmarks(landmarkInput("5000,5000,-5000,5000,0,-5000,5000,-5000,-5000,-5000"));
    Map<String, QuarantineRecord> bad = quarantinedById(prepared);
    assertEquals(Set.of("a/0.jpg"), bad.keySet(), facesById(prepared).keySet().toString());
    QuarantineRecord q = bad.get("a/0.jpg");
    assertEquals(QuarantineReason.BAD_LANDMARKS, q.reason());
    assertTrue(q.message().contains("outside"), q.message());
    assertEquals(
        5,
        facesById(prepared).values().stream()
            .map(FaceRecord::id)
            .collect(Collectors.toSet())
            .size());
  }
}
