package dev.facesieve.pipeline;

import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.datasets.recordio.InsightFaceRecWriter;
import dev.facesieve.datasets.recordio.RecordIOReader;
import dev.facesieve.datasets.recordio.RecordIOWriter;
import dev.facesieve.model.ModelDirectory;
import dev.facesieve.model.ModelInfo;
import dev.facesieve.reports.CleanRun;
import dev.facesieve.reports.NoiseReport;
import dev.facesieve.transforms.CleanFaces;
import dev.facesieve.transforms.CleaningPolicy;
import dev.facesieve.transforms.FaceCoders;
import dev.facesieve.transforms.FaceEmbedding;
import dev.facesieve.transforms.ScoreAgainstSubCenters;
import dev.facesieve.transforms.WriteFaceFiles;
import dev.facesieve.transforms.WriteParquet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.annotation.Nullable;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The {@code clean} stage: scores every prepared face against its class's dominant sub-centre,
 * writes kept and dropped faces, per-class rows, {@code dropped.csv}, optionally an InsightFace
 * RecordIO of the kept set, and, last, {@code summary.json}.
 */
public final class CleanJob {
  public static final String SUMMARY = "summary.json";
  static final String EMBEDDINGS_MARKER = "embeddings.json";

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
      NoiseReport.Options report) {
    public static Settings of(Path data, Path model, Path output) {
      return new Settings(
          data,
          model,
          output,
          CleaningPolicy.dropPy(),
          null,
          false,
          Runners.Choice.direct(),
          false,
          NoiseReport.Options.defaults());
    }

    public Settings withPolicy(CleaningPolicy p) {
      return new Settings(
          data, model, output, p, embeddings, emitRecordIO, runner, overwrite, report);
    }

    public Settings withEmbeddings(@Nullable Path e) {
      return new Settings(data, model, output, policy, e, emitRecordIO, runner, overwrite, report);
    }

    public Settings withRecordIO(boolean b) {
      return new Settings(data, model, output, policy, embeddings, b, runner, overwrite, report);
    }

    public Settings withRunner(Runners.Choice r) {
      return new Settings(
          data, model, output, policy, embeddings, emitRecordIO, r, overwrite, report);
    }

    public Settings withOverwrite(boolean o) {
      return new Settings(data, model, output, policy, embeddings, emitRecordIO, runner, o, report);
    }

    /** How the noise report written at the end of the run is made. */
    public Settings withReport(NoiseReport.Options r) {
      return new Settings(
          data, model, output, policy, embeddings, emitRecordIO, runner, overwrite, r);
    }
  }

  private CleanJob() {}

  /** Runs the stage and returns the summary it wrote. */
  public static Map<String, Object> run(Settings s) throws IOException {
    return run(s, ProgressListener.NONE);
  }

  /** {@link #run(Settings)}, reporting the faces embedded to {@code progress}. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> run(Settings s, ProgressListener progress) throws IOException {
    Path manifestFile = s.data().resolve(PrepareJob.MANIFEST);
    if (!Files.isRegularFile(manifestFile)) {
      throw new InputException(
          s.data(), "not a finished 'facesieve prepare' output (no " + "manifest.json)");
    }
    ModelInfo model;
    try {
      model = ModelInfo.read(s.model());
    } catch (IllegalArgumentException e) {
      throw new InputException(
          s.model(), "not a finished 'facesieve train' output (no " + "model.json)");
    }
    Map<String, Object> manifest = Json.read(manifestFile);
    Map<String, Object> labels = (Map<String, Object>) manifest.get("labels");
    for (String l : labels.keySet()) {
      if (Integer.parseInt(l) >= model.classes()) {
        throw new InputException(
            s.model(),
            "the model has "
                + model.classes()
                + " classes but the data has label "
                + l
                + "; train on this data first");
      }
    }
    Map<String, Object> modelJson = Json.read(s.model().resolve(ModelDirectory.MODEL_JSON));
    String dataFingerprint = (String) manifest.get("fingerprint");
    boolean cached = s.embeddings() != null && cacheMatches(s.embeddings(), model, dataFingerprint);

    StageOutput out = StageOutput.open(s.output(), SUMMARY, s.overwrite());
    Path staging = out.staging();
    Path embStaging =
        s.embeddings() == null || cached
            ? null
            : s.output().resolve(".staging").resolve("embeddings");
    boolean done = false;
    try {
      runPipeline(s, model, cached, preparedCount(manifest), staging, embStaging, progress);
      Path classesDir = staging.resolve("classes-tmp");
      List<Path> cf = ParquetFiles.list(classesDir);
      Files.move(cf.get(0), staging.resolve("classes.parquet"));
      StageOutput.deleteRecursively(classesDir);
      List<String> entries =
          new ArrayList<>(List.of("kept", "dropped", "classes.parquet", "dropped.csv"));
      if (s.emitRecordIO()) {
        writeRecordIO(staging.resolve("kept"), staging.resolve("recordio"));
        entries.add("recordio");
      }
      Map<String, Object> summary = summary(s, model, manifest, modelJson, staging, cached);
      // the report is part of the run: staged with the outputs, in place before summary.json
      NoiseReport.write(
          CleanRun.read(staging, summary, null).locatedAt(s.output()), s.report(), staging);
      entries.add(NoiseReport.JSON_FILE);
      entries.add(NoiseReport.HTML_FILE);
      if (embStaging != null) {
        commitEmbeddings(embStaging, s.embeddings(), model, dataFingerprint);
      }
      out.commit(entries, Json.write(summary));
      done = true;
      return summary;
    } finally {
      if (!done) {
        out.abandon();
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
        p.apply("ReadFaces", ParquetIO.read(FaceSchemas.FACE).from(glob(s.data().resolve("faces"))))
            .apply(
                "ToFaceRecords",
                MapElements.into(TypeDescriptor.of(FaceRecord.class))
                    .via(FaceSchemas::faceFromAvro))
            .setCoder(FaceCoders.faces());
    PCollection<KV<Integer, KV<Integer, float[]>>> centres =
        p.apply(
                "ReadCentres",
                ParquetIO.read(ModelDirectory.CENTRES)
                    .from(s.model().resolve("centres.parquet").toAbsolutePath().toString()))
            .apply(
                "KeyCentresByClass",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.integers(),
                            TypeDescriptors.kvs(
                                TypeDescriptors.integers(), TypeDescriptor.of(float[].class))))
                    .via(
                        (GenericRecord r) ->
                            KV.of(
                                (Integer) r.get("class"),
                                KV.of(
                                    (Integer) r.get("sub_center"),
                                    FaceSchemas.floats(r.get("vector"))))))
            .setCoder(
                KvCoder.of(
                    VarIntCoder.of(),
                    KvCoder.of(VarIntCoder.of(), SerializableCoder.of(float[].class))));
    PCollectionTuple in =
        PCollectionTuple.of(CleanFaces.FACES, faces).and(ScoreAgainstSubCenters.CENTRES, centres);
    if (cached) {
      PCollection<FaceEmbedding> emb =
          p.apply(
                  "ReadCachedEmbeddings",
                  ParquetIO.read(CleanSchemas.EMBEDDING).from(glob(s.embeddings())))
              .apply(
                  "ToEmbeddings",
                  MapElements.into(TypeDescriptor.of(FaceEmbedding.class))
                      .via(
                          (GenericRecord r) ->
                              new FaceEmbedding(
                                  r.get("id").toString(),
                                  (Integer) r.get("label"),
                                  FaceSchemas.floats(r.get("vector")))))
              .setCoder(FaceEmbedding.Coder.of());
      in = in.and(ScoreAgainstSubCenters.EMBEDDINGS, emb);
    }
    PCollectionTuple out =
        in.apply(
            "CleanFaces",
            CleanFaces.with(model, s.policy())
                .sizedFor(prepared, model.classes())
                .withEmbedThreads(embedThreads(s.runner())));
    out.get(CleanFaces.KEPT)
        .apply(
            "WriteKept",
            WriteParquet.<GenericRecord>to(dir(staging, "kept"), CleanSchemas.CLEANED, r -> r));
    out.get(CleanFaces.DROPPED)
        .apply(
            "WriteDropped",
            WriteParquet.<GenericRecord>to(dir(staging, "dropped"), CleanSchemas.CLEANED, r -> r));
    out.get(CleanFaces.CLASS_ROWS)
        .apply(
            "WriteClasses",
            WriteParquet.<GenericRecord>to(dir(staging, "classes-tmp"), CleanSchemas.CLASS, r -> r)
                .withShards(1));
    out.get(CleanFaces.DROPPED)
        .apply("ToCsv", MapElements.into(TypeDescriptors.strings()).via(CleanJob::csvLine))
        .apply(
            "WriteDroppedCsv",
            TextIO.write()
                .to(staging.resolve("dropped").toString())
                .withSuffix(".csv")
                .withoutSharding()
                .withHeader("id,label,identity,reason,angle_deg"));
    if (embStaging != null) {
      out.get(ScoreAgainstSubCenters.EMBEDDINGS)
          .apply(
              "WriteEmbeddings",
              WriteParquet.<FaceEmbedding>to(
                  embStaging.toAbsolutePath() + "/",
                  CleanSchemas.EMBEDDING,
                  CleanJob::embeddingRow));
    }
    StageProgress.await(
        p.run(),
        cached ? "clean (cached embeddings)" : "clean: embedding",
        dev.facesieve.transforms.EmbedFaces.class,
        dev.facesieve.transforms.EmbedFaces.FACES_EMBEDDED_COUNTER,
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

  @SuppressWarnings("unchecked")
  private static long preparedCount(Map<String, Object> manifest) {
    Map<String, Object> counts = (Map<String, Object>) manifest.get("counts");
    return ((Number) counts.get("prepared")).longValue();
  }

  static GenericRecord embeddingRow(FaceEmbedding e) {
    GenericRecord r = new GenericData.Record(CleanSchemas.EMBEDDING);
    r.put("id", e.id());
    r.put("label", e.label());
    r.put("vector", FaceSchemas.floatList(e.vector()));
    return r;
  }

  static String csvLine(GenericRecord r) {
    return csv(r.get("id").toString())
        + ","
        + r.get("original_label")
        + ","
        + csv(r.get("identity").toString())
        + ","
        + r.get("reason")
        + ","
        + String.format(Locale.ROOT, "%.3f", (Double) r.get("angle_deg"));
  }

  /** RFC 4180 quoting when a field holds a comma, quote or line break. */
  static String csv(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  private static String glob(Path dir) {
    return dir.toAbsolutePath() + "/*.parquet";
  }

  private static String dir(Path staging, String name) {
    return staging.resolve(name).toAbsolutePath() + "/";
  }

  // ---------------------------------------------------------------- embedding cache

  private static boolean cacheMatches(Path dir, ModelInfo model, String fingerprint)
      throws IOException {
    Path marker = dir.resolve(EMBEDDINGS_MARKER);
    if (!Files.isRegularFile(marker)) {
      return false;
    }
    Map<String, Object> m = Json.read(marker);
    return model.sha256().equals(m.get("model_sha256"))
        && String.valueOf(fingerprint).equals(m.get("data_fingerprint"));
  }

  private static void commitEmbeddings(Path staged, Path dir, ModelInfo model, String fingerprint)
      throws IOException {
    Files.createDirectories(dir);
    Files.deleteIfExists(dir.resolve(EMBEDDINGS_MARKER));
    for (Path old : ParquetFiles.list(dir)) {
      Files.delete(old);
    }
    for (Path f : ParquetFiles.list(staged)) {
      Files.move(f, dir.resolve(f.getFileName()));
    }
    StageOutput.deleteRecursively(staged);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", model.directory());
    m.put("model_sha256", model.sha256());
    m.put("data_fingerprint", fingerprint);
    m.put("facesieve_version", Version.get());
    Files.writeString(dir.resolve(EMBEDDINGS_MARKER), Json.write(m));
  }

  // ---------------------------------------------------------------- RecordIO of the kept set

  /**
   * Writes the kept set as InsightFace {@code train.rec/.idx/property}. Images of one label must be
   * consecutive there, so records are first copied to a scratch RecordIO in arrival order, then
   * rewritten by label and, within a label, by a 64-bit hash of the face id (a few dozen bytes of
   * memory per record). Arrival order follows the runner's bundles; the hash makes the RecordIO,
   * its keys, and so a retraining on it, the same on every run.
   */
  static void writeRecordIO(Path keptDir, Path out) throws IOException {
    Path scratchRec = out.resolveSibling("scratch.rec");
    Path scratchIdx = out.resolveSibling("scratch.idx");
    List<long[]> index = new ArrayList<>(); // {label, hash of the id, offset}
    TreeMap<Integer, String> names = new TreeMap<>();
    try (RecordIOWriter w = new RecordIOWriter(scratchRec, scratchIdx)) {
      long key = 0;
      for (Path f : ParquetFiles.list(keptDir)) {
        try (var reader = ParquetFiles.open(f)) {
          GenericRecord r;
          while ((r = reader.read()) != null) {
            int label = (Integer) r.get("label");
            names.putIfAbsent(label, r.get("identity").toString());
            long order = WriteFaceFiles.orderOf(r.get("id").toString());
            index.add(new long[] {label, order, w.position()});
            w.write(key++, FaceSchemas.bytes(r.get("image")));
          }
        }
      }
    }
    index.sort(
        Comparator.<long[]>comparingLong(e -> e[0])
            .thenComparingLong(e -> e[1])
            .thenComparingLong(e -> e[2]));
    try (RecordIOReader in = new RecordIOReader(scratchRec);
        InsightFaceRecWriter w = new InsightFaceRecWriter(out)) {
      for (long[] e : index) {
        int label = (int) e[0];
        w.add(label, names.get(label), in.read(e[2]), 112, 112);
      }
    }
    Files.deleteIfExists(scratchRec);
    Files.deleteIfExists(scratchIdx);
  }

  // ---------------------------------------------------------------- summary

  private static final org.apache.avro.Schema TRUTH_ONLY =
      org.apache.avro.SchemaBuilder.record("CleanedFace")
          .namespace("dev.facesieve")
          .fields()
          .optionalString("truth")
          .endRecord();

  /**
   * Precision and recall of "dropped" against "noisy" when the data carries ground truth; corrupt
   * images were quarantined by prepare and count as found noise. Reads only the truth column.
   */
  @Nullable
  static Map<String, Object> quality(Path staging, @Nullable Map<String, Object> truth)
      throws IOException {
    if (truth == null || truth.isEmpty()) {
      return null;
    }
    long[] keptNoisy = {0};
    long[] keptKnown = {0};
    long[] droppedNoisy = {0};
    long[] droppedKnown = {0};
    for (String side : new String[] {"kept", "dropped"}) {
      boolean isDropped = side.equals("dropped");
      for (Path f : ParquetFiles.list(staging.resolve(side))) {
        ParquetFiles.readColumns(
            f,
            TRUTH_ONLY,
            r -> {
              Object t = r.get("truth");
              if (t == null) {
                return;
              }
              boolean noisy = !t.toString().equals("clean");
              (isDropped ? droppedKnown : keptKnown)[0]++;
              if (noisy) {
                (isDropped ? droppedNoisy : keptNoisy)[0]++;
              }
            });
      }
    }
    if (keptKnown[0] + droppedKnown[0] == 0) {
      return null;
    }
    long corrupt = truth.get("corrupt") == null ? 0 : ((Number) truth.get("corrupt")).longValue();
    long noisyPrepared = keptNoisy[0] + droppedNoisy[0];
    Map<String, Object> q = new LinkedHashMap<>();
    q.put("noisy_in_prepared", noisyPrepared);
    q.put("dropped", droppedKnown[0]);
    q.put("dropped_noisy", droppedNoisy[0]);
    double precision = droppedKnown[0] == 0 ? 0 : droppedNoisy[0] / (double) droppedKnown[0];
    double recall = noisyPrepared == 0 ? 1 : droppedNoisy[0] / (double) noisyPrepared;
    q.put("precision", precision);
    q.put("recall", recall);
    q.put("f1", precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall));
    q.put("corrupt_quarantined_by_prepare", corrupt);
    q.put("note", "precision/recall of 'dropped' vs 'noisy' over prepared faces");
    return q;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> summary(
      Settings s,
      ModelInfo model,
      Map<String, Object> manifest,
      Map<String, Object> modelJson,
      Path staging,
      boolean cached)
      throws IOException {
    long kept = 0;
    long dropped = 0;
    for (Path f : ParquetFiles.list(staging.resolve("kept"))) {
      kept += ParquetFiles.rowCount(f);
    }
    for (Path f : ParquetFiles.list(staging.resolve("dropped"))) {
      dropped += ParquetFiles.rowCount(f);
    }
    Map<String, Long> byReason = new TreeMap<>();
    for (String r : new String[] {"OUTLIER_ANGLE", "NON_DOMINANT", "SMALL_CLASS"}) {
      byReason.put(r, 0L);
    }
    long classKept = 0;
    int classesBefore = 0;
    int classesAfter = 0;
    for (GenericRecord c : ParquetFiles.readAll(staging.resolve("classes.parquet"))) {
      classesBefore++;
      classesAfter += (Integer) c.get("kept") > 0 ? 1 : 0;
      classKept += (Integer) c.get("kept");
      byReason.merge("OUTLIER_ANGLE", (long) (Integer) c.get("dropped_outlier_angle"), Long::sum);
      byReason.merge("NON_DOMINANT", (long) (Integer) c.get("dropped_non_dominant"), Long::sum);
      byReason.merge("SMALL_CLASS", (long) (Integer) c.get("dropped_small_class"), Long::sum);
    }
    Map<String, Object> counts = (Map<String, Object>) manifest.get("counts");
    long prepared = ((Number) counts.get("prepared")).longValue();
    long quarantined = ((Number) counts.get("quarantined")).longValue();
    long input = ((Number) counts.get("read")).longValue();
    long droppedByReason = byReason.values().stream().mapToLong(Long::longValue).sum();
    if (kept + dropped != prepared
        || classKept != kept
        || droppedByReason != dropped
        || input != kept + dropped + quarantined) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "counts do not reconcile: input %d, kept %d (classes say %d), dropped %d (by reason"
                  + " %d), quarantined %d, prepared %d",
              input,
              kept,
              classKept,
              dropped,
              droppedByReason,
              quarantined,
              prepared));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("stage", "clean");
    m.put("facesieve_version", Version.get());
    m.put("input", input);
    m.put("quarantined", quarantined);
    m.put("quarantined_by_reason", counts.get("quarantined_by_reason"));
    m.put("kept", kept);
    m.put("dropped", dropped);
    m.put("dropped_by_reason", byReason);
    m.put("classes_before", classesBefore);
    m.put("classes_after", classesAfter);
    m.put("noise_rate", prepared == 0 ? 0.0 : dropped / (double) prepared);
    Map<String, Object> opts = new LinkedHashMap<>();
    opts.put("policy", s.policy().name());
    opts.put("threshold_deg", s.policy().thresholdDeg());
    opts.put("min_class_size", s.policy().minClassSize());
    opts.put(
        "embeddings", s.embeddings() == null ? null : s.embeddings().toAbsolutePath().toString());
    opts.put("embeddings_reused", cached);
    opts.put("emit_recordio", s.emitRecordIO());
    opts.put("runner", s.runner().runner());
    m.put("options", opts);
    m.put("data", s.data().toAbsolutePath().toString());
    m.put("data_fingerprint", manifest.get("fingerprint"));
    m.put("model", s.model().toAbsolutePath().toString());
    m.put("model_sha256", model.sha256());
    m.put("model_data_fingerprint", modelJson.get("data_fingerprint"));
    m.put(
        "model_trained_on_this_data",
        String.valueOf(manifest.get("fingerprint")).equals(modelJson.get("data_fingerprint")));
    Map<String, Object> quality = quality(staging, (Map<String, Object>) counts.get("truth"));
    if (quality != null) {
      m.put("quality_vs_truth", quality);
    }
    return m;
  }
}
