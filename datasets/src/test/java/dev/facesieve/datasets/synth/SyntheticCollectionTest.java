package dev.facesieve.datasets.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.input.FacePreparer;
import dev.facesieve.datasets.input.InputPlan;
import dev.facesieve.datasets.input.InputPlanner;
import dev.facesieve.datasets.input.InputShard;
import dev.facesieve.datasets.input.RawFace;
import dev.facesieve.datasets.input.ShardReader;
import dev.facesieve.datasets.input.ShardSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticCollectionTest {
  @TempDir Path dir;

  @Test
  void sameSeedSamePixelsDifferentIdentitiesDiffer() {
    SyntheticFaces a = new SyntheticFaces(7);
    SyntheticFaces b = new SyntheticFaces(7);
    int[] p1 = a.draw(3, 11).image().getRGB(0, 0, 112, 112, null, 0, 112);
    int[] p2 = b.draw(3, 11).image().getRGB(0, 0, 112, 112, null, 0, 112);
    assertArrayEquals(p1, p2);
    assertNotEquals(a.identity(3), a.identity(4));
    float[] lm = a.draw(3, 11).landmarks();
    assertTrue(lm[0] < lm[2], "left eye left of right eye");
    assertTrue(lm[5] > lm[1], "nose below eyes");
  }

  @Test
  void writesBothLayoutsWithGroundTruthThatPrepareReads() throws Exception {
    for (SyntheticCollection.Layout layout : SyntheticCollection.Layout.values()) {
      Path out = dir.resolve(layout.name());
      SyntheticCollection.Config c =
          new SyntheticCollection.Config(
              6, 10, 0.2, 0.1, 0.1, 42, SyntheticCollection.NoiseMode.COHERENT, layout);
      SyntheticCollection.Summary s = SyntheticCollection.generate(c, out);
      assertEquals(60, s.images());
      InputPlan plan = InputPlanner.plan(InputPlanner.Spec.of(out));
      List<FaceRecord> faces = new ArrayList<>();
      List<QuarantineRecord> bad = new ArrayList<>();
      FacePreparer prep = new FacePreparer(1 << 20, false);
      ShardReader reader = new ShardReader(plan.identityNames());
      for (InputShard shard : plan.shards()) {
        reader.read(
            shard,
            new ShardSink() {
              @Override
              public void face(RawFace f) {
                FacePreparer.Outcome o = prep.prepare(f);
                if (o.face() != null) {
                  faces.add(o.face());
                } else {
                  bad.add(o.quarantined());
                }
              }

              @Override
              public void quarantine(QuarantineRecord r) {
                bad.add(r);
              }
            });
      }
      Map<NoiseKind, Long> seen = new EnumMap<>(NoiseKind.class);
      faces.forEach(f -> seen.merge(f.truth(), 1L, Long::sum));
      assertEquals(60, faces.size() + bad.size());
      assertEquals(s.byKind().get(NoiseKind.CORRUPT), (long) bad.size(), layout.name());
      bad.forEach(q -> assertEquals(NoiseKind.CORRUPT, q.truth()));
      assertEquals(s.byKind().get(NoiseKind.CLOSE_SET), seen.get(NoiseKind.CLOSE_SET));
      assertEquals("id_00000", faces.get(0).identity());
      assertTrue(Files.readAllLines(out.resolve("landmarks.csv")).size() == 61);
      // noise never reaches half a class
      Map<Integer, Long> clean = new java.util.HashMap<>();
      faces.stream()
          .filter(f -> f.truth() == NoiseKind.CLEAN)
          .forEach(f -> clean.merge(f.label(), 1L, Long::sum));
      clean.values().forEach(n -> assertTrue(n > 5, "clean majority"));
    }
  }
}
