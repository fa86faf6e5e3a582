package dev.facesieve.transforms;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import dev.facesieve.datasets.clean.ClassScorer;
import dev.facesieve.datasets.clean.ClassSummary;
import dev.facesieve.datasets.clean.CleaningPolicy;
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

public class ScoreAgainstSubCentersTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static float[] at(double deg) {
    return new float[] {
      (float) Math.cos(Math.toRadians(deg)), (float) Math.sin(Math.toRadians(deg))
    };
  }

  private static List<FaceEmbedding> samples() {
    // class 0: sub-centres at 0°, 90°, 180°. Four faces near 0° (dominant), two at 60° (nearest to
    // 90°, within 75° of the dominant), one at 120° (beyond 75°). Class 1: one face.
    return List.of(
        new FaceEmbedding("a", 0, at(5)), new FaceEmbedding("b", 0, at(-10)),
        new FaceEmbedding("c", 0, at(20)), new FaceEmbedding("d", 0, at(0)),
        new FaceEmbedding("e", 0, at(60)), new FaceEmbedding("f", 0, at(70)),
        new FaceEmbedding("g", 0, at(120)), new FaceEmbedding("h", 1, at(45)));
  }

  private static List<SubCentre> centres() {
    return List.of(
        new SubCentre(0, 0, at(0)),
        new SubCentre(0, 1, at(90)),
        new SubCentre(0, 2, at(180)),
        new SubCentre(1, 0, at(45)),
        new SubCentre(1, 1, at(-45)),
        new SubCentre(1, 2, at(135)),
        new SubCentre(2, 0, at(0)),
        new SubCentre(2, 1, at(1)),
        new SubCentre(2, 2, at(2)));
  }

  private PCollectionTuple run(CleaningPolicy policy) {
    return PCollectionTuple.of(
            ScoreAgainstSubCenters.EMBEDDINGS,
            p.apply("Embeddings", Create.of(samples()).withCoder(FaceEmbedding.Coder.of())))
        .and(
            ScoreAgainstSubCenters.CENTRES,
            p.apply("Centres", Create.of(centres()).withCoder(SubCentre.Coder.of())))
        .and(
            ScoreAgainstSubCenters.NAMES,
            p.apply(
                "Names",
                Create.of(List.of(KV.of(0, "zero"), KV.of(1, "one")))
                    .withCoder(KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of()))))
        // two buckets for three classes: classes 0 and 2 share one
        .apply("Score", ScoreAgainstSubCenters.with(policy).withClassBuckets(2));
  }

  @Test
  public void dropPyKeepsWithinThresholdOfTheDominantSubCentre() {
    PCollectionTuple out = run(CleaningPolicy.dropPy());
    PAssert.that(
            out.get(ScoreAgainstSubCenters.DECISIONS)
                .apply(
                    "Fmt",
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            (Decision d) ->
                                d.id()
                                    + ":"
                                    + d.nearest()
                                    + ":"
                                    + d.dominant()
                                    + ":"
                                    + (d.reason() == null ? "kept" : d.reason())
                                    + ":"
                                    + Math.round(d.angleDeg()))))
        .containsInAnyOrder(
            "a:0:0:kept:5",
            "b:0:0:kept:10",
            "c:0:0:kept:20",
            "d:0:0:kept:0",
            "e:1:0:kept:60",
            "f:1:0:kept:70",
            "g:1:0:OUTLIER_ANGLE:120",
            "h:0:0:kept:0");
    PAssert.that(
            out.get(ScoreAgainstSubCenters.CLASSES)
                .apply(
                    "FmtClasses",
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            (ClassSummary c) ->
                                c.label()
                                    + ":"
                                    + c.identity()
                                    + ":"
                                    + c.samples()
                                    + ":"
                                    + c.kept()
                                    + ":"
                                    + c.dropped(
                                        dev.facesieve.datasets.clean.DropReason.OUTLIER_ANGLE)
                                    + ":"
                                    + java.util.Arrays.toString(c.samplesPerSubCenter()))))
        .containsInAnyOrder("0:zero:7:6:1:[4, 3, 0]", "1:one:1:1:0:[1, 0, 0]");
    p.run().waitUntilFinish();
  }

  @Test
  public void strictAlsoDropsNonDominantAndSmallClassesGoWhole() {
    PCollectionTuple out =
        run(CleaningPolicy.of(CleaningPolicy.Kind.STRICT, 75).withMinClassSize(2));
    PAssert.that(
            out.get(ScoreAgainstSubCenters.DECISIONS)
                .apply(
                    "Fmt",
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            (Decision d) ->
                                d.id() + ":" + (d.reason() == null ? "kept" : d.reason()))))
        .containsInAnyOrder(
            "a:kept",
            "b:kept",
            "c:kept",
            "d:kept",
            "e:NON_DOMINANT",
            "f:NON_DOMINANT",
            "g:OUTLIER_ANGLE",
            "h:SMALL_CLASS");
    p.run().waitUntilFinish();
  }

  @Test
  public void dominantTiesGoToTheLowestIndex() {
    ClassScorer.Scores s =
        ClassScorer.score(new float[][] {at(0), at(90)}, new float[][] {at(90), at(0)});
    assertEquals(0, s.dominant());
    assertArrayEquals(new int[] {1, 1}, s.countPerSubCentre());
  }
}
