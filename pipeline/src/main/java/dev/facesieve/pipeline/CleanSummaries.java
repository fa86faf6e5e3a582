package dev.facesieve.pipeline;

import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.QuarantineReason;
import dev.facesieve.datasets.clean.Calibration;
import dev.facesieve.datasets.clean.ClassSummary;
import dev.facesieve.datasets.clean.CleanCounts;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.clean.DetectionMetrics;
import dev.facesieve.datasets.clean.DropReason;
import dev.facesieve.datasets.clean.InterClassPolicy;
import dev.facesieve.datasets.clean.InterClassTruth;
import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.datasets.contract.InterClassFiles;
import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.model.ModelInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.annotation.Nullable;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;

/**
 * Builds a clean run's {@link CleanSummary} and checks that its counts reconcile.
 *
 * <p>Face-level numbers come from the {@link CleanCounts} the pipeline tallied as it wrote the
 * decisions, so no face is read again for them; the check compares them with the row counts in the
 * Parquet footers of {@code kept/} and {@code dropped/} (metadata only), with the per-class rows of
 * {@code classes.parquet} and with what prepare read and quarantined. A mismatch fails the run.
 * Only the truth metrics across classes ({@link #truth}) read faces again, when the data has a
 * ground truth. {@code kept/} and {@code dropped/} are read where they lie ({@code tables}: the
 * staging folder, a local path or a URI); the small files ({@code classes.parquet}, the CSVs) from
 * a local folder.
 */
final class CleanSummaries {
  private CleanSummaries() {}

