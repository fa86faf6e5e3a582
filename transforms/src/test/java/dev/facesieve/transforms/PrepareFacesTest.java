package dev.facesieve.transforms;

import static org.junit.Assert.assertEquals;

import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.image.Images;
import dev.facesieve.datasets.input.InputPlan;
import dev.facesieve.datasets.input.InputPlanner;
import dev.facesieve.datasets.input.PrepareStats;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class PrepareFacesTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void checksEveryRecordAndCountsReconcile() throws Exception {
    Path root = tmp.getRoot().toPath().resolve("in");
    Files.createDirectories(root.resolve("ann"));
    Files.createDirectories(root.resolve("bob"));
    byte[] good = Images.jpeg(new BufferedImage(112, 112, BufferedImage.TYPE_INT_RGB), 0.9f);
    Files.write(root.resolve("ann/1.jpg"), good);
    Files.write(root.resolve("ann/2.jpg"), new byte[] {9, 9, 9});
    Files.write(root.resolve("bob/1.jpg"), good);
    Files.write(root.resolve("bob/2.png"), new byte[0]);
    Files.write(root.resolve("bob/3.jpg"), good);
    InputPlan plan =
        InputPlanner.plan(InputPlanner.Spec.builder().setInput(root).setShardSize(2).build());
    assertEquals(3L, plan.shards().size());

    PCollectionTuple out =
        p.apply("Shards", Create.of(plan.shards()).withCoder(FaceCoders.shards()))
            .apply("Prepare", PrepareFaces.create().withIdentityNames(plan.identityNames()));
    PCollection<FaceRecord> faces = out.get(PrepareFaces.FACES);
    PCollection<QuarantineRecord> bad = out.get(PrepareFaces.QUARANTINED);
    PAssert.that(
            faces.apply(
                "Ids",
                MapElements.into(TypeDescriptors.strings())
                    .via((FaceRecord f) -> f.id() + ":" + f.label() + ":" + f.identity())))
        .containsInAnyOrder("ann/1.jpg:0:ann", "bob/1.jpg:1:bob", "bob/3.jpg:1:bob");
    PAssert.that(
            bad.apply(
                "Reasons",
                MapElements.into(TypeDescriptors.strings())
                    .via((QuarantineRecord q) -> q.id() + ":" + q.reason())))
        .containsInAnyOrder("ann/2.jpg:UNDECODABLE_IMAGE", "bob/2.png:EMPTY_IMAGE");
    PAssert.thatSingleton(faces.apply("CountFaces", Count.globally())).isEqualTo(3L);
    PAssert.thatSingleton(out.get(PrepareFaces.STATS))
        .satisfies(
            (PrepareStats s) -> {
              assertEquals(5L, s.read());
              assertEquals(3L, s.prepared);
              assertEquals(
                  Map.of("EMPTY_IMAGE", 1L, "UNDECODABLE_IMAGE", 1L), s.quarantinedByReason);
              assertEquals(Map.of(0, 1L, 1, 2L), s.imagesPerLabel);
              return null;
            });
    p.run().waitUntilFinish();
  }

  /** The true identity a truth file names reaches the prepared faces through the pipeline. */
  @Test
  public void truthFileTrueIdentityReachesPreparedFaces() throws Exception {
    Path root = tmp.getRoot().toPath().resolve("in");
    Files.createDirectories(root.resolve("ann"));
    Files.createDirectories(root.resolve("bob"));
    byte[] good = Images.jpeg(new BufferedImage(112, 112, BufferedImage.TYPE_INT_RGB), 0.9f);
    Files.write(root.resolve("ann/1.jpg"), good);
    Files.write(root.resolve("ann/noise_0_1.jpg"), good);
    Files.write(root.resolve("bob/1.jpg"), good);
    Files.writeString(
        root.resolve("truth.csv"),
        "id,label,identity,truth,true_identity\n"
            + "ann/1.jpg,0,ann,clean,ann\n"
            + "ann/noise_0_1.jpg,0,ann,close_set,bob\n"
            + "bob/1.jpg,1,bob,clean,bob\n");
    InputPlan plan =
        InputPlanner.plan(InputPlanner.Spec.builder().setInput(root).setShardSize(2).build());
    PCollection<FaceRecord> faces =
        p.apply("Shards", Create.of(plan.shards()).withCoder(FaceCoders.shards()))
            .apply("Prepare", PrepareFaces.create().withIdentityNames(plan.identityNames()))
            .get(PrepareFaces.FACES);
    PAssert.that(
            faces.apply(
                "Truth",
                MapElements.into(TypeDescriptors.strings())
                    .via(
                        (FaceRecord f) ->
                            f.id()
                                + ":"
                                + f.identity()
                                + ":"
                                + f.truth()
                                + ":"
                                + f.trueIdentity())))
        .containsInAnyOrder(
            "ann/1.jpg:ann:CLEAN:ann",
            "ann/noise_0_1.jpg:ann:CLOSE_SET:bob",
            "bob/1.jpg:bob:CLEAN:bob");
    p.run().waitUntilFinish();
  }

  /** Runners share one (deserialised) coder between threads; it must initialise safely. */
  @Test
  public void deserialisedCoderIsThreadSafe() throws Exception {
    for (int round = 0; round < 20; round++) {
      org.apache.beam.sdk.coders.Coder<FaceRecord> coder =
          org.apache.beam.sdk.util.SerializableUtils.clone(FaceCoders.faces());
      FaceRecord f =
          new FaceRecord(
              "x" + round,
              1,
              "y",
              new byte[] {1},
              "jpeg",
              1,
              1,
              "h",
              new dev.facesieve.datasets.SourceRef("f", 0),
              null,
              null,
              null,
              null);
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(8);
      java.util.List<java.util.concurrent.Future<FaceRecord>> results = new java.util.ArrayList<>();
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      for (int t = 0; t < 8; t++) {
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
                  coder.encode(f, b);
                  return coder.decode(new java.io.ByteArrayInputStream(b.toByteArray()));
                }));
      }
      go.countDown();
      for (java.util.concurrent.Future<FaceRecord> r : results) {
        assertEquals(f, r.get());
      }
      pool.shutdown();
    }
  }

  @Test
  public void codersRoundTripRecords() throws Exception {
    byte[] img = {1, 2, 3};
    FaceRecord f =
        new FaceRecord(
            "a",
            3,
            "x",
            img,
            "jpeg",
            1,
            2,
            "h",
            new dev.facesieve.datasets.SourceRef("f", 7),
            new float[10],
            dev.facesieve.datasets.NoiseKind.OPEN_SET,
            "someone else",
            null);
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    FaceCoders.faces().encode(f, b);
    assertEquals(f, FaceCoders.faces().decode(new java.io.ByteArrayInputStream(b.toByteArray())));
  }
}
