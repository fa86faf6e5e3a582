package dev.facesieve.pipeline;

import com.google.auto.value.AutoBuilder;
import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.clean.Calibration;
import dev.facesieve.datasets.clean.CleanCounts;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.datasets.io.LocalFiles;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.model.EmbedderKey;
import dev.facesieve.model.ModelDirectory;
import dev.facesieve.model.ModelInfo;
import dev.facesieve.reports.CleanRun;
import dev.facesieve.reports.NoiseReport;
import dev.facesieve.transforms.CleanFaces;
import dev.facesieve.transforms.EmbedFaces;
import dev.facesieve.transforms.FaceEmbedding;
import dev.facesieve.transforms.ReadFaceFiles;
import dev.facesieve.transforms.SubCentre;
import dev.facesieve.transforms.WriteParquet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The {@code clean} stage: scores every prepared face against its class's dominant sub-centre,
 * writes kept and dropped faces, per-class rows, {@code dropped.csv}, optionally an InsightFace
 * RecordIO of the kept set ({@link KeptRecordIO}), the noise report and, last, {@code summary.json}
 * ({@link CleanSummaries}). Embeddings may come from, and go to, an {@link EmbeddingCache}.
 */
public final class CleanJob {
  public static final String SUMMARY = CleanSummary.FILE;

  /** The pipeline's tally of kept and dropped faces, staged for the summary, never committed. */
  private static final String COUNTS = "counts";

  private static final String CALIBRATION = "calibration";

  /** What to clean and how. */
  public record Settings(
      Path data,
      Path model,
      Path output,
      CleaningPolicy policy,
      @Nullable Path embeddings,
      boolean emitRecordIO,
      Runners.Choice runner,
      boolean overwrite,
      NoiseReport.Options report,
      boolean allowForeignModel,
      long facesEmbeddedBefore) {

    /**
     * Cleaning {@code data} with {@code model} into {@code output}, every other setting default.
     */
    public static Builder builder(Path data, Path model, Path output) {
      return new AutoBuilder_CleanJob_Settings_Builder()
          .setData(data)
          .setModel(model)
          .setOutput(output)
          .setPolicy(CleaningPolicy.defaults())
          .setEmitRecordIO(false)
          .setRunner(Runners.Choice.direct())
          .setOverwrite(false)
          .setReport(NoiseReport.Options.defaults())
          .setAllowForeignModel(false)
          .setFacesEmbeddedBefore(0);
    }

    /** {@link #builder} built at once: every setting default. */
    public static Settings of(Path data, Path model, Path output) {
      return builder(data, model, output).build();
    }

    public Builder toBuilder() {
      return new AutoBuilder_CleanJob_Settings_Builder(this);
    }

    /** Builds {@link Settings}. */
    @AutoBuilder
    public interface Builder {
      Builder setData(Path p);

      Builder setModel(Path p);

      Builder setOutput(Path p);

      Builder setPolicy(CleaningPolicy p);

      /** A folder of cached embeddings: reused when valid for this model and data, else filled. */
      Builder setEmbeddings(@Nullable Path p);

      Builder setEmitRecordIO(boolean b);

      Builder setRunner(Runners.Choice r);

      Builder setOverwrite(boolean b);

      /** How the noise report written at the end of the run is made. */
      Builder setReport(NoiseReport.Options r);

      /**
       * Clean even when the model's classes are not the data's ({@link
       * ModelMatch#classMapDifference}); the caller warns.
       */
      Builder setAllowForeignModel(boolean b);

      /**
       * Faces embedded earlier in the same {@code run} (by training), added to this cleaning's own
       * in {@code summary.json}'s {@code faces_embedded}.
       */
      Builder setFacesEmbeddedBefore(long n);

      Settings build();
    }
  }

  private CleanJob() {}

  /** Runs the stage and returns the summary it wrote. */
  public static CleanSummary run(Settings s) throws IOException {
    return run(s, ProgressListener.NONE);
  }

