package dev.facesieve.pipeline;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoBuilder;
import dev.facesieve.datasets.FaceSchemas;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.datasets.input.ColumnMapping;
import dev.facesieve.datasets.input.FacePreparer;
import dev.facesieve.datasets.input.InputFormat;
import dev.facesieve.datasets.input.InputPlan;
import dev.facesieve.datasets.input.InputPlanner;
import dev.facesieve.datasets.input.PrepareStats;
import dev.facesieve.datasets.input.ShardReader;
import dev.facesieve.datasets.io.HadoopFiles;
import dev.facesieve.datasets.io.LocalFiles;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.transforms.FaceCoders;
import dev.facesieve.transforms.PrepareFaces;
import dev.facesieve.transforms.WriteFaceFiles;
import dev.facesieve.transforms.WriteParquet;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.annotation.Nullable;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The {@code prepare} stage: plans the input's shards on the driver, reads and checks every record
 * on the workers, writes {@code faces/*.parquet}, {@code quarantine/*.parquet} and, last, {@code
 * manifest.json}.
 */
public final class PrepareJob {
  /** File that marks a finished {@code prepare} output. */
  public static final String MANIFEST = PrepareManifest.FILE;

  /** What to prepare and how. */
  public record Settings(
      Location input,
      InputFormat format,
      Location output,
      long maxPixels,
      boolean align,
      @Nullable Path landmarks,
      @Nullable Path truth,
      int shardSize,
      ColumnMapping columns,
      Runners.Choice runner,
      boolean overwrite,
      long maxBytes) {
    public Settings {
      checkArgument(maxPixels > 0, "--max-pixels must be > 0, got %s", maxPixels);
      checkArgument(
          maxBytes > 0 && maxBytes <= ShardReader.LARGEST_MAX_BYTES,
          "--max-bytes must be between 1 and %s, got %s",
          ShardReader.LARGEST_MAX_BYTES,
          maxBytes);
      checkArgument(shardSize > 0, "--shard-size must be > 0, got %s", shardSize);
    }

    /**
     * A builder with every default set: {@link InputPlanner.Spec#DEFAULT_FORMAT}, {@link
     * FacePreparer#DEFAULT_MAX_PIXELS}, no alignment, no side files, {@link
     * InputPlanner.Spec#DEFAULT_SHARD_SIZE}, {@link InputPlanner.Spec#DEFAULT_COLUMNS}, the direct
     * runner, no overwriting, {@link ShardReader#DEFAULT_MAX_BYTES}.
     */
    public static Builder builder() {
      return new AutoBuilder_PrepareJob_Settings_Builder()
          .setFormat(InputPlanner.Spec.DEFAULT_FORMAT)
          .setMaxPixels(FacePreparer.DEFAULT_MAX_PIXELS)
          .setAlign(false)
          .setShardSize(InputPlanner.Spec.DEFAULT_SHARD_SIZE)
          .setColumns(InputPlanner.Spec.DEFAULT_COLUMNS)
          .setRunner(Runners.Choice.direct())
          .setOverwrite(false)
          .setMaxBytes(ShardReader.DEFAULT_MAX_BYTES);
    }

    public Builder toBuilder() {
      return new AutoBuilder_PrepareJob_Settings_Builder(this);
    }

    /** The defaults for everything but the input and the output folder. */
    public static Settings of(Path input, Path output) {
      return builder().setInput(input).setOutput(output).build();
    }

    public Settings withRunner(Runners.Choice r) {
      return toBuilder().setRunner(r).build();
    }

    public Settings withOverwrite(boolean o) {
      return toBuilder().setOverwrite(o).build();
    }

    /** The options that decide the output, for the manifest and for re-run checks. */
    PrepareManifest.Options describe() {
      return new PrepareManifest.Options(
          align,
          columns.toString(),
          format.name().toLowerCase(Locale.ROOT),
          landmarks == null ? null : landmarks.toAbsolutePath().toString(),
          maxBytes,
          maxPixels,
          shardSize,
          truth == null ? null : truth.toAbsolutePath().toString());
    }

    /** Builds {@link Settings}; the input and output are required. */
    @AutoBuilder
    public interface Builder {
      Builder setInput(Location input);

      /** The input as a local path. */
      default Builder setInput(Path input) {
        return setInput(Location.of(input));
      }

      Builder setFormat(InputFormat format);

      Builder setOutput(Location output);

      /** The output folder as a local path. */
      default Builder setOutput(Path output) {
        return setOutput(Location.of(output));
      }

      Builder setMaxPixels(long maxPixels);

      Builder setAlign(boolean align);

      Builder setLandmarks(@Nullable Path landmarks);

      Builder setTruth(@Nullable Path truth);

      Builder setShardSize(int shardSize);

      Builder setColumns(ColumnMapping columns);

      Builder setRunner(Runners.Choice runner);

      Builder setOverwrite(boolean overwrite);

      Builder setMaxBytes(long maxBytes);

      Settings build();
    }
  }

  private PrepareJob() {}

  /**
   * Runs the stage and returns the manifest it wrote.
   *
   * @throws dev.facesieve.datasets.InputException for unusable input or output folders
   */
  public static PrepareManifest run(Settings s) throws IOException {
    return run(s, ProgressListener.NONE);
  }

  /**
   * Checks what the stage reads before it reads anything: the input exists and has a format, and
   * the side files given are readable files. (The input's structure is checked by planning, the
   * first thing {@link #run} does, before it writes anything.)
   *
   * @throws InputException naming the file and the problem
   */
  public static void check(Settings s) {
    if (s.input().isLocal()) {
      Path in = s.input().local("--input");
      if (!Files.exists(in)) {
        throw new InputException(in, "input not found");
      }
      if (s.format() == InputFormat.AUTO) {
        InputFormat.detect(in);
      }
    } else {
      // asked of Hadoop's FileSystem, which plans and reads a remote input (an object store's
      // through BeamBackedFileSystem)
      URI uri = URI.create(s.input().spec(false));
      try {
        if (!HadoopFiles.fileSystem(uri).exists(new org.apache.hadoop.fs.Path(uri))) {
          throw new InputException(s.input().toString(), "input not found");
        }
      } catch (IOException e) {
        throw new InputException(s.input().toString(), "cannot read: " + e.getMessage(), e);
      }
    }
    if (s.landmarks() != null) {
      InputFiles.requireReadable(s.landmarks(), "--landmarks file");
    }
    if (s.truth() != null) {
      InputFiles.requireReadable(s.truth(), "--truth file");
    }
  }

  /** {@link #run(Settings)}, reporting the records read to {@code progress}. */
  public static PrepareManifest run(Settings s, ProgressListener progress) throws IOException {
    check(s);
    OutputGuard.refuseOverlap(s.output(), locations(s.input(), s.landmarks(), s.truth()));
    InputPlan plan =
        s.input().isLocal()
            ? InputPlanner.plan(
                InputPlanner.Spec.builder()
                    .setInput(s.input().local("--input"))
                    .setFormat(s.format())
                    .setShardSize(s.shardSize())
                    .setColumns(s.columns())
                    .setLandmarksFile(s.landmarks())
                    .setTruthFile(s.truth())
                    .build())
            : InputPlanner.planRemote(
                URI.create(s.input().spec(false)),
                s.format(),
                s.shardSize(),
                s.columns(),
                s.landmarks(),
                s.truth());
    StageOutput out =
        StageOutput.open(
            s.output(),
            OutputKind.PREPARE,
            MANIFEST,
            s.overwrite(),
            locations(s.input(), s.landmarks(), s.truth()));
    boolean done = false;
    try {
      StatsFile stats = runPipeline(s, plan, out.stagingLocation(), progress);
      PrepareManifest manifest = manifest(s, plan, stats, out.stagingLocation());
      reconcile(plan, manifest);
      out.commit(List.of("faces", "quarantine"), StageJson.write(manifest));
      done = true;
      return manifest;
    } finally {
      if (!done) {
        out.abandon();
      }
    }
  }

  private static Location[] locations(Location input, @Nullable Path... sideFiles) {
    return java.util.stream.Stream.concat(
            java.util.stream.Stream.of(input),
            java.util.Arrays.stream(sideFiles).map(p -> p == null ? null : Location.of(p)))
        .toArray(Location[]::new);
  }

  private static StatsFile runPipeline(
      Settings s, InputPlan plan, Location staging, ProgressListener progress) throws IOException {
    Runners.Choice runner =
        Runners.forStage(s.runner(), "prepare", inputRecords(plan), "input records", progress);
    FaceSieveOptions options = Runners.options(runner, "facesieve-prepare");
    options.setInput(s.input().toString());
    options.setOutput(s.output().toString());
    Pipeline p = Pipeline.create(options);
    PCollectionTuple out =
        p.apply("PlanShards", Create.of(plan.shards()).withCoder(FaceCoders.shards()))
            .apply(
                "PrepareFaces",
                PrepareFaces.create()
                    .withIdentityNames(plan.identityNames())
                    .withMaxPixels(s.maxPixels())
                    .withMaxBytes(s.maxBytes())
                    .withAlign(s.align()));
    // files laid out by face id, not by bundle: training's sample order, and so the model, must
    // not change from one prepare run to the next
    staging.resolve("faces").createDirectories();
    PCollectionTuple written =
        out.get(PrepareFaces.FACES)
            .apply(
                "WriteFaces",
                WriteFaceFiles.to(staging.resolve("faces").spec(true))
                    .forFaces(plan.plannedRecords()));
    // a repeated id is found where the faces meet by id: its repeats join the quarantine
    PCollection<QuarantineRecord> repeats = written.get(WriteFaceFiles.REPEATS);
    PCollectionList.of(out.get(PrepareFaces.QUARANTINED))
        .and(repeats)
        .apply("AllQuarantined", Flatten.pCollections())
        .setCoder(FaceCoders.quarantined())
        .apply(
            "WriteQuarantine",
            WriteParquet.<QuarantineRecord>to(
                    staging.resolve("quarantine").spec(true),
                    FaceSchemas.QUARANTINE,
                    FaceSchemas::toAvro)
                .withShards(1));
    PrepareFaces.withRepeats(out.get(PrepareFaces.STATS), repeats)
        .apply(
            "StatsToJson", MapElements.into(TypeDescriptors.strings()).via(PrepareJob::statsJson))
        .apply(
            "WriteStats",
            TextIO.write()
                .to(staging.resolve("stats").spec(false))
                .withSuffix(".json")
                .withoutSharding());
    StageProgress.run(
        p,
        "prepare",
        PrepareFaces.class,
        PrepareFaces.RECORDS_READ_COUNTER,
        plan.plannedRecords(),
        progress);
    return StageJson.MAPPER.readValue(staging.resolve("stats.json").readString(), StatsFile.class);
  }

  /**
   * Fails the run unless every input record is accounted for: {@code .idx} entries, image files or
   * Parquet rows = prepared + quarantined + metadata records = {@code read}, and the Parquet files
   * written hold exactly the prepared and quarantined records.
   *
   * @throws IllegalStateException when the counts disagree (nothing is committed then)
   */
  static void reconcile(InputPlan plan, PrepareManifest m) throws IOException {
    PrepareManifest.Counts c = m.counts();
    long input = inputRecords(plan);
    long faceRows = m.outputs().faces().stream().mapToLong(PrepareManifest.OutputFile::rows).sum();
    long quarantineRows =
        m.outputs().quarantine().stream().mapToLong(PrepareManifest.OutputFile::rows).sum();
    if (input != c.read()
        || c.read() != c.prepared() + c.quarantined() + c.metadataRecords()
        || faceRows != c.prepared()
        || quarantineRows != c.quarantined()) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "counts do not reconcile: input %d records, read %d = prepared %d + quarantined %d"
                  + " %s + metadata %d; faces/ holds %d rows, quarantine/ %d",
              input,
              c.read(),
              c.prepared(),
              c.quarantined(),
              c.quarantinedByReason(),
              c.metadataRecords(),
              faceRows,
              quarantineRows));
    }
  }

  /** The input's records: {@code .idx} entries, image files, or Parquet rows (from footers). */
  private static long inputRecords(InputPlan plan) throws IOException {
    if (plan.format() != InputFormat.PARQUET) {
      return plan.plannedRecords();
    }
    long rows = 0;
    for (Path f : plan.files()) {
      rows += ParquetFiles.rowCount(f);
    }
    for (URI f : plan.remoteFiles()) {
      rows += ParquetFiles.rowCount(f, HadoopFiles.configuration());
    }
    return rows;
  }

  /** The merged counts, handed from the pipeline to the driver through {@code stats.json}. */
  record StatsFile(
      PrepareManifest.Counts counts,
      SortedMap<Integer, Long> imagesPerLabel,
      SortedMap<Integer, String> identities) {}

  static String statsJson(PrepareStats s) {
    return StageJson.write(
        new StatsFile(s.counts(), new TreeMap<>(s.imagesPerLabel), new TreeMap<>(s.identities)));
  }

  private static PrepareManifest manifest(
      Settings s, InputPlan plan, StatsFile stats, Location staging) throws IOException {
    List<PrepareManifest.InputFile> files = new ArrayList<>();
    for (Path f : plan.files()) {
      String path = f.toAbsolutePath().toString();
      files.add(
          Files.isRegularFile(f)
              ? PrepareManifest.InputFile.ofFile(path, Files.size(f), LocalFiles.sha256(f))
              : PrepareManifest.InputFile.ofFolder(path, plan.listingSha256()));
    }
    for (URI f : plan.remoteFiles()) {
      files.add(
          plan.listingSha256() != null
              ? PrepareManifest.InputFile.ofFolder(f.toString(), plan.listingSha256())
              : PrepareManifest.InputFile.ofFile(
                  f.toString(),
                  // sized by the file system that read it, as it is hashed
                  HadoopFiles.fileSystem(f)
                      .getFileStatus(new org.apache.hadoop.fs.Path(f))
                      .getLen(),
                  HadoopFiles.sha256(f)));
    }
    PrepareManifest.Input input =
        new PrepareManifest.Input(
            files,
            plan.format().name().toLowerCase(Locale.ROOT),
            s.input().isLocal()
                ? s.input().local("--input").toAbsolutePath().toString()
                : s.input().spec(false),
            plan.plannedRecords(),
            plan.shards().size(),
            new TreeMap<>(plan.skipped()));
    PrepareManifest.Options options = s.describe();
    return new PrepareManifest(
        stats.counts(),
        Version.get(),
        PrepareManifest.fingerprint(files, options, Version.get()),
        stats.imagesPerLabel().size(),
        stats.counts().prepared(),
        stats.imagesPerLabel(),
        input,
        stats.identities(),
        null,
        options,
        new PrepareManifest.Outputs(
            parquetFiles(staging.resolve("faces")), parquetFiles(staging.resolve("quarantine"))),
        s.runner().forFaces(inputRecords(plan)).runner(),
        PrepareManifest.STAGE);
  }

  private static List<PrepareManifest.OutputFile> parquetFiles(Location dir) throws IOException {
    List<PrepareManifest.OutputFile> out = new ArrayList<>();
    if (!dir.isDirectory()) {
      return out;
    }
    for (String name : dir.list()) {
      if (name.endsWith(".parquet")) {
        Location f = dir.resolve(name);
        out.add(new PrepareManifest.OutputFile(f.size(), dir.name() + "/" + name, f.parquetRows()));
      }
    }
    return out;
  }
}
