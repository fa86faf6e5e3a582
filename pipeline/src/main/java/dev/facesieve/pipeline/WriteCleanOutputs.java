package dev.facesieve.pipeline;

import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.clean.ClassSummary;
import dev.facesieve.datasets.clean.InterClassPolicy;
import dev.facesieve.datasets.contract.InterClassFiles;
import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.transforms.CleanFaces;
import dev.facesieve.transforms.FaceEmbedding;
import dev.facesieve.transforms.WriteParquet;
import javax.annotation.Nullable;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Writes a cleaning's outputs ({@link CleanFaces.Result}) into the stage's staging folder: {@code
 * kept/}, {@code dropped/}, {@code quarantine/}, the class rows (one file in {@code classes-tmp/},
 * which the job renames), {@code dropped.csv}, {@code relabelled.csv} (with relabelling), {@code
 * merges.csv}, {@code duplicate-images.csv}, {@code test-overlap.csv} (with a test set), and the
 * run's tally and calibration as JSON files the driver reads and deletes; with {@link
 * #withEmbeddingsTo}, the embeddings into the store's staging folder.
 *
 * <p>The CSVs of findings are sorted ({@link SortedCsv}) so that two runs write the same bytes.
 */
final class WriteCleanOutputs extends PTransform<CleanFaces.Result, PDone> {
  /** The pipeline's tally of kept and dropped faces, staged for the summary, never committed. */
  static final String COUNTS = "counts";

  /** The run's thresholds and evidence, staged for the summary, never committed. */
  static final String CALIBRATION = "calibration";

  /** The folder of faces clean sets aside undecided ({@code EMBEDDING_INVALID}). */
  static final String QUARANTINE = "quarantine";

  /** The folder of the one class-rows file, renamed {@code classes.parquet} by the job. */
  static final String CLASSES_TMP = "classes-tmp";

  private final Location staging;
  private final boolean relabelled;
  private final boolean testOverlap;
  private final InterClassPolicy.DuplicateIdentities duplicateIdentities;
  @Nullable private final Location embeddings;

  private WriteCleanOutputs(
      Location staging,
      boolean relabelled,
      boolean testOverlap,
      InterClassPolicy.DuplicateIdentities duplicateIdentities,
      @Nullable Location embeddings) {
    this.staging = staging;
    this.relabelled = relabelled;
    this.testOverlap = testOverlap;
    this.duplicateIdentities = duplicateIdentities;
    this.embeddings = embeddings;
  }

  /** Writes into {@code staging}: no relabelling, no test set, duplicate identities reported. */
  static WriteCleanOutputs to(Location staging) {
    return new WriteCleanOutputs(
        staging, false, false, InterClassPolicy.DuplicateIdentities.REPORT, null);
  }

  /** Whether to write {@code relabelled.csv} (the run relabels). */
  WriteCleanOutputs withRelabelled(boolean b) {
    return new WriteCleanOutputs(staging, b, testOverlap, duplicateIdentities, embeddings);
  }

  /** Whether to write {@code test-overlap.csv} (the run has a test set). */
  WriteCleanOutputs withTestOverlap(boolean b) {
    return new WriteCleanOutputs(staging, relabelled, b, duplicateIdentities, embeddings);
  }

  /** The action {@code merges.csv} names for each duplicate-identity group. */
  WriteCleanOutputs withDuplicateIdentities(InterClassPolicy.DuplicateIdentities a) {
    return new WriteCleanOutputs(staging, relabelled, testOverlap, a, embeddings);
  }

  /** Writes the embeddings the decisions were made on into {@code dir} (a store's staging). */
  WriteCleanOutputs withEmbeddingsTo(@Nullable Location dir) {
    return new WriteCleanOutputs(staging, relabelled, testOverlap, duplicateIdentities, dir);
  }

  /**
   * The entries a cleaning commits from its staging folder besides the driver's own files (the
   * report, the RecordIO): with relabelling, a test set, and faces quarantined.
   */
  static java.util.List<String> committed(boolean relabel, boolean test, boolean quarantine) {
    java.util.List<String> e =
        new java.util.ArrayList<>(
            java.util.List.of(
                "kept",
                "dropped",
                "classes.parquet",
                "dropped.csv",
                InterClassFiles.MERGES,
                InterClassFiles.DUPLICATE_IMAGES));
    if (test) {
      e.add(InterClassFiles.TEST_OVERLAP);
    }
    if (relabel) {
      e.add(RelabelledCsv.FILE);
    }
    if (quarantine) {
      e.add(QUARANTINE);
    }
    return e;
  }

