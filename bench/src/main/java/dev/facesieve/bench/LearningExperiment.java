package dev.facesieve.bench;

import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.input.FacePreparer;
import dev.facesieve.datasets.input.InputPlan;
import dev.facesieve.datasets.input.InputPlanner;
import dev.facesieve.datasets.input.InputShard;
import dev.facesieve.datasets.input.RawFace;
import dev.facesieve.datasets.input.ShardReader;
import dev.facesieve.datasets.input.ShardSink;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.datasets.synth.SyntheticCollection;
import dev.facesieve.model.Margin;
import dev.facesieve.model.ModelDirectory;
import dev.facesieve.model.ModelJson;
import dev.facesieve.model.TrainConfig;
import dev.facesieve.model.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Manual experiment: {@code java -cp ... dev.facesieve.bench.LearningExperiment ids imgs epochs
 * batch lr scale backbone} trains on a synthetic coherent-noise collection and prints the per-epoch
 * metrics and how well the dominant sub-centres separate clean from noisy faces.
 */
public final class LearningExperiment {
  private LearningExperiment() {}

  public static void main(String[] a) throws Exception {
    Path dir = Files.createTempDirectory("learn");
    int ids = Integer.parseInt(a[0]);
    List<FaceRecord> faces =
        prepare(
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
        TrainConfig.builder()
            .setBackbone(a[6])
            .setEmbeddingSize(128)
            .setEpochs(Integer.parseInt(a[2]))
            .setBatchSize(Integer.parseInt(a[3]))
            .setLearningRate(Double.parseDouble(a[4]))
            .setMargin(Margin.arcFace(Double.parseDouble(a[5]), 0.5))
            .setWarmupEpochs(1)
            .setCheckpointEvery(1000)
            .build();
    long t0 = System.nanoTime();
    Path model = dir.resolve("model");
    try (Trainer t = new Trainer(cfg, dir.resolve("prepared"), model, ids, faces.size())) {
      List<Trainer.EpochMetrics> m = t.train(false, info -> {});
      m.forEach(System.out::println);
      System.out.printf("%.1fs%n", (System.nanoTime() - t0) / 1e9);
      ModelDirectory.write(model, cfg, t, Map.of(), ModelJson.Provenance.NONE, m);
    }
    Evaluation.print(model, faces, ids, 3);
  }

  /** The collection prepared into {@code <dir>/prepared/faces/part-0.parquet}, without Beam. */
  static List<FaceRecord> prepare(Path dir, SyntheticCollection.Config c) throws Exception {
    Path raw = dir.resolve("raw");
    SyntheticCollection.generate(c, raw);
    InputPlan plan = InputPlanner.plan(InputPlanner.Spec.of(raw));
    List<FaceRecord> faces = new ArrayList<>();
    FacePreparer prep = new FacePreparer(1 << 20, false);
    ShardReader reader = new ShardReader(plan.identityNames());
    for (InputShard s : plan.shards()) {
      reader.read(
          s,
          new ShardSink() {
            @Override
            public void face(RawFace f) {
              FacePreparer.Outcome o = prep.prepare(f);
              if (o.face() != null) {
                faces.add(o.face());
              }
            }

            @Override
            public void quarantine(QuarantineRecord r) {}
          });
    }
    Path out = dir.resolve("prepared/faces/part-0.parquet");
    Files.createDirectories(out.getParent());
    ParquetFiles.write(out, FaceSchemas.FACE, faces.stream().map(FaceSchemas::toAvro).toList());
    return faces;
  }
}
