package dev.facesieve.transforms;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.facesieve.datasets.clean.Calibration;
import dev.facesieve.datasets.clean.ClassSummary;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.clean.DropReason;
import dev.facesieve.datasets.clean.InterClassPolicy;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.Rule;
import org.junit.Test;

/**
 * The sub-class policy and relabelling through the Beam stage: the calibration pass, its side input
 * and the per-class decisions, on hand-built 8-d embeddings (a person is an axis; faces tilt 10°
 * towards axes 5–7).
 */
public class SubclassDecisionsTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static float[] face(int a, int b, double deg) {
    float[] v = new float[8];
    v[a] = (float) Math.cos(Math.toRadians(deg));
    v[b] += (float) Math.sin(Math.toRadians(deg));
    return v;
  }

  /**
   * anna (axis 0, 14 faces + 4 of bob), bob (axis 1, 10), dan (axis 2, 15 + 3 of an unknown):
   * groups are judged in classes of at least 18 faces.
   */
  private static List<FaceEmbedding> faces() {
    List<FaceEmbedding> out = new ArrayList<>();
    for (int i = 0; i < 14; i++) {
      out.add(new FaceEmbedding("anna/" + i, 0, face(0, 5 + i % 3, 10)));
    }
    for (int i = 0; i < 10; i++) {
      out.add(new FaceEmbedding("bob/" + i, 1, face(1, 5 + i % 3, 10)));
    }
    for (int i = 0; i < 4; i++) {
      out.add(new FaceEmbedding("anna/bob" + i, 0, face(1, 5 + i % 3, 10)));
    }
    for (int i = 0; i < 15; i++) {
      out.add(new FaceEmbedding("dan/" + i, 2, face(2, 5 + i % 3, 10)));
    }
    for (int i = 0; i < 3; i++) {
      out.add(new FaceEmbedding("dan/stranger" + i, 2, face(3, 5 + i % 3, 10)));
    }
    return out;
  }

  private static List<SubCentre> centres() {
    return List.of(
        new SubCentre(0, 0, face(0, 5, 0)),
        new SubCentre(0, 1, face(1, 5, 0)),
        new SubCentre(0, 2, face(0, 6, 30)),
        new SubCentre(1, 0, face(1, 5, 0)),
        new SubCentre(1, 1, face(1, 6, 40)),
        new SubCentre(1, 2, face(1, 7, 40)),
        new SubCentre(2, 0, face(2, 5, 0)),
        new SubCentre(2, 1, face(3, 5, 0)),
        new SubCentre(2, 2, face(2, 6, 40)));
  }

  @Test
  public void aBlockOfAnotherClassMovesAndAStrangerIsDropped() {
    // fixed cuts: on orthogonal axes the calibrated ones sit far out, on the faces' own angles
    CleaningPolicy policy =
        CleaningPolicy.defaults()
            .withOtherPersonDeg(45)
            .withThresholdDeg(60)
            .withPersonSpreadDeg(20)
            .withRelabel(true);
    PCollectionTuple out = score(policy, null);
    PAssert.that(
            out.get(ScoreAgainstSubCenters.DECISIONS)
                .apply(
                    "Moves",
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            (Decision d) ->
                                d.id()
                                    + ":"
                                    + (d.relabelled()
                                        ? "->" + d.targetIdentity() + "/" + d.target()
                                        : d.reason() == null ? "kept" : d.reason().name()))))
        .satisfies(
            all -> {
              List<String> moves = new ArrayList<>();
              all.forEach(moves::add);
              assertEquals(46, moves.size());
              for (int i = 0; i < 4; i++) {
                assertTrue(moves.toString(), moves.contains("anna/bob" + i + ":->bob/1"));
              }
              for (int i = 0; i < 3; i++) {
                assertTrue(moves.toString(), moves.contains("dan/stranger" + i + ":OTHER_PERSON"));
              }
              assertEquals(39, moves.stream().filter(m -> m.endsWith(":kept")).count());
              return null;
            });
    // every class a kept face ends in, once per source class: anna keeps her own and sends to bob
    PAssert.that(out.get(ScoreAgainstSubCenters.TARGETS)).containsInAnyOrder(0, 1, 1, 2);
    PAssert.thatSingleton(out.get(ScoreAgainstSubCenters.CALIBRATION))
        .satisfies(
            (Calibration c) -> {
              assertEquals(3, c.evidence().classes());
              // the three people lie on orthogonal axes: the median nearest other class is 90°
              // away, and the group cut halfway between that and one person's split halves
              assertEquals(90, c.cuts().nearestOtherMedianDeg(), 1.5);
              assertEquals(
                  (c.cuts().splitHalfDeg() + c.cuts().nearestOtherMedianDeg()) / 2,
                  c.otherPersonDeg(),
                  0.1);
              return null;
            });
    p.run().waitUntilFinish();
  }

  @Test
  public void aMovedFaceWhosePictureItsNewClassKeepsIsDroppedAsACopy() {
    CleaningPolicy policy =
        CleaningPolicy.defaults()
            .withOtherPersonDeg(45)
            .withThresholdDeg(60)
            .withPersonSpreadDeg(20)
            .withRelabel(true);
    // every face its own digest, but anna/bob0 and anna/bob1 are byte copies of bob/0 and bob/1
    List<KV<Integer, KV<String, String>>> hashes = new ArrayList<>();
    for (FaceEmbedding f : faces()) {
      String sha =
          f.id().startsWith("anna/bob") && f.id().compareTo("anna/bob2") < 0
              ? "sha-bob/" + f.id().substring("anna/bob".length())
              : "sha-" + f.id();
      hashes.add(KV.of(f.label(), KV.of(f.id(), sha)));
    }
    PCollectionTuple out = score(policy, hashes);
    PAssert.that(
            out.get(ScoreAgainstSubCenters.DECISIONS)
                .apply(
                    "Moves",
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            (Decision d) ->
                                d.id()
                                    + ":"
                                    + (d.relabelled()
                                        ? "->" + d.targetIdentity()
                                        : d.reason() == null ? "kept" : d.reason().name()))))
        .satisfies(
            all -> {
              List<String> moves = new ArrayList<>();
              all.forEach(moves::add);
              assertEquals(46, moves.size());
              assertTrue(moves.toString(), moves.contains("anna/bob0:DUPLICATE_IMAGE"));
              assertTrue(moves.toString(), moves.contains("anna/bob1:DUPLICATE_IMAGE"));
              assertTrue(moves.toString(), moves.contains("anna/bob2:->bob"));
              assertTrue(moves.toString(), moves.contains("anna/bob3:->bob"));
              assertTrue(moves.toString(), moves.contains("bob/0:kept"));
              return null;
            });
    // anna's row counts the two copies as dropped, not moved: every face is counted once
    PAssert.that(out.get(ScoreAgainstSubCenters.CLASSES))
        .satisfies(
            rows -> {
              for (ClassSummary c : rows) {
                if (c.label() == 0) {
                  assertEquals(2, c.relabelledOut());
                  assertEquals(2, c.dropped(DropReason.DUPLICATE_IMAGE));
                  assertEquals(14, c.kept());
                  assertEquals(
                      c.samples(),
                      c.kept()
                          + c.relabelledOut()
                          + java.util.Arrays.stream(c.droppedByReason()).sum());
                }
              }
              return null;
            });
    p.run().waitUntilFinish();
  }

  /** The fixture's faces scored by the Beam stage under {@code policy}, with digests if given. */
  private PCollectionTuple score(
      CleaningPolicy policy,
      @javax.annotation.Nullable List<KV<Integer, KV<String, String>>> hashes) {
    PCollectionTuple in =
        PCollectionTuple.of(
                ScoreAgainstSubCenters.EMBEDDINGS,
                p.apply("Embeddings", Create.of(faces()).withCoder(FaceEmbedding.Coder.of())))
            .and(
                ScoreAgainstSubCenters.CENTRES,
                p.apply("Centres", Create.of(centres()).withCoder(SubCentre.Coder.of())))
            .and(
                ScoreAgainstSubCenters.NAMES,
                p.apply(
                    "Names",
                    Create.of(List.of(KV.of(0, "anna"), KV.of(1, "bob"), KV.of(2, "dan")))
                        .withCoder(KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of()))));
    if (hashes != null) {
      in =
          in.and(
              ScoreAgainstSubCenters.HASHES,
              p.apply(
                  "Hashes",
                  Create.of(hashes)
                      .withCoder(
                          KvCoder.of(
                              VarIntCoder.of(),
                              KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of())))));
    }
    return in.apply(
        "Score",
        ScoreAgainstSubCenters.with(policy)
            // the hand-built faces repeat a few vectors: not copies of a picture here
            .withInterClass(InterClassPolicy.defaults().withNearDuplicateDeg(0))
            .withClassBuckets(2));
  }
}
