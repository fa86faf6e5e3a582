package dev.facesieve.pipeline;

import com.google.auto.value.AutoBuilder;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.clean.Calibration;
import dev.facesieve.datasets.clean.CleanCounts;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.clean.InterClassPolicy;
import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.datasets.contract.InterClassFiles;
import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.datasets.parquet.ParquetFiles;
import dev.facesieve.model.EmbedderKey;
import dev.facesieve.model.ModelInfo;
import dev.facesieve.reports.CleanRun;
import dev.facesieve.reports.NoiseReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.annotation.Nullable;

/**
 * The {@code clean} stage: checks its inputs, runs {@link CleanPipeline} into the output's staging
 * folder, then, in the driver, builds {@code summary.json} ({@link CleanSummaries}), the report and
 * optionally an InsightFace RecordIO of the kept set ({@link KeptRecordIO}), and commits. The
 * embeddings come from, or go to, an {@link EmbeddingCache} when one is named.
 *
 * <p>For an output elsewhere than locally ({@code hdfs://}) the driver builds its files in a local
 * {@link DriverFolder} and reads the columns of {@code kept/} and {@code dropped/} it needs where
 * they lie; {@code --emit-recordio} streams the kept images from there, the one local copy of image
 * bytes. The store's fill goes to the store's own staging folder and a test set prepared here to
 * the output's, where workers elsewhere write and read them.
 */