  static CleanSummary build(
      CleanJob.Settings s,
      ModelInfo model,
      @Nullable String modelDataFingerprint,
      PrepareManifest manifest,
      Path staging,
      String tables,
      CleanCounts counts,
      Calibration calibration,
      boolean embeddingsReused,
      long facesEmbedded,
      int testIdentities,
      @Nullable Set<String> testShows)
      throws IOException {
    PrepareManifest.Counts prepared = manifest.counts();
    // image records read: prepare's read also counts RecordIO metadata records
    long images = prepared.read() - prepared.metadataRecords();
    long keptRows = rows(tables + "/kept");
    long droppedRows = rows(tables + "/dropped");
    long undecided = rows(tables + "/" + WriteCleanOutputs.QUARANTINE);
    Map<String, Long> quarantinedByReason = new TreeMap<>(prepared.quarantinedByReason());
    if (undecided > 0) {
      quarantinedByReason.merge(QuarantineReason.EMBEDDING_INVALID.name(), undecided, Long::sum);
    }
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
    List<ClassSummary> rows = new ArrayList<>();
    for (GenericRecord c : ParquetFiles.readAll(staging.resolve("classes.parquet"))) {
      ClassSummary row = ClassSummary.fromAvro(c);
      rows.add(row);
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
        || keptRows + droppedRows + undecided != prepared.prepared()
        || images != keptRows + droppedRows + undecided + prepared.quarantined()) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "counts do not reconcile: input %d, kept %d (tallied %d, classes say %d), dropped %d"
                  + " (tallied by reason %s), quarantined %d by prepare and %d by clean, prepared"
                  + " %d",
              images,
              keptRows,
              counts.kept(),
              classKept,
              droppedRows,
              byReason,
              prepared.quarantined(),
              undecided,
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
            s.embeddings() == null ? null : s.embeddings().spec(false),
            embeddingsReused,
            s.emitRecordIO(),
            s.runner().forFaces(prepared.prepared()).runner());
    InterClassPolicy ic = CleanJob.interClass(s, model).resolve(calibration);
    long within = 0;
    long across = 0;
    List<InterClassFiles.DuplicateImage> copies = InterClassFiles.readDuplicateImages(staging);
    for (InterClassFiles.DuplicateImage d : copies) {
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
            testOverlapClasses,
            hasTruth(prepared) ? truth(tables, rows, copies, testShows) : null,
            s.excludeIdentitiesOf() == null
                ? null
                : ExclusionCheck.verdict(
                    s.excludeIdentitiesOf(), testOverlapClasses, classesBefore));
    return new CleanSummary(
        CleanSummary.STAGE,
        Version.get(),
        images,
        prepared.quarantined() + undecided,
        quarantinedByReason,
        keptRows,
        counts.relabelled(),
        droppedRows,
        byReason,
        classesBefore,
        classesAfter,
        DetectionMetrics.ratio(droppedRows, prepared.prepared()),
        options,
        calibration,
        s.data().spec(false),
        manifest.fingerprint(),
        s.model().spec(false),
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

  /** Whether prepare read a ground truth for the data. */
  private static boolean hasTruth(PrepareManifest.Counts prepared) {
    return prepared.truth() != null && !prepared.truth().isEmpty();
  }

  /** The columns of a cleaned face that the inter-class truth needs. */
  private static final Schema TRUTH_PROJECTION =
      SchemaBuilder.record("CleanedTruth")
          .namespace("dev.facesieve")
          .fields()
          .requiredString("id")
          .requiredInt("original_label")
          .optionalString("true_identity")
          .optionalString("true_duplicate_of")
          .endRecord();

  /**
   * The findings across classes against the ground truth the faces carry; null when they carry none
   * of it (no {@code true_identity}, no copy marked).
   *
   * <p>This reads the kept and dropped faces once more, four small columns only and only when the
   * data has a ground truth (benchmarks, planted tests): a class's truth is a vote over all its
   * faces, and a copy's original may lie in any class.
   */
  @Nullable
  static CleanSummary.InterClass.Truth truth(
      String tables,
      List<ClassSummary> classes,
      List<InterClassFiles.DuplicateImage> copies,
      @Nullable Set<String> testIdentities)
      throws IOException {
    InterClassTruth.ClassTruth votes = new InterClassTruth.ClassTruth();
    Map<String, String> copyOf = new HashMap<>();
    List<String> files = new ArrayList<>(ParquetFiles.list(tables + "/kept"));
    files.addAll(ParquetFiles.list(tables + "/dropped"));
    for (String f : files) {
      ParquetFiles.readColumns(
          f,
          TRUTH_PROJECTION,
          r -> {
            Object t = r.get("true_identity");
            votes.add((Integer) r.get("original_label"), t == null ? null : t.toString());
            Object of = r.get("true_duplicate_of");
            if (of != null) {
              copyOf.put(r.get("id").toString(), of.toString());
            }
          });
    }
    Map<Integer, String> truthOf = votes.majority();
    CleanSummary.InterClass.Detection identities = null;
    CleanSummary.InterClass.Detection overlap = null;
    if (!truthOf.isEmpty()) {
      Map<Integer, Integer> groupOf = new HashMap<>();
      List<Integer> matched = new ArrayList<>();
      for (ClassSummary c : classes) {
        if (c.interClass().duplicateGroup() >= 0) {
          groupOf.put(c.label(), c.interClass().duplicateGroup());
        }
        if (c.interClass().testIdentity() != null) {
          matched.add(c.label());
        }
      }
      identities =
          CleanSummary.InterClass.Detection.of(
              InterClassTruth.duplicateIdentities(truthOf, groupOf));
      if (testIdentities != null) {
        overlap =
            CleanSummary.InterClass.Detection.of(
                InterClassTruth.testOverlap(truthOf, matched, testIdentities));
      }
    }
    CleanSummary.InterClass.Detection images = null;
    if (!copyOf.isEmpty()) {
      Set<String> originals = new HashSet<>(copyOf.values());
      Set<String> present = new HashSet<>();
      for (String f : files) {
        ParquetFiles.readColumns(
            f,
            TRUTH_PROJECTION,
            r -> {
              String id = r.get("id").toString();
              if (originals.contains(id)) {
                present.add(id);
              }
            });
      }
      List<InterClassTruth.CopyFound> found = new ArrayList<>();
      copies.forEach(d -> found.add(new InterClassTruth.CopyFound(d.id(), d.duplicateOf())));
      images =
          CleanSummary.InterClass.Detection.of(
              InterClassTruth.duplicateImages(copyOf, present::contains, found));
    }
    if (identities == null && images == null) {
      return null;
    }
    return new CleanSummary.InterClass.Truth(
        identities, overlap, images, CleanSummary.InterClass.Truth.NOTE);
  }

  /**
   * The identities a test set shows, read from its prepared faces: each test class's majority
   * {@code true_identity} when its faces carry one, else its name.
   */
  static Set<String> testIdentities(Location preparedTest) throws IOException {
    InterClassTruth.ClassTruth votes = new InterClassTruth.ClassTruth();
    Map<Integer, String> names = new HashMap<>();
    for (String f : ParquetFiles.list(preparedTest.resolve("faces").spec(false))) {
      ParquetFiles.readColumns(
          f,
          TEST_PROJECTION,
          r -> {
            int label = (Integer) r.get("label");
            names.putIfAbsent(label, r.get("identity").toString());
            Object t = r.get("true_identity");
            votes.add(label, t == null ? null : t.toString());
          });
    }
    names.putAll(votes.majority());
    return new TreeSet<>(names.values());
  }

  private static final Schema TEST_PROJECTION =
      SchemaBuilder.record("TestIdentity")
          .namespace("dev.facesieve")
          .fields()
          .requiredInt("label")
          .requiredString("identity")
          .optionalString("true_identity")
          .endRecord();

  /** Corrupt images by the ground truth, which prepare quarantined. */
  private static long corrupt(PrepareManifest.Counts prepared) {
    return prepared.truth() == null
        ? 0
        : prepared.truth().getOrDefault(NoiseKind.CORRUPT.wireName(), 0L);
  }

  /** The rows of the Parquet files in folder {@code dir} (a local path or a URI), by footers. */
  static long rows(String dir) throws IOException {
    long n = 0;
    for (String f : ParquetFiles.list(dir)) {
      n += ParquetFiles.rowCount(f);
    }
    return n;
  }
}