  /** {@link #run(Settings)}, reporting the faces embedded to {@code progress}. */
  public static CleanSummary run(Settings s, ProgressListener progress) throws IOException {
    PrepareManifest prepared = PrepareManifest.read(s.data());
    ModelInfo model;
    try {
      model = ModelInfo.read(s.model());
    } catch (IllegalArgumentException e) {
      throw new InputException(
          s.model(), "not a finished 'facesieve train' output (no " + "model.json)");
    }
    ModelMatch.check(prepared, model, s.model(), s.allowForeignModel());
    String modelDataFingerprint = ModelMatch.dataFingerprint(s.model());
    if (s.embeddings() != null) {
      OutputGuard.refuseOverlap(s.embeddings(), s.data(), s.model(), s.output());
      EmbeddingCache.inspect(s.embeddings()); // before anything is written
    }
    StageOutput out =
        StageOutput.open(s.output(), OutputKind.CLEAN, SUMMARY, s.overwrite(), s.data(), s.model());
    Path staging = out.staging();
    EmbeddingCache cache = null;
    boolean done = false;
    try {
      cache = s.embeddings() == null ? null : EmbeddingCache.open(s.embeddings());
      EmbedderKey embedder = cache == null ? null : EmbedderKey.of(model);
      boolean cached =
          cache != null && cache.matches(embedder, model.sha256(), prepared.fingerprint());
      Path embStaging = cache == null || cached ? null : staging.resolve("embeddings");
      runPipeline(s, model, cached, prepared.counts().prepared(), staging, embStaging, progress);
      Path classesDir = staging.resolve("classes-tmp");
      List<Path> cf = ParquetFiles.list(classesDir);
      Files.move(cf.get(0), staging.resolve("classes.parquet"));
      LocalFiles.deleteRecursively(classesDir);
      Path countsFile = staging.resolve(COUNTS + ".json");
      CleanCounts counts = StageJson.read(countsFile, CleanCounts.class);
      Files.delete(countsFile);
      Path calibrationFile = staging.resolve(CALIBRATION + ".json");
      Calibration calibration = StageJson.read(calibrationFile, Calibration.class);
      Files.delete(calibrationFile);
      List<String> entries =
          new ArrayList<>(List.of("kept", "dropped", "classes.parquet", "dropped.csv"));
      if (s.policy().relabel()) {
        entries.add(RelabelledCsv.FILE);
      }
      if (s.emitRecordIO()) {
        KeptRecordIO.write(staging.resolve("kept"), staging.resolve("recordio"));
        entries.add("recordio");
      }
      CleanSummary summary =
          CleanSummaries.build(
              s,
              model,
              modelDataFingerprint,
              prepared,
              staging,
              counts,
              calibration,
              cached,
              s.facesEmbeddedBefore() + (cached ? 0 : prepared.counts().prepared()));
      // the report is part of the run: staged with the outputs, in place before summary.json
      NoiseReport.write(
          CleanRun.read(staging, summary, null).locatedAt(s.output()), s.report(), staging);
      entries.add(NoiseReport.JSON_FILE);
      entries.add(NoiseReport.HTML_FILE);
      entries.add(NoiseReport.PAGES_DIR);
      if (embStaging != null) {
        cache.commit(embStaging, embedder, model.directory(), prepared.fingerprint());
      }
      out.commit(entries, StageJson.write(summary));
      done = true;
      return summary;
    } finally {
      if (!done) {
        out.abandon();
      }
      if (cache != null) {
        cache.close();
      }
    }
  }

