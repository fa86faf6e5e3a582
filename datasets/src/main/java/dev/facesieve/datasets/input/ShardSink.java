package dev.facesieve.datasets.input;

import dev.facesieve.datasets.QuarantineRecord;

/** Receives what a shard holds: images to check, records that are already known to be bad. */
public interface ShardSink {
  /** An image record to decode and check. */
  void face(RawFace face);

  /** A record that cannot be used, with its reason. */
  void quarantine(QuarantineRecord record);

  /**
   * A RecordIO metadata record (InsightFace's record 0 or a per-identity range record), which is
   * not an image and is not counted as input.
   */
  default void metadata(long key) {}
}
