package dev.facesieve.model;

import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.synth.SyntheticCollection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Manual experiment: java -cp ... LearningExperiment ids imgs epochs batch lr scale backbone. */
public final class LearningExperiment {
  public static void main(String[] a) throws Exception {
    Path dir = Files.createTempDirectory("learn");
    int ids = Integer.parseInt(a[0]);
    List<FaceRecord> faces =
        SyntheticFixture.prepare(
            dir,
            new SyntheticCollection.Config(
                ids,
                Integer.parseInt(a[1]),
                0.15,
                0.15,
                0,
                5,
                SyntheticCollection.NoiseMode.COHERENT,
                SyntheticCollection.Layout.FOLDER));
    TrainConfig cfg =
        TrainConfig.defaults()
            .withBackbone(a[6])
            .withEmbeddingSize(128)
            .withEpochs(Integer.parseInt(a[2]))
            .withBatchSize(Integer.parseInt(a[3]))
            .withLearningRate(Double.parseDouble(a[4]))
            .withMargin(Margin.arcFace(Double.parseDouble(a[5]), 0.5))
            .withWarmupEpochs(1);
    long t0 = System.nanoTime();
    try (Trainer t =
        new Trainer(cfg, dir.resolve("prepared"), dir.resolve("model"), ids, faces.size())) {
      List<Trainer.EpochMetrics> m =
          t.train(
              false,
              new Trainer.Listener() {
                @Override
                public void onStep(Trainer.StepInfo i) {}
              });
      m.forEach(System.out::println);
      System.out.printf("%.1fs%n", (System.nanoTime() - t0) / 1e9);
      Evaluation.print(t, faces, ids, 3);
    }
  }
}
