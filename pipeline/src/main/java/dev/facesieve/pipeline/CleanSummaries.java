package dev.facesieve.pipeline;

import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.clean.Calibration;
import dev.facesieve.datasets.clean.ClassSummary;
import dev.facesieve.datasets.clean.CleanCounts;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.clean.DetectionMetrics;
import dev.facesieve.datasets.clean.DropReason;
import dev.facesieve.datasets.clean.InterClassPolicy;
import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.datasets.contract.InterClassFiles;
import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.model.ModelInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.annotation.Nullable;
import org.apache.avro.generic.GenericRecord;

/**
 * Builds a clean run's {@link CleanSummary} and checks that its counts reconcile.
 *
 * <p>Face-level numbers come from the {@link CleanCounts} the pipeline tallied as it wrote the
 * decisions, so no face is read again here; the check compares them with the row counts in the
 * Parquet footers of {@code kept/} and {@code dropped/} (metadata only), with the per-class rows of
 * {@code classes.parquet} and with what prepare read and quarantined. A mismatch fails the run.
 */
final class CleanSummaries {
  private CleanSummaries() {}

  static CleanSummary build(
      CleanJob.Settings s,
      ModelInfo model,
      @Nullable String modelDataFingerprint,
      PrepareManifest manifest,
      Path staging,
      CleanCounts counts,
      Calibration calibration,
      boolean embeddingsReused,
      long facesEmbedded,
      int testIdentities)
      throws IOException {
    PrepareManifest.Counts prepared = manifest.counts();
    // image records read: prepare's read also counts RecordIO metadata records
    long images = prepared.read() - prepared.metadataRecords();
    long keptRows = rows(staging.resolve("kept"));
    long droppedRows = rows(staging.resolve("dropped"));
    Map<String, Long> byReason = new TreeMap<>();
    for (DropReason r : DropReason.values()) {
      byReason.put(r.name(), counts.dropped(r));
    }
    long classKept = 0;
    long classMovedOut = 0;
    long[] classDropped = new long[DropReason.values().length];
    int classesBefore = 0;
    java.util.Set<Integer> newLabels = new java.util.HashSet<>();
    java.util.Set<Integer> groups = new java.util.HashSet<>();
    int classesInGroups = 0;
    int testOverlapClasses = 0;
    for (GenericRecord c : ParquetFiles.readAll(staging.resolve("classes.parquet"))) {
      ClassSummary row = ClassSummary.fromAvro(c);
      classesBefore++;
      // a class keeps faces when it has a new label: its own, or faces moved in by relabelling;
      // the classes of a merged group share one
      int newLabel = (Integer) c.get("new_label");
      if (newLabel >= 0) {
        newLabels.add(newLabel);
      }
      classKept += row.kept();
      for (DropReason r : DropReason.values()) {
        classDropped[r.ordinal()] += row.dropped(r);
      }
      classMovedOut += row.relabelledOut();
      if (row.interClass().duplicateGroup() >= 0) {
        groups.add(row.interClass().duplicateGroup());
        classesInGroups++;
      }
      testOverlapClasses += row.interClass().testIdentity() != null ? 1 : 0;
    }
    int classesAfter = newLabels.size();
    boolean classesAgree =
        classKept + classMovedOut == counts.kept() && classMovedOut == counts.relabelled();
    for (DropReason r : DropReason.values()) {
      classesAgree &= classDropped[r.ordinal()] == counts.dropped(r);
    }
    if (keptRows != counts.kept()
        || droppedRows != counts.dropped()
        || !classesAgree
        || keptRows + droppedRows != prepared.prepared()
        || images != keptRows + droppedRows + prepared.quarantined()) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "counts do not reconcile: input %d, kept %d (tallied %d, classes say %d), dropped %d"
                  + " (tallied by reason %s), quarantined %d, prepared %d",
              images,
              keptRows,
              counts.kept(),
              classKept,
              droppedRows,
              byReason,
              prepared.quarantined(),
              prepared.prepared()));
    }
    CleaningPolicy used = s.policy().resolve(calibration);
    boolean subclass = used.kind() == CleaningPolicy.Kind.SUBCLASS;
    CleanSummary.Options options =
        new CleanSummary.Options(
            used.name(),
            used.thresholdDeg(),
            Double.isNaN(s.policy().thresholdDeg()),
            subclass ? used.otherPersonDeg() : null,
            subclass && Double.isNaN(s.policy().otherPersonDeg()),
            used.minSubclassSize(),
            used.relabel(),
            used.minClassSize(),
            s.embeddings() == null ? null : s.embeddings().toAbsolutePath().toString(),
            embeddingsReused,
            s.emitRecordIO(),
            s.runner().forFaces(prepared.prepared()).runner());
    InterClassPolicy ic = CleanJob.interClass(s, model).resolve(calibration);
    long within = 0;
    long across = 0;
    for (InterClassFiles.DuplicateImage d : InterClassFiles.readDuplicateImages(staging)) {
      if (d.scope().equals(InterClassFiles.WITHIN_CLASS)) {
        within++;
      } else {
        across++;
      }
    }
    CleanSummary.InterClass interClass =
        new CleanSummary.InterClass(
            ic.duplicateIdentities().wireName(),
            ic.duplicateIdentityDeg(),
            Double.isNaN(s.interClass().duplicateIdentityDeg()),
            groups.size(),
            classesInGroups,
            counts.merged(),
            ic.dropDuplicateImages() ? "drop" : "report",
            ic.nearDuplicateDeg(),
            Double.isNaN(s.interClass().nearDuplicateDeg()),
            within,
            across,
            s.excludeIdentitiesOf() == null
                ? null
                : s.excludeIdentitiesOf().toAbsolutePath().toString(),
            testIdentities,
            testOverlapClasses);
    return new CleanSummary(
        CleanSummary.STAGE,
        Version.get(),
        images,
        prepared.quarantined(),
        prepared.quarantinedByReason(),
        keptRows,
        counts.relabelled(),
        droppedRows,
        byReason,
        classesBefore,
        classesAfter,
        DetectionMetrics.ratio(droppedRows, prepared.prepared()),
        options,
        calibration,
        s.data().toAbsolutePath().toString(),
        manifest.fingerprint(),
        s.model().toAbsolutePath().toString(),
        model.sha256(),
        modelDataFingerprint,
        manifest.fingerprint().equals(modelDataFingerprint),
        quality(counts, corrupt(prepared)),
        facesEmbedded,
        interClass);
  }

  /**
   * Precision and recall of "dropped" against "noisy" when the data carries ground truth; corrupt
   * images were quarantined by prepare and are reported apart.
   */
  @Nullable
  static CleanSummary.QualityVsTruth quality(CleanCounts counts, long corrupt) {
    if (!counts.hasTruth()) {
      return null;
    }
    DetectionMetrics.Counts d = counts.detection();
    return new CleanSummary.QualityVsTruth(
        d.noisy(),
        d.dropped(),
        d.droppedNoisy(),
        d.precision(),
        d.recall(),
        d.f1(),
        corrupt,
        CleanSummary.QualityVsTruth.NOTE,
        counts.relabelled(),
        counts.relabelledNoisy(),
        counts.relabelledCorrect(),
        counts.relabelledKnownIdentity() == 0
            ? null
            : counts.relabelledCorrect() / (double) counts.relabelledKnownIdentity());
  }

  /** Corrupt images by the ground truth, which prepare quarantined. */
  private static long corrupt(PrepareManifest.Counts prepared) {
    return prepared.truth() == null
        ? 0
        : prepared.truth().getOrDefault(NoiseKind.CORRUPT.wireName(), 0L);
  }

  private static long rows(Path dir) throws IOException {
    long n = 0;
    for (Path f : ParquetFiles.list(dir)) {
      n += ParquetFiles.rowCount(f);
    }
    return n;
  }
}
