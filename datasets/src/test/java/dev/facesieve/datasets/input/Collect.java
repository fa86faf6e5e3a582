package dev.facesieve.datasets.input;

import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.QuarantineRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads and prepares every shard of a plan in the test thread, collecting the outcomes. */
final class Collect implements ShardSink {
  final List<RawFace> raw = new ArrayList<>();
  final List<FaceRecord> faces = new ArrayList<>();
  final List<QuarantineRecord> quarantined = new ArrayList<>();
  long metadata;

  static Collect all(InputPlan plan, long maxPixels) throws IOException {
    Collect c = new Collect();
    ShardReader reader = new ShardReader(plan.identityNames());
    for (InputShard s : plan.shards()) {
      reader.read(s, c);
    }
    FacePreparer p = new FacePreparer(maxPixels, false);
    for (RawFace r : c.raw) {
      FacePreparer.Outcome o = p.prepare(r);
      if (o.face() != null) {
        c.faces.add(o.face());
      } else {
        c.quarantined.add(o.quarantined());
      }
    }
    return c;
  }

  static Collect all(InputPlan plan) throws IOException {
    return all(plan, 1L << 24);
  }

  @Override
  public void face(RawFace face) {
    raw.add(face);
  }

  @Override
  public void quarantine(QuarantineRecord record) {
    quarantined.add(record);
  }

  @Override
  public void metadata(long key) {
    metadata++;
  }

  Map<String, Long> reasons() {
    Map<String, Long> m = new java.util.TreeMap<>();
    quarantined.forEach(q -> m.merge(q.reason().name(), 1L, Long::sum));
    return m;
  }
}