  @Override
  public PDone expand(CleanFaces.Result out) {
    out.kept().apply("WriteKept", parquet("kept", CleanSchemas.CLEANED));
    out.dropped().apply("WriteDropped", parquet("dropped", CleanSchemas.CLEANED));
    out.quarantined()
        .apply(
            "WriteQuarantine",
            WriteParquet.<QuarantineRecord>to(
                dir(QUARANTINE), FaceSchemas.QUARANTINE, FaceSchemas::toAvro));
    out.classRows().apply("WriteClasses", parquet(CLASSES_TMP, CleanSchemas.CLASS).withShards(1));
    out.dropped()
        .apply("ToCsv", MapElements.into(TypeDescriptors.strings()).via(DroppedCsv::line))
        .apply("WriteDroppedCsv", csv("dropped", DroppedCsv.HEADER));
    if (relabelled) {
      out.kept()
          .apply("Relabelled", Filter.by(RelabelledCsv::moved))
          .apply(
              "RelabelledToCsv",
              MapElements.into(TypeDescriptors.strings()).via(RelabelledCsv::line))
          .apply("WriteRelabelledCsv", csv("relabelled", RelabelledCsv.HEADER));
    }
    InterClassPolicy.DuplicateIdentities action = duplicateIdentities;
    out.classRows()
        .apply(
            "MergeLines",
            MapElements.into(TypeDescriptors.strings())
                .via(
                    (GenericRecord r) ->
                        nullToEmpty(InterClassFiles.mergeLine(ClassSummary.fromAvro(r), action))))
        .apply("WriteMergesCsv", sorted(InterClassFiles.MERGES, InterClassFiles.MERGES_HEADER));
    if (testOverlap) {
      out.classRows()
          .apply(
              "TestOverlapLines",
              MapElements.into(TypeDescriptors.strings())
                  .via(
                      (GenericRecord r) ->
                          nullToEmpty(InterClassFiles.testOverlapLine(ClassSummary.fromAvro(r)))))
          .apply(
              "WriteTestOverlapCsv",
              sorted(InterClassFiles.TEST_OVERLAP, InterClassFiles.TEST_OVERLAP_HEADER));
    }
    PCollection<String> withinCopies =
        PCollectionList.of(out.kept())
            .and(out.dropped())
            .apply("KeptAndDropped", Flatten.pCollections())
            .apply("Copies", Filter.by((GenericRecord r) -> r.get("duplicate_of") != null))
            .apply(
                "CopyLines",
                MapElements.into(TypeDescriptors.strings()).via(InterClassFiles::withinClassLine));
    PCollectionList.of(withinCopies)
        .and(out.copiesAcrossClasses())
        .apply("AllCopies", Flatten.pCollections())
        .apply(
            "WriteDuplicateImagesCsv",
            sorted(InterClassFiles.DUPLICATE_IMAGES, InterClassFiles.DUPLICATE_IMAGES_HEADER));
    out.calibration()
        .apply(
            "CalibrationToJson",
            MapElements.into(TypeDescriptors.strings()).via(c -> StageJson.write(c)))
        .apply("WriteCalibration", json(CALIBRATION));
    out.counts()
        .apply("CountsToJson", MapElements.into(TypeDescriptors.strings()).via(StageJson::write))
        .apply("WriteCounts", json(COUNTS));
    if (embeddings != null) {
      out.embeddings()
          .apply(
              "WriteEmbeddings",
              WriteParquet.<FaceEmbedding>to(
                  embeddings.spec(true), CleanSchemas.EMBEDDING, EmbeddingCache::row));
    }
    return PDone.in(out.getPipeline());
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("staging", staging.toString()).withLabel("Staging folder"))
        .add(DisplayData.item("relabelled", relabelled).withLabel("Writes relabelled.csv"))
        .add(DisplayData.item("testOverlap", testOverlap).withLabel("Writes test-overlap.csv"))
        .add(
            DisplayData.item("duplicateIdentities", duplicateIdentities.wireName())
                .withLabel("Duplicate identities"))
        .addIfNotNull(
            DisplayData.item("embeddings", embeddings == null ? null : embeddings.toString())
                .withLabel("Embedding store staging"));
  }

  private WriteParquet<GenericRecord> parquet(String name, org.apache.avro.Schema schema) {
    return WriteParquet.<GenericRecord>to(dir(name), schema, r -> r);
  }

  private TextIO.Write csv(String name, String header) {
    return TextIO.write()
        .to(staging.resolve(name).spec(false))
        .withSuffix(".csv")
        .withoutSharding()
        .withHeader(header);
  }

  private SortedCsv sorted(String file, String header) {
    return SortedCsv.to(staging.resolve(file).spec(false), header);
  }

  private TextIO.Write json(String name) {
    return TextIO.write()
        .to(staging.resolve(name).spec(false))
        .withSuffix(".json")
        .withoutSharding();
  }

  private String dir(String name) {
    return staging.resolve(name).spec(true);
  }

  private static String nullToEmpty(@Nullable String s) {
    return s == null ? "" : s;
  }
}
