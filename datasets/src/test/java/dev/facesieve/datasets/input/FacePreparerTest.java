package dev.facesieve.datasets.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.SourceRef;
import dev.facesieve.datasets.TestImages;
import dev.facesieve.datasets.align.FaceAligner;
import dev.facesieve.datasets.image.Images;
import dev.facesieve.datasets.io.LocalFiles;
import org.junit.jupiter.api.Test;

class FacePreparerTest {
  private static final float[] LM = {80, 100, 160, 100, 120, 140, 90, 180, 150, 180};

  @Test
  void alignsLargeImagesWithLandmarksAndKeepsAlignedOnesUntouched() throws Exception {
    FacePreparer p = new FacePreparer(1 << 24, true);
    byte[] big = TestImages.png(250, 250);
    FacePreparer.Outcome o =
        p.prepare(
            new RawFace(
                "a", 1, "x", big, new SourceRef("a", -1), LM, NoiseKind.CLOSE_SET, "y", "b"));
    assertTrue(o.aligned());
    assertEquals(NoiseKind.CLOSE_SET, o.face().truth(), "ground truth survives alignment");
    assertEquals("y", o.face().trueIdentity(), "true identity survives alignment");
    assertEquals("b", o.face().trueDuplicateOf(), "the copied face survives alignment");
    assertEquals(112, o.face().width());
    assertEquals("jpeg", o.face().format());
    assertEquals(LocalFiles.sha256(o.face().image()), o.face().sha256());
    assertNull(o.face().landmarks());
    assertEquals(112, Images.decode(o.face().image(), 1 << 20).width());

    byte[] small = TestImages.jpeg(5);
    o =
        p.prepare(
            new RawFace(
                "b",
                1,
                "x",
                small,
                new SourceRef("b", -1),
                FaceAligner.ARCFACE_TEMPLATE,
                null,
                null,
                null));
    assertFalse(o.aligned());
    assertArrayEquals(small, o.face().image());

    o =
        new FacePreparer(1 << 24, false)
            .prepare(new RawFace("c", 1, "x", big, new SourceRef("c", -1), LM, null, null, null));
    assertFalse(o.aligned());
    assertArrayEquals(big, o.face().image());
  }

  @Test
  void degenerateLandmarksAreQuarantined() {
    FacePreparer.Outcome o =
        new FacePreparer(1 << 24, true)
            .prepare(
                new RawFace(
                    "d",
                    0,
                    "x",
                    TestImages.png(200, 200),
                    new SourceRef("d", -1),
                    new float[10],
                    null,
                    null,
                    null));
    assertEquals("BAD_LANDMARKS", o.quarantined().reason().name());
  }

  /** Issue 18, item 25: non-finite or far-away landmarks quarantine the record, aligned or not. */
  @Test
  void nanAndFarAwayLandmarksAreQuarantinedWithOrWithoutAlignment() {
    float[] nan = LM.clone();
    nan[3] = Float.NaN;
    float[] far = {5000, 5000, -5000, 5000, 0, -5000, 5000, -5000, -5000, -5000};
    float[] nearBorder = {-10, 100, 160, 100, 120, 140, 90, 260, 150, 180};
    for (boolean align : new boolean[] {true, false}) {
      FacePreparer p = new FacePreparer(1 << 24, align);
      for (float[] lm : new float[][] {nan, far}) {
        FacePreparer.Outcome o =
            p.prepare(
                new RawFace(
                    "e",
                    0,
                    "x",
                    TestImages.png(250, 250),
                    new SourceRef("e", -1),
                    lm,
                    null,
                    null,
                    null));
        assertNull(o.face());
        assertEquals("BAD_LANDMARKS", o.quarantined().reason().name());
      }
      FacePreparer.Outcome ok =
          p.prepare(
              new RawFace(
                  "f",
                  0,
                  "x",
                  TestImages.png(250, 250),
                  new SourceRef("f", -1),
                  nearBorder,
                  null,
                  null,
                  null));
      assertNull(ok.quarantined(), "within the margin: " + ok);
    }
  }

  /** Issue 29: a WebP with a VP8X header and no image chunk is not prepared as a black face. */
  @Test
  void aHeaderOnlyWebpIsQuarantinedUndecodable() {
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(30).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(22);
    b.put("WEBPVP8X".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(10);
    b.putInt(0).put(new byte[] {99, 0, 0, 99, 0, 0}); // no flags, a 100x100 canvas
    for (boolean align : new boolean[] {true, false}) {
      FacePreparer.Outcome o =
          new FacePreparer(1 << 24, align)
              .prepare(
                  new RawFace(
                      "w", 0, "x", b.array(), new SourceRef("w.webp", -1), null, null, null, null));
      assertNull(o.face(), "prepared: " + o.face());
      assertEquals("UNDECODABLE_IMAGE", o.quarantined().reason().name());
    }
  }
}
