package dev.facesieve.pipeline;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.input.ColumnMapping;
import dev.facesieve.datasets.input.InputFormat;
import dev.facesieve.datasets.input.InputPlan;
import dev.facesieve.datasets.input.InputPlanner;
import dev.facesieve.datasets.input.InputShard;
import dev.facesieve.datasets.input.PrepareStats;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.transforms.FaceCoders;
import dev.facesieve.transforms.PrepareFaces;
import dev.facesieve.transforms.WriteFaceFiles;
import dev.facesieve.transforms.WriteParquet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.annotation.Nullable;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The {@code prepare} stage: plans the input's shards on the driver, reads and checks every record
 * on the workers, writes {@code faces/*.parquet}, {@code quarantine/*.parquet} and, last, {@code
 * manifest.json}.
 */
public final class PrepareJob {
  /** File that marks a finished {@code prepare} output. */
  public static final String MANIFEST = "manifest.json";

  /** What to prepare and how. */
  public record Settings(
      Path input,
      InputFormat format,
      Path output,
      long maxPixels,
      boolean align,
      @Nullable Path landmarks,
      @Nullable Path truth,
      int shardSize,
      ColumnMapping columns,
      Runners.Choice runner,
      boolean overwrite) {
    public Settings {
      checkArgument(maxPixels > 0, "--max-pixels must be > 0, got %s", maxPixels);
      checkArgument(shardSize > 0, "--shard-size must be > 0, got %s", shardSize);
    }

    public static Settings of(Path input, Path output) {
      return new Settings(
          input,
          InputFormat.AUTO,
          output,
          4096L * 4096L,
          false,
          null,
          null,
          1024,
          ColumnMapping.FACESIEVE,
          Runners.Choice.direct(),
          false);
    }

    public Settings withRunner(Runners.Choice r) {
      return new Settings(
          input, format, output, maxPixels, align, landmarks, truth, shardSize, columns, r,
          overwrite);
    }

    public Settings withOverwrite(boolean o) {
      return new Settings(
          input, format, output, maxPixels, align, landmarks, truth, shardSize, columns, runner, o);
    }

    /** The options that decide the output, for the manifest and for re-run checks. */
    Map<String, Object> describe() {
      Map<String, Object> m = new TreeMap<>();
      m.put("format", format.name().toLowerCase(java.util.Locale.ROOT));
      m.put("max_pixels", maxPixels);
      m.put("align", align);
      m.put("landmarks", landmarks == null ? null : landmarks.toAbsolutePath().toString());
      m.put("truth", truth == null ? null : truth.toAbsolutePath().toString());
      m.put("columns", columns.toString());
      m.put("shard_size", shardSize);
      return m;
    }
  }

  private PrepareJob() {}

  /**
   * Runs the stage and returns the manifest it wrote.
   *
   * @throws dev.facesieve.datasets.InputException for unusable input or output folders
   */
  public static Map<String, Object> run(Settings s) throws IOException {
    return run(s, ProgressListener.NONE);
  }

  /** {@link #run(Settings)}, reporting the records read to {@code progress}. */
  public static Map<String, Object> run(Settings s, ProgressListener progress) throws IOException {
    InputPlan plan =
        InputPlanner.plan(
            InputPlanner.Spec.of(s.input())
                .withFormat(s.format())
                .withShardSize(s.shardSize())
                .withColumns(s.columns())
                .withLandmarks(s.landmarks())
                .withTruth(s.truth()));
    StageOutput out = StageOutput.open(s.output(), MANIFEST, s.overwrite());
    boolean done = false;
    try {
      PrepareStats stats = runPipeline(s, plan, out.staging(), progress);
      Map<String, Object> manifest = manifest(s, plan, stats, out.staging());
      out.commit(List.of("faces", "quarantine"), Json.write(manifest));
      done = true;
      return manifest;
    } finally {
      if (!done) {
        out.abandon();
      }
    }
  }

  private static PrepareStats runPipeline(
      Settings s, InputPlan plan, Path staging, ProgressListener progress) throws IOException {
    FaceSieveOptions options = Runners.options(s.runner(), "facesieve-prepare");
    options.setInput(s.input().toString());
    options.setOutput(s.output().toString());
    options.setMaxPixels(s.maxPixels());
    options.setAlign(s.align());
    options.setShardSize(s.shardSize());
    Pipeline p = Pipeline.create(options);
    PCollectionTuple out =
        p.apply("PlanShards", Create.of(plan.shards()).withCoder(FaceCoders.shards()))
            .apply(
                "PrepareFaces",
                PrepareFaces.create()
                    .withIdentityNames(plan.identityNames())
                    .withMaxPixels(s.maxPixels())
                    .withAlign(s.align()));
    // files laid out by face id, not by bundle: training's sample order, and so the model, must
    // not change from one prepare run to the next
    Files.createDirectories(staging.resolve("faces"));
    out.get(PrepareFaces.FACES)
        .apply(
            "WriteFaces", WriteFaceFiles.to(dir(staging, "faces")).forFaces(plan.plannedRecords()));
    out.get(PrepareFaces.QUARANTINED)
        .apply(
            "WriteQuarantine",
            WriteParquet.<QuarantineRecord>to(
                    dir(staging, "quarantine"), FaceSchemas.QUARANTINE, FaceSchemas::toAvro)
                .withShards(1));
    out.get(PrepareFaces.STATS)
        .apply(
            "StatsToJson", MapElements.into(TypeDescriptors.strings()).via(PrepareJob::statsJson))
        .apply(
            "WriteStats",
            TextIO.write()
                .to(staging.resolve("stats").toString())
                .withSuffix(".json")
                .withoutSharding());
    StageProgress.await(
        p.run(),
        "prepare",
        PrepareFaces.class,
        PrepareFaces.RECORDS_READ_COUNTER,
        plan.plannedRecords(),
        progress);
    return readStats(staging.resolve("stats.json"));
  }

  private static String dir(Path staging, String name) {
    return staging.resolve(name).toAbsolutePath() + "/";
  }

  static String statsJson(PrepareStats s) {
    Map<String, Object> m = new LinkedHashMap<>(s.toMap());
    m.put("images_per_label", s.imagesPerLabel);
    m.put("identities", s.identities);
    return Json.write(m);
  }

  private static PrepareStats readStats(Path file) throws IOException {
    Map<String, Object> m = Json.read(file);
    PrepareStats s = new PrepareStats();
    s.prepared = ((Number) m.get("prepared")).longValue();
    s.aligned = ((Number) m.get("aligned")).longValue();
    s.metadataRecords = ((Number) m.get("metadata_records")).longValue();
    s.quarantinedByReason.putAll(
        Json.MAPPER.convertValue(
            m.get("quarantined_by_reason"), new TypeReference<Map<String, Long>>() {}));
    s.truth.putAll(
        Json.MAPPER.convertValue(m.get("truth"), new TypeReference<Map<String, Long>>() {}));
    s.imagesPerLabel.putAll(
        Json.MAPPER.convertValue(
            m.get("images_per_label"), new TypeReference<Map<Integer, Long>>() {}));
    s.identities.putAll(
        Json.MAPPER.convertValue(
            m.get("identities"), new TypeReference<Map<Integer, String>>() {}));
    return s;
  }

  private static Map<String, Object> manifest(
      Settings s, InputPlan plan, PrepareStats stats, Path staging) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("stage", "prepare");
    m.put("facesieve_version", Version.get());
    Map<String, Object> input = new LinkedHashMap<>();
    input.put("path", s.input().toAbsolutePath().toString());
    input.put("format", plan.format().name().toLowerCase(java.util.Locale.ROOT));
    List<Map<String, Object>> files = new ArrayList<>();
    for (Path f : plan.files()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("path", f.toAbsolutePath().toString());
      if (Files.isRegularFile(f)) {
        e.put("bytes", Files.size(f));
        e.put("sha256", Json.sha256(f));
      } else {
        e.put("listing_sha256", listingHash(plan));
      }
      files.add(e);
    }
    input.put("files", files);
    input.put("skipped", plan.skipped());
    input.put("planned_records", plan.plannedRecords());
    input.put("shards", plan.shards().size());
    m.put("input", input);
    m.put("options", s.describe());
    m.put("runner", s.runner().runner());
    m.put("counts", stats.toMap());
    m.put("images", stats.prepared);
    m.put("identities", stats.imagesPerLabel.size());
    m.put("labels", new TreeMap<>(stats.identities));
    m.put("images_per_label", stats.imagesPerLabel);
    m.put(
        "outputs",
        Map.of(
            "faces",
            parquetFiles(staging.resolve("faces")),
            "quarantine",
            parquetFiles(staging.resolve("quarantine"))));
    // The outputs are a function of the inputs, the options and the version: their hash is the
    // data's fingerprint that later stages record (hashing gigabytes of Parquet would be slower).
    m.put("fingerprint", Json.sha256(Json.write(List.of(files, s.describe(), Version.get()))));
    return m;
  }

  private static String listingHash(InputPlan plan) {
    StringBuilder sb = new StringBuilder();
    for (InputShard sh : plan.shards()) {
      if (sh instanceof InputShard.Folder f) {
        Path root = Path.of(f.root());
        for (InputShard.FolderEntry e : f.entries()) {
          long size;
          try {
            size = Files.size(root.resolve(e.relativePath()));
          } catch (IOException ex) {
            size = -1;
          }
          sb.append(e.relativePath()).append('\t').append(size).append('\n');
        }
      }
    }
    return Json.sha256(sb.toString());
  }

  private static List<Map<String, Object>> parquetFiles(Path dir) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> st = Files.list(dir)) {
      for (Path f : st.filter(p -> p.toString().endsWith(".parquet")).sorted().toList()) {
        out.add(
            Map.of(
                "file",
                dir.getFileName() + "/" + f.getFileName(),
                "rows",
                ParquetFiles.rowCount(f),
                "bytes",
                Files.size(f)));
      }
    }
    return out;
  }
}
