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

  /**
   * Moves a face counted by {@link #addFace} to the quarantine: its id was repeated and it was set
   * aside when the faces were grouped by id. Its ground truth stays counted (once); {@code aligned}
   * keeps counting it, as the face record no longer tells whether it was warped.
   */
  public void addRepeat(QuarantineRecord q) {
    prepared--;
    if (q.label() != null) {
      imagesPerLabel.merge(q.label(), -1L, Long::sum);
    }
    quarantinedByReason.merge(q.reason().name(), 1L, Long::sum);
  }

  /** Forgets labels left without images by {@link #addRepeat}, once every count is merged. */
  public PrepareStats dropEmptyLabels() {
    imagesPerLabel.values().removeIf(n -> n <= 0);
    identities.keySet().retainAll(imagesPerLabel.keySet());
    return this;
  }

  public long quarantined() {
    return quarantinedByReason.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Records read: every input record, prepared, quarantined or (RecordIO) a metadata record; for
   * RecordIO every line of the {@code .idx} file.
   */
  public long read() {
    return prepared + quarantined() + metadataRecords;
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