public final class CleanJob {
  public static final String SUMMARY = CleanSummary.FILE;

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
    ModelInfo model = readModel(s, prepared);
    String modelDataFingerprint = ModelMatch.dataFingerprint(s.model());
    checkSideInputs(s, prepared);
    StageOutput out =
        StageOutput.open(s.output(), OutputKind.CLEAN, SUMMARY, s.overwrite(), inputs(s));
    EmbeddingCache cache = null;
    Location embStaging = null;
    boolean done = false;
    try (DriverFolder driver = DriverFolder.of(out)) {
      Location staging = out.stagingLocation();
      cache = s.embeddings() == null ? null : EmbeddingCache.open(s.embeddings());
      EmbedderKey embedder = cache == null ? null : EmbedderKey.of(model);
      StoreRecord.Reuse reuse =
          cache == null
              ? StoreRecord.Reuse.EMPTY
              : cache.check(embedder, prepared.fingerprint(), model.embeddingSize());
      if (reuse.why() != null) {
        progress.onNote(
            "clean", "the embedding store " + s.embeddings() + " is rebuilt: " + reuse.why());
      }
      boolean cached = reuse.reusable();
      embStaging = cache == null || cached ? null : cache.stagingLocation();
      TestSet test =
          s.excludeIdentitiesOf() == null
              ? null
              : TestSet.of(s.excludeIdentitiesOf(), s.runner(), staging);
      CleanPipeline.run(
          s, model, cached, prepared.counts().prepared(), staging, embStaging, test, progress);
      if (test != null) {
        test.deleteIfPreparedHere();
      }
      Location classesDir = staging.resolve(WriteCleanOutputs.CLASSES_TMP);
      List<String> cf = ParquetFiles.list(classesDir.spec(false));
      if (cf.size() != 1) {
        throw new IllegalStateException(
            "the pipeline wrote " + cf.size() + " class files, not 1, in " + classesDir);
      }
      Location.parse(cf.get(0)).renameTo(staging.resolve("classes.parquet"));
      classesDir.deleteRecursively();
      CleanCounts counts =
          consume(staging.resolve(WriteCleanOutputs.COUNTS + ".json"), CleanCounts.class);
      Calibration calibration =
          consume(staging.resolve(WriteCleanOutputs.CALIBRATION + ".json"), Calibration.class);
      driver.fetch(
          "classes.parquet",
          InterClassFiles.MERGES,
          InterClassFiles.DUPLICATE_IMAGES,
          InterClassFiles.TEST_OVERLAP);
      // kept/ and dropped/ are read where the pipeline wrote them, column by column
      String tables = staging.spec(false);
      // faces set aside undecided (EMBEDDING_INVALID): a folder only when there are some
      boolean quarantined = CleanSummaries.rows(tables + "/" + WriteCleanOutputs.QUARANTINE) > 0;
      if (!quarantined) {
        staging.resolve(WriteCleanOutputs.QUARANTINE).deleteRecursively();
      }
      List<String> entries =
          WriteCleanOutputs.committed(s.policy().relabel(), test != null, quarantined);
      if (s.emitRecordIO()) {
        KeptRecordIO.write(ParquetFiles.list(tables + "/kept"), driver.local().resolve("recordio"));
        entries.add("recordio");
      }
      CleanSummary summary =
          CleanSummaries.build(
              s,
              model,
              modelDataFingerprint,
              prepared,
              driver.local(),
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
          CleanRun.read(driver.local(), tables, summary, null).locatedAt(s.output().toString()),
          s.report(),
          driver.local());
      entries.addAll(List.of(NoiseReport.JSON_FILE, NoiseReport.HTML_FILE, NoiseReport.PAGES_DIR));
      if (embStaging != null) {
        cache.commit(
            embStaging, embedder, model.directory(), prepared.fingerprint(), model.embeddingSize());
        embStaging = null;
      }
      driver.upload();
      out.commit(entries, StageJson.write(summary));
      done = true;
      return summary;
    } finally {
      if (!done) {
        out.abandon();
      }
      closeStore(cache, embStaging);
    }
  }

  /** The model, read and checked against the data. */
  private static ModelInfo readModel(Settings s, PrepareManifest prepared) throws IOException {
    ModelInfo model;
    try {
      model = ModelMatch.readModel(s.model());
    } catch (IllegalArgumentException e) {
      throw new InputException(
          s.model().toString(), "not a finished 'facesieve train' output (no model.json)");
    }
    ModelMatch.check(prepared, model, s.model(), s.allowForeignModel());
    return model;
  }

  /** Checks the store and the test set before anything is written. */
  private static void checkSideInputs(Settings s, PrepareManifest prepared) throws IOException {
    if (s.embeddings() != null) {
      OutputGuard.refuseOverlap(s.embeddings(), s.data(), s.model(), s.output());
      EmbeddingCache.inspect(s.embeddings());
    }
    if (s.excludeIdentitiesOf() != null) {
      if (!Files.exists(s.excludeIdentitiesOf())) {
        throw new InputException(s.excludeIdentitiesOf(), "test set not found");
      }
      ExclusionCheck.refuseSelf(s.excludeIdentitiesOf(), s.data(), prepared);
    }
  }

  /** What the output may not overlap: the data, the model and the test set. */
  private static Location[] inputs(Settings s) {
    return s.excludeIdentitiesOf() == null
        ? new Location[] {s.data(), s.model()}
        : new Location[] {s.data(), s.model(), Location.of(s.excludeIdentitiesOf())};
  }

  /** Deletes a fill that did not finish (the store is still locked), then releases the store. */
  private static void closeStore(@Nullable EmbeddingCache cache, @Nullable Location embStaging) {
    if (cache == null) {
      return;
    }
    try {
      if (embStaging != null) {
        embStaging.deleteRecursively();
      }
    } catch (IOException e) {
      // the next fill deletes it (stagingLocation); the run's own failure is what matters
    } finally {
      cache.close();
    }
  }

  /** Reads a small file the pipeline staged for the driver, and deletes it. */
  private static <T> T consume(Location file, Class<T> type) throws IOException {
    T value = StageJson.MAPPER.readValue(file.readString(), type);
    file.deleteIfExists();
    return value;
  }

  /** The inter-class policy this run decides with ({@link InterClassPolicy#forEmbedder}). */
  static InterClassPolicy interClass(Settings s, ModelInfo model) {
    return s.interClass().forEmbedder(model.onnx() != null);
  }
}