  private static void runPipeline(
      Settings s,
      ModelInfo model,
      boolean cached,
      long prepared,
      Path staging,
      @Nullable Path embStaging,
      ProgressListener progress)
      throws IOException {
    FaceSieveOptions options = Runners.options(s.runner(), "facesieve-clean");
    options.setInput(s.data().toString());
    options.setOutput(s.output().toString());
    Pipeline p = Pipeline.create(options);
    PCollection<FaceRecord> faces =
        p.apply("ReadFaces", ReadFaceFiles.from(glob(s.data().resolve("faces"))));
    PCollection<SubCentre> centres =
        p.apply(
                "ReadCentres",
                ParquetIO.read(ModelDirectory.CENTRES)
                    .from(s.model().resolve("centres.parquet").toAbsolutePath().toString()))
            .apply(
                "ToSubCentres",
                MapElements.into(TypeDescriptor.of(SubCentre.class)).via(SubCentre::fromAvro))
            .setCoder(SubCentre.Coder.of());
    CleanFaces clean =
        CleanFaces.with(model, s.policy())
            .withCentres(centres)
            .sizedFor(prepared, model.classes())
            .withEmbedThreads(embedThreads(s.runner()));
    if (cached) {
      clean =
          clean.withCachedEmbeddings(
              p.apply(
                      "ReadCachedEmbeddings",
                      ParquetIO.read(CleanSchemas.EMBEDDING).from(glob(s.embeddings())))
                  .apply("ToEmbeddings", ParDo.of(new EmbeddingCache.ToEmbedding()))
                  .setCoder(FaceEmbedding.Coder.of()));
    }
    CleanFaces.Result out = faces.apply("CleanFaces", clean);
    out.kept()
        .apply(
            "WriteKept",
            WriteParquet.<GenericRecord>to(dir(staging, "kept"), CleanSchemas.CLEANED, r -> r));
    out.dropped()
        .apply(
            "WriteDropped",
            WriteParquet.<GenericRecord>to(dir(staging, "dropped"), CleanSchemas.CLEANED, r -> r));
    out.classRows()
        .apply(
            "WriteClasses",
            WriteParquet.<GenericRecord>to(dir(staging, "classes-tmp"), CleanSchemas.CLASS, r -> r)
                .withShards(1));
    out.dropped()
        .apply("ToCsv", MapElements.into(TypeDescriptors.strings()).via(DroppedCsv::line))
        .apply(
            "WriteDroppedCsv",
            TextIO.write()
                .to(staging.resolve("dropped").toString())
                .withSuffix(".csv")
                .withoutSharding()
                .withHeader(DroppedCsv.HEADER));
    if (s.policy().relabel()) {
      out.kept()
          .apply("Relabelled", Filter.by(RelabelledCsv::moved))
          .apply(
              "RelabelledToCsv",
              MapElements.into(TypeDescriptors.strings()).via(RelabelledCsv::line))
          .apply(
              "WriteRelabelledCsv",
              TextIO.write()
                  .to(staging.resolve("relabelled").toString())
                  .withSuffix(".csv")
                  .withoutSharding()
                  .withHeader(RelabelledCsv.HEADER));
    }
    out.calibration()
        .apply(
            "CalibrationToJson",
            MapElements.into(TypeDescriptors.strings()).via(c -> StageJson.write(c)))
        .apply(
            "WriteCalibration",
            TextIO.write()
                .to(staging.resolve(CALIBRATION).toString())
                .withSuffix(".json")
                .withoutSharding());
    out.counts()
        .apply("CountsToJson", MapElements.into(TypeDescriptors.strings()).via(StageJson::write))
        .apply(
            "WriteCounts",
            TextIO.write()
                .to(staging.resolve(COUNTS).toString())
                .withSuffix(".json")
                .withoutSharding());
    if (embStaging != null) {
      out.embeddings()
          .apply(
              "WriteEmbeddings",
              WriteParquet.<FaceEmbedding>to(
                  embStaging.toAbsolutePath() + "/", CleanSchemas.EMBEDDING, EmbeddingCache::row));
    }
    StageProgress.await(
        p.run(),
        cached ? "clean (cached embeddings)" : "clean: embedding",
        cached ? EmbeddingCache.class : EmbedFaces.class,
        cached ? EmbeddingCache.READ_COUNTER : EmbedFaces.FACES_EMBEDDED_COUNTER,
        prepared,
        progress);
    if (!Files.exists(staging.resolve("classes-tmp"))) {
      Files.createDirectories(staging.resolve("classes-tmp"));
    }
  }

  /**
   * Threads per worker's ONNX session: in this JVM (DirectRunner, embedded Flink) the cores shared
   * by {@code --parallelism} workers; on a cluster 1, because runners give each worker (Flink slot,
   * Dataflow harness thread) about a core of its own.
   */
  static int embedThreads(Runners.Choice c) {
    boolean local =
        c.runner().equals("direct")
            || (c.runner().equals("flink") && c.flinkMaster().startsWith("[local"));
    return local ? Math.max(1, Runtime.getRuntime().availableProcessors() / c.parallelism()) : 1;
  }

  private static String glob(Path dir) {
    return dir.toAbsolutePath() + "/*.parquet";
  }

  private static String dir(Path staging, String name) {
    return staging.resolve(name).toAbsolutePath() + "/";
  }
}
