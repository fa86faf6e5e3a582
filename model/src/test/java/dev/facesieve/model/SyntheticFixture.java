package dev.facesieve.model;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A synthetic noisy collection prepared into {@code <dir>/faces/part-0.parquet}, without Beam. */
final class SyntheticFixture {
  private SyntheticFixture() {}

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
