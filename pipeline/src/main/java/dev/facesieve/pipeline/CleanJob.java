package dev.facesieve.pipeline;

import com.google.auto.value.AutoBuilder;
import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.clean.Calibration;
import dev.facesieve.datasets.clean.ClassSummary;
import dev.facesieve.datasets.clean.CleanCounts;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.clean.InterClassPolicy;
import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.datasets.contract.InterClassFiles;
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
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The {@code clean} stage: scores every prepared face against its class's dominant sub-centre,
 * writes kept and dropped faces, per-class rows, {@code dropped.csv}, optionally an InsightFace
 * RecordIO of the kept set ({@link KeptRecordIO}), the noise report and, last, {@code summary.json}
 * ({@link CleanSummaries}). Embeddings may come from, and go to, an {@link EmbeddingCache}.
 *
 * <p>An output elsewhere than locally ({@code hdfs://}) gets the pipeline's files in its staging
 * folder there. The driver copies only the small files it reads (the class rows and the inter-class
 * CSVs) into a local temporary folder, reads the columns of {@code kept/} and {@code dropped/} that
 * the summary and the report need where they lie (no image bytes but the report's thumbnails),
 * builds its own files (summary, report, RecordIO) in that local folder with the same code as for a
 * local output, and writes them into the staging folder before the commit. {@code --emit-recordio}
 * streams the kept images from there into a local RecordIO (its scratch copy too), which is then
 * uploaded: the one local copy of image bytes, of the kept set only. The embedding store's fill
 * goes to the store's own staging folder ({@link EmbeddingCache#stagingLocation}) and a test set
 * prepared here to the output's staging folder, where workers elsewhere write and read them.
 */
public final class CleanJob {
  public static final String SUMMARY = CleanSummary.FILE;

  /** The pipeline's tally of kept and dropped faces, staged for the summary, never committed. */
  private static final String COUNTS = "counts";

  private static final String CALIBRATION = "calibration";

  /** The folder of faces clean sets aside undecided ({@code EMBEDDING_INVALID}). */
  static final String QUARANTINE = "quarantine";

  /** What to clean and how. */
  public record Settings(
      Location data,
      Location model,
      Location output,
      CleaningPolicy policy,
      @Nullable Location embeddings,
      boolean emitRecordIO,
      Runners.Choice runner,
      boolean overwrite,
      NoiseReport.Options report,
      boolean allowForeignModel,
      InterClassPolicy interClass,
      @Nullable Path excludeIdentitiesOf,
      long facesEmbeddedBefore) {

    /**
     * Cleaning {@code data} with {@code model} into {@code output}, every other setting default.
     */
    public static Builder builder(Path data, Path model, Path output) {
      return builder(Location.of(data), model, output);
    }

    /** {@link #builder(Path, Path, Path)} of prepared faces on any file system. */
    public static Builder builder(Location data, Path model, Path output) {
      return builder(data, model, Location.of(output));
    }

    /** {@link #builder(Path, Path, Path)} of prepared faces and an output on any file system. */
    public static Builder builder(Location data, Path model, Location output) {
      return builder(data, Location.of(model), output);
    }

    /**
     * {@link #builder(Path, Path, Path)} of prepared faces, model and output on any file system.
     */
    public static Builder builder(Location data, Location model, Location output) {
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
          .setInterClass(InterClassPolicy.defaults())
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
      Builder setData(Location p);

      /** The prepared faces as a local path. */
      default Builder setData(Path p) {
        return setData(Location.of(p));
      }

      Builder setModel(Location p);

      /** The model directory as a local path. */
      default Builder setModel(Path p) {
        return setModel(Location.of(p));
      }

      Builder setOutput(Location p);

      /** The output as a local path. */
      default Builder setOutput(Path p) {
        return setOutput(Location.of(p));
      }

      Builder setPolicy(CleaningPolicy p);

      /**
       * A folder of cached embeddings, on any file system: reused when valid for this model and
       * data, else filled.
       */
      Builder setEmbeddings(@Nullable Location p);

      /** The embedding store as a local path. */
      default Builder setEmbeddings(@Nullable Path p) {
        return setEmbeddings(p == null ? null : Location.of(p));
      }

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

      /** What to do across classes: duplicate identities and images. */
      Builder setInterClass(InterClassPolicy p);

      /**
       * A test set (any input format, or a {@code facesieve prepare} output): every class whose
       * person is one of its identities is dropped.
       */
      Builder setExcludeIdentitiesOf(@Nullable Path p);

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
    PrepareManifest prepared = PreparedData.readChecked(s.data());
    ModelInfo model;
    try {
      model = ModelMatch.readModel(s.model());
    } catch (IllegalArgumentException e) {
      throw new InputException(
          s.model().toString(), "not a finished 'facesieve train' output (no " + "model.json)");
    }
    ModelMatch.check(prepared, model, s.model(), s.allowForeignModel());
    String modelDataFingerprint = ModelMatch.dataFingerprint(s.model());
    if (s.embeddings() != null) {
      OutputGuard.refuseOverlap(s.embeddings(), s.data(), s.model(), s.output());
      EmbeddingCache.inspect(s.embeddings()); // before anything is written
    }
    if (s.excludeIdentitiesOf() != null && !Files.exists(s.excludeIdentitiesOf())) {
      throw new InputException(s.excludeIdentitiesOf(), "test set not found");
    }
    if (s.excludeIdentitiesOf() != null) {
      ExclusionCheck.refuseSelf(s.excludeIdentitiesOf(), s.data(), prepared);
    }
    StageOutput out =
        s.excludeIdentitiesOf() == null
            ? StageOutput.open(
                s.output(), OutputKind.CLEAN, SUMMARY, s.overwrite(), s.data(), s.model())
            : StageOutput.open(
                s.output(),
                OutputKind.CLEAN,
                SUMMARY,
                s.overwrite(),
                s.data(),
                s.model(),
                Location.of(s.excludeIdentitiesOf()));
    Location staging = out.stagingLocation();
    boolean remote = !staging.isLocal();
    EmbeddingCache cache = null;
    Location embStaging = null;
    boolean done = false;
    Path local = null;
    try {
      // the driver's own files are built in the staging folder, or, elsewhere than locally, in a
      // local temporary folder that holds only small files (see the class comment)
      local = remote ? Files.createTempDirectory(localRoot, "facesieve-clean-") : out.staging();
      cache = s.embeddings() == null ? null : EmbeddingCache.open(s.embeddings());
      EmbedderKey embedder = cache == null ? null : EmbedderKey.of(model);
      EmbeddingCache.Reuse reuse =
          cache == null
              ? EmbeddingCache.Reuse.EMPTY
              : cache.check(
                  embedder, model.sha256(), prepared.fingerprint(), model.embeddingSize());
      if (reuse.why() != null) {
        progress.onNote(
            "clean", "the embedding store " + s.embeddings() + " is rebuilt: " + reuse.why());
      }
      boolean cached = reuse.reusable();
      embStaging = cache == null || cached ? null : cache.stagingLocation();
      TestSet test = testSet(s, staging);
      runPipeline(
          s, model, cached, prepared.counts().prepared(), staging, embStaging, test, progress);
      if (test != null && test.preparedHere()) {
        test.prepared().deleteRecursively();
      }
      Location classesDir = staging.resolve("classes-tmp");
      List<String> cf = ParquetFiles.list(classesDir.spec(false));
      if (cf.size() != 1) {
        throw new IllegalStateException(
            "the pipeline wrote " + cf.size() + " class files, not 1, in " + classesDir);
      }
      Location.parse(cf.get(0)).renameTo(staging.resolve("classes.parquet"));
      classesDir.deleteRecursively();
      CleanCounts counts = consume(staging.resolve(COUNTS + ".json"), CleanCounts.class);
      Calibration calibration = consume(staging.resolve(CALIBRATION + ".json"), Calibration.class);
      List<String> fetched =
          remote
              ? fetch(
                  staging,
                  local,
                  "classes.parquet",
                  InterClassFiles.MERGES,
                  InterClassFiles.DUPLICATE_IMAGES,
                  InterClassFiles.TEST_OVERLAP)
              : List.of();
      // kept/ and dropped/ are read where the pipeline wrote them, column by column
      String tables = staging.spec(false);
      List<String> entries =
          new ArrayList<>(
              List.of(
                  "kept",
                  "dropped",
                  "classes.parquet",
                  "dropped.csv",
                  InterClassFiles.MERGES,
                  InterClassFiles.DUPLICATE_IMAGES));
      if (test != null) {
        entries.add(InterClassFiles.TEST_OVERLAP);
      }
      if (s.policy().relabel()) {
        entries.add(RelabelledCsv.FILE);
      }
      // faces set aside undecided (EMBEDDING_INVALID): a folder only when there are some
      Location quarantine = staging.resolve(QUARANTINE);
      if (CleanSummaries.rows(tables + "/" + QUARANTINE) > 0) {
        entries.add(QUARANTINE);
      } else {
        quarantine.deleteRecursively();
      }
      if (s.emitRecordIO()) {
        KeptRecordIO.write(ParquetFiles.list(tables + "/kept"), local.resolve("recordio"));
        entries.add("recordio");
      }
      CleanSummary summary =
          CleanSummaries.build(
              s,
              model,
              modelDataFingerprint,
              prepared,
              local,
              tables,
              counts,
              calibration,
              cached,
              s.facesEmbeddedBefore() + (cached ? 0 : prepared.counts().prepared()),
              test == null ? 0 : test.identities(),
              test == null ? null : test.shows());
      if (summary.interClass().testOverlapWarning() != null) {
        progress.onNote("clean", "warning: " + summary.interClass().testOverlapWarning());
      }
      // the report is part of the run: staged with the outputs, in place before summary.json
      NoiseReport.write(
          CleanRun.read(local, tables, summary, null).locatedAt(s.output().toString()),
          s.report(),
          local);
      entries.add(NoiseReport.JSON_FILE);
      entries.add(NoiseReport.HTML_FILE);
      entries.add(NoiseReport.PAGES_DIR);
      if (embStaging != null) {
        cache.commit(
            embStaging, embedder, model.directory(), prepared.fingerprint(), model.embeddingSize());
        embStaging = null;
      }
      if (remote) {
        upload(local, staging, fetched);
      }
      out.commit(entries, StageJson.write(summary));
      done = true;
      return summary;
    } finally {
      if (!done) {
        out.abandon();
      }
      if (remote && local != null) {
        LocalFiles.deleteRecursively(local);
      }
      if (cache != null) {
        try {
          if (embStaging != null) { // a fill that did not finish, while the store is still locked
            embStaging.deleteRecursively();
          }
        } catch (IOException e) {
          // the next fill deletes it (stagingLocation); the run's own failure is what matters
        } finally {
          cache.close();
        }
      }
    }
  }

  /**
   * Where a clean to a URI makes its local temporary folder; tests point it at a folder of their
   * own to see what the driver copies to local disk.
   */
  static Path localRoot = Path.of(System.getProperty("java.io.tmpdir"));

  /** Reads a small file the pipeline staged for the driver, and deletes it. */
  private static <T> T consume(Location file, Class<T> type) throws IOException {
    T value = StageJson.MAPPER.readValue(file.readString(), type);
    file.deleteIfExists();
    return value;
  }

  /**
   * The test set's prepared faces: the folder itself when it is a {@code prepare} output, else
   * prepared here (default options) into the staging folder, on the output's file system so that
   * workers elsewhere read it, and deleted after the pipeline; {@code shows}: the identities its
   * faces show ({@link CleanSummaries#testIdentities}), which the truth metrics compare with.
   */
  record TestSet(Location prepared, boolean preparedHere, int identities, Set<String> shows) {}

  @Nullable
  private static TestSet testSet(Settings s, Location staging) throws IOException {
    Path in = s.excludeIdentitiesOf();
    if (in == null) {
      return null;
    }
    if (Files.isRegularFile(in.resolve(PrepareManifest.FILE))) {
      Location prepared = Location.of(in);
      return new TestSet(
          prepared,
          false,
          PrepareManifest.read(in).identities(),
          CleanSummaries.testIdentities(prepared));
    }
    Location out = staging.resolve("test-prepared");
    PrepareManifest m =
        PrepareJob.run(
            PrepareJob.Settings.builder().setInput(in).setOutput(out).setRunner(s.runner()).build(),
            ProgressListener.NONE);
    if (m.counts().prepared() == 0) {
      throw new InputException(in, "the test set holds no face that could be prepared");
    }
    return new TestSet(out, true, m.identities(), CleanSummaries.testIdentities(out));
  }

  private static void runPipeline(
      Settings s,
      ModelInfo model,
      boolean cached,
      long prepared,
      Location staging,
      @Nullable Location embStaging,
      @Nullable TestSet test,
      ProgressListener progress)
      throws IOException {
    Runners.Choice runner = Runners.forStage(s.runner(), "clean", prepared, "faces", progress);
    FaceSieveOptions options = Runners.options(runner, "facesieve-clean");
    options.setInput(s.data().spec(false));
    options.setOutput(s.output().spec(false));
    Pipeline p = Pipeline.create(options);
    PCollection<FaceRecord> faces =
        p.apply(
            "ReadFaces", ReadFaceFiles.from(s.data().resolve("faces").spec(true) + "*.parquet"));
    PCollection<SubCentre> centres =
        p.apply(
                "ReadCentres",
                ParquetIO.read(ModelDirectory.CENTRES)
                    .from(s.model().resolve("centres.parquet").spec(false)))
            .apply(
                "ToSubCentres",
                MapElements.into(TypeDescriptor.of(SubCentre.class)).via(SubCentre::fromAvro))
            .setCoder(SubCentre.Coder.of());
    CleanFaces clean =
        CleanFaces.with(model, s.policy())
            .withCentres(centres)
            .sizedFor(prepared, model.classes())
            .withEmbedThreads(embedThreads(runner))
            .withInterClass(interClass(s, model));
    if (test != null) {
      clean =
          clean.withTestFaces(
              p.apply(
                  "ReadTestFaces",
                  ReadFaceFiles.from(test.prepared().resolve("faces").spec(true) + "*.parquet")));
    }
    if (cached) {
      clean =
          clean.withCachedEmbeddings(
              p.apply(
                      "ReadCachedEmbeddings",
                      ParquetIO.read(CleanSchemas.EMBEDDING)
                          .from(s.embeddings().spec(true) + "*.parquet"))
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
    out.quarantined()
        .apply(
            "WriteQuarantine",
            WriteParquet.<QuarantineRecord>to(
                dir(staging, QUARANTINE), FaceSchemas.QUARANTINE, FaceSchemas::toAvro));
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
                .to(staging.resolve("dropped").spec(false))
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
                  .to(staging.resolve("relabelled").spec(false))
                  .withSuffix(".csv")
                  .withoutSharding()
                  .withHeader(RelabelledCsv.HEADER));
    }
    InterClassPolicy.DuplicateIdentities action = s.interClass().duplicateIdentities();
    out.classRows()
        .apply(
            "MergeLines",
            MapElements.into(TypeDescriptors.strings())
                .via(
                    (GenericRecord r) ->
                        nullToEmpty(InterClassFiles.mergeLine(ClassSummary.fromAvro(r), action))))
        .apply(
            "WriteMergesCsv",
            SortedCsv.to(
                staging.resolve(InterClassFiles.MERGES).spec(false),
                InterClassFiles.MERGES_HEADER));
    if (test != null) {
      out.classRows()
          .apply(
              "TestOverlapLines",
              MapElements.into(TypeDescriptors.strings())
                  .via(
                      (GenericRecord r) ->
                          nullToEmpty(InterClassFiles.testOverlapLine(ClassSummary.fromAvro(r)))))
          .apply(
              "WriteTestOverlapCsv",
              SortedCsv.to(
                  staging.resolve(InterClassFiles.TEST_OVERLAP).spec(false),
                  InterClassFiles.TEST_OVERLAP_HEADER));
    }
    PCollection<String> withinCopies =
        PCollectionList.of(out.kept())
            .and(out.dropped())
            .apply("KeptAndDropped", Flatten.pCollections())
            .apply("Copies", Filter.by((GenericRecord r) -> r.get("duplicate_of") != null))
            .apply(
                "CopyLines",
                MapElements.into(TypeDescriptors.strings()).via(InterClassFiles::withinClassLine));
    PCollection<String> acrossCopies = faces.apply("ExactCopiesAcrossClasses", new AcrossClasses());
    PCollectionList.of(withinCopies)
        .and(acrossCopies)
        .apply("AllCopies", Flatten.pCollections())
        .apply(
            "WriteDuplicateImagesCsv",
            SortedCsv.to(
                staging.resolve(InterClassFiles.DUPLICATE_IMAGES).spec(false),
                InterClassFiles.DUPLICATE_IMAGES_HEADER));
    out.calibration()
        .apply(
            "CalibrationToJson",
            MapElements.into(TypeDescriptors.strings()).via(c -> StageJson.write(c)))
        .apply(
            "WriteCalibration",
            TextIO.write()
                .to(staging.resolve(CALIBRATION).spec(false))
                .withSuffix(".json")
                .withoutSharding());
    out.counts()
        .apply("CountsToJson", MapElements.into(TypeDescriptors.strings()).via(StageJson::write))
        .apply(
            "WriteCounts",
            TextIO.write()
                .to(staging.resolve(COUNTS).spec(false))
                .withSuffix(".json")
                .withoutSharding());
    if (embStaging != null) {
      out.embeddings()
          .apply(
              "WriteEmbeddings",
              WriteParquet.<FaceEmbedding>to(
                  embStaging.spec(true), CleanSchemas.EMBEDDING, EmbeddingCache::row));
    }
    StageProgress.run(
        p,
        cached ? "clean (cached embeddings)" : "clean: embedding",
        cached ? EmbeddingCache.class : EmbedFaces.class,
        cached ? EmbeddingCache.READ_COUNTER : EmbedFaces.FACES_EMBEDDED_COUNTER,
        prepared,
        progress);
  }

  /**
   * Copies the small files the driver reads ({@code names}, those present) from the staging folder
   * elsewhere into the local folder {@code to}; returns the names copied. Nothing of {@code kept/}
   * or {@code dropped/} is copied: the driver reads their columns where they are.
   */
  private static List<String> fetch(Location from, Path to, String... names) throws IOException {
    List<String> copied = new ArrayList<>();
    for (String n : names) {
      Location f = from.resolve(n);
      if (f.isFile()) {
        f.copyTo(to.resolve(n));
        copied.add(n);
      }
    }
    return copied;
  }

  /**
   * Writes the files the driver built in the local folder {@code from} (the report, the RecordIO;
   * not the files it {@code fetched} from there) into the staging folder elsewhere.
   */
  private static void upload(Path from, Location to, List<String> fetched) throws IOException {
    for (String e : Location.of(from).tree()) {
      if (!e.endsWith("/") && !fetched.contains(e)) {
        to.resolve(e).copyFrom(from.resolve(e));
      }
    }
  }

  /**
   * Threads per worker's ONNX session: in this JVM (DirectRunner, embedded Flink) the cores shared
   * by {@code --parallelism} workers; on a cluster 1, because runners give each worker (Flink slot,
   * Dataflow harness thread) about a core of its own.
   */
  static int embedThreads(Runners.Choice c) {
    return inProcess(c)
        ? Math.max(1, Runtime.getRuntime().availableProcessors() / c.parallelism())
        : 1;
  }

  /** True for a runner whose workers run in this JVM (DirectRunner, embedded Flink). */
  static boolean inProcess(Runners.Choice c) {
    return c.runner().equals("direct")
        || (c.runner().equals("flink") && c.flinkMaster().startsWith("[local"));
  }

  /**
   * The inter-class policy this run decides with: near copies are found by embedding (an {@code
   * auto} near-duplicate angle) only with a pretrained embedder (a frozen ONNX model). A backbone
   * trained here from scratch crowds distinct pictures of a person together: on the demo's
   * synthetic faces the small CNN put 8% of them within the auto angle of another. Its runs find
   * byte copies only (angle 0), unless an angle is given.
   */
  static InterClassPolicy interClass(Settings s, ModelInfo model) {
    InterClassPolicy p = s.interClass();
    return Double.isNaN(p.nearDuplicateDeg()) && model.onnx() == null
        ? p.withNearDuplicateDeg(0)
        : p;
  }

  private static String nullToEmpty(@Nullable String s) {
    return s == null ? "" : s;
  }

  /**
   * The faces whose exact bytes (sha256) are also filed under another label: one {@code
   * duplicate-images.csv} line per copy after the first (by id) of each digest, when its label
   * differs from the first's. Only digests are grouped, never image bytes.
   */
  static final class AcrossClasses
      extends PTransform<PCollection<FaceRecord>, PCollection<String>> {
    @Override
    public PCollection<String> expand(PCollection<FaceRecord> faces) {
      return faces
          .apply(
              "ByDigest",
              MapElements.into(
                      TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(Copy.class)))
                  .via(f -> KV.of(f.sha256(), new Copy(f.id(), f.label(), f.identity()))))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(Copy.class)))
          .apply("GroupByDigest", GroupByKey.create())
          .apply("CopyLines", ParDo.of(new AcrossClassesFn()));
    }
  }

  /** A face as {@link AcrossClasses} groups it. */
  record Copy(String id, int label, String identity) implements java.io.Serializable {}

  /** One digest's copies to lines. */
  static final class AcrossClassesFn extends DoFn<KV<String, Iterable<Copy>>, String> {
    @ProcessElement
    public void process(@Element KV<String, Iterable<Copy>> kv, OutputReceiver<String> out) {
      List<Copy> copies = new ArrayList<>();
      kv.getValue().forEach(copies::add);
      if (copies.size() < 2) {
        return;
      }
      copies.sort((a, b) -> a.id().compareTo(b.id()));
      Copy first = copies.get(0);
      for (Copy c : copies.subList(1, copies.size())) {
        if (c.label() != first.label()) {
          out.output(
              InterClassFiles.acrossClassesLine(
                  c.id(), c.label(), c.identity(), first.id(), first.label(), first.identity()));
        }
      }
    }
  }

  private static String dir(Location staging, String name) {
    return staging.resolve(name).spec(true);
  }
}
