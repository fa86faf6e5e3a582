package dev.facesieve.datasets.input;

import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.contract.PrepareManifest;
import java.io.Serializable;
import java.util.TreeMap;

/**
 * Counts of a {@code prepare} run, mergeable across workers: records prepared and quarantined (by
 * reason), images per label, label → identity, ground-truth kinds, aligned images and RecordIO
 * metadata records seen.
 */
public final class PrepareStats implements Serializable {
  public long prepared;
  public long aligned;
  public long metadataRecords;
  public final TreeMap<String, Long> quarantinedByReason = new TreeMap<>();
  public final TreeMap<Integer, Long> imagesPerLabel = new TreeMap<>();
  public final TreeMap<Integer, String> identities = new TreeMap<>();
  public final TreeMap<String, Long> truth = new TreeMap<>();

  public void addFace(FaceRecord f, boolean wasAligned) {
    prepared++;
    if (wasAligned) {
      aligned++;
    }
    imagesPerLabel.merge(f.label(), 1L, Long::sum);
    identities.putIfAbsent(f.label(), f.identity());
    if (f.truth() != null) {
      truth.merge(f.truth().wireName(), 1L, Long::sum);
    }
  }

  public void addQuarantined(QuarantineRecord q) {
    quarantinedByReason.merge(q.reason().name(), 1L, Long::sum);
    if (q.truth() != null) {
      truth.merge(q.truth().wireName(), 1L, Long::sum);
    }
  }

  public long quarantined() {
    return quarantinedByReason.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Records read: every image record, whether prepared or quarantined. */
  public long read() {
    return prepared + quarantined();
  }

  public PrepareStats merge(PrepareStats o) {
    prepared += o.prepared;
    aligned += o.aligned;
    metadataRecords += o.metadataRecords;
    o.quarantinedByReason.forEach((k, v) -> quarantinedByReason.merge(k, v, Long::sum));
    o.imagesPerLabel.forEach((k, v) -> imagesPerLabel.merge(k, v, Long::sum));
    o.identities.forEach(identities::putIfAbsent);
    o.truth.forEach((k, v) -> truth.merge(k, v, Long::sum));
    return this;
  }

  /** The counts as {@code manifest.json} has them. */
  public PrepareManifest.Counts counts() {
    return new PrepareManifest.Counts(
        aligned,
        metadataRecords,
        prepared,
        quarantined(),
        new TreeMap<>(quarantinedByReason),
        read(),
        new TreeMap<>(truth));
  }
}
