package dev.facesieve.pipeline;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoBuilder;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.clean.InterClassPolicy;
import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.model.ModelJson;
import dev.facesieve.model.TrainConfig;
import dev.facesieve.model.Trainer;
import dev.facesieve.reports.NoiseReport;
import dev.facesieve.reports.ReportJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import javax.annotation.Nullable;

/**
 * {@code facesieve run}: prepare → train → clean → report into {@code <out>/prepared}, {@code
 * <out>/model} and {@code <out>/clean}, skipping stages that are already done.
 *
 * <p>Each stage has a key: a SHA-256 over the FaceSieve version, the stage's options and the keys
 * of the stages it reads (for {@code prepare}: the input's path and a signature of its files —
 * name, size and modification time — so a changed input is noticed without hashing gigabytes).
 * {@code <out>/run.json} ({@link RunState}) records, per stage, the key it ran with and the SHA-256
 * of the marker file the stage wrote last ({@code manifest.json}, {@code model.json}, {@code
 * summary.json}, {@code report.json}). A stage is skipped iff its key is unchanged and its marker
 * is still the one it wrote; otherwise it, and so every stage after it, runs again. A training
 * stage that was started with the same key and left a checkpoint resumes from it.
 *
 * <p>Embeddings live in one store, {@code <out>/embeddings} ({@link EmbeddingCache}), keyed by the
 * embedder and the prepared data: head-only training fills it (or reuses it) and cleaning reuses
 * it, so a frozen embedder embeds each face once across trainings with other heads and cleanings
 * with other options; a trained backbone's embeddings are made by its cleaning and change with it.
 *
 * <p>A named cleaning ({@link Settings#name}) writes {@code <out>/clean-<name>} and is recorded as
 * stages {@code clean-<name>} and {@code report-<name>}: cleanings side by side share prepare,
 * train and the embedding cache and never invalidate one another, while a prepare or train that
 * runs again invalidates them all.
 */
public final class RunJob {
  public static final String STATE = "run.json";
  static final String[] STAGES = {"prepare", "train", "clean", "report"};

  /**
   * What to run; {@code prepare} reads {@code input} into {@link #prepared(Location) prepared}.
   * Input and output may be local paths or URIs ({@code hdfs://}, see {@link Location}).
   */
  public record Settings(
      Location input,
      Location output,
      PrepareJob.Settings prepare,
      TrainConfig train,
      CleaningPolicy policy,
      boolean emitRecordIO,
      NoiseReport.Options report,
      Runners.Choice runner,
      boolean allowForeignModel,
      @Nullable String name,
      InterClassPolicy interClass,
      @Nullable Path excludeIdentitiesOf) {
    /**
     * Running {@code prepare} (which must read {@code input} into {@link #prepared(Location)} of
     * {@code output}) and {@code train}; every other setting default: the default cleaning policy
     * into {@code clean/}, no RecordIO, the DirectRunner, no test set, refusing a foreign model.
     */
    public static Builder builder(
        Location input, Location output, PrepareJob.Settings prepare, TrainConfig train) {
      return new AutoBuilder_RunJob_Settings_Builder()
          .setInput(input)
          .setOutput(output)
          .setPrepare(prepare)
          .setTrain(train)
          .setPolicy(CleaningPolicy.defaults())
          .setEmitRecordIO(false)
          .setReport(NoiseReport.Options.defaults())
          .setRunner(Runners.Choice.direct())
          .setAllowForeignModel(false)
          .setInterClass(InterClassPolicy.defaults());
    }

    /** Builds {@link Settings}. */
    @AutoBuilder
    public interface Builder {
      Builder setInput(Location l);

      Builder setOutput(Location l);

      Builder setPrepare(PrepareJob.Settings p);

      Builder setTrain(TrainConfig t);

      Builder setPolicy(CleaningPolicy p);

      Builder setEmitRecordIO(boolean b);

      Builder setReport(NoiseReport.Options r);

      Builder setRunner(Runners.Choice r);

      /** Clean with a model whose classes are not the data's (the caller warns). */
      Builder setAllowForeignModel(boolean b);

      /** A named cleaning, into {@code clean-<name>/}; null for {@code clean/}. */
      Builder setName(@Nullable String n);

      Builder setInterClass(InterClassPolicy p);

      /** A test set whose identities' classes are dropped; null for none. */
      Builder setExcludeIdentitiesOf(@Nullable Path p);

      Settings build();
    }

    public Settings {
      checkArgument(
          prepare.input().equals(input) && prepare.output().equals(RunFolder.prepared(output)),
          "prepare must read %s into %s, got %s into %s",
          input,
          RunFolder.prepared(output),
          prepare.input(),
          prepare.output());
      checkArgument(
          name == null || NAME.matcher(name).matches(),
          "a cleaning's name is letters, digits, '.', '_' and '-', starting with a letter or"
              + " digit; got '%s'",
          name);
    }

    /** The folder this run's cleaning writes: {@code clean/}, or {@code clean-<name>/}. */
    public Location cleanDir() {
      return RunFolder.clean(output, name);
    }
  }

  /** What a cleaning's name may be: a folder name's tail that needs no quoting. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  /**
   * What happened: per stage {@code ran}, {@code resumed} or {@code skipped}, and the outputs;
   * {@code reportHtml} is where the cleaning's {@code report.html} lies.
   */
  public record Outcome(
      Map<String, String> stages,
      PrepareManifest manifest,
      ModelJson model,
      CleanSummary summary,
      ReportJson report,
      Location reportHtml) {}

  private RunJob() {}

  /**
   * Runs the stages that are not done yet; {@code progress} hears the Beam stages, {@code training}
   * the training steps, and {@code log} one line per stage decision.
   */
  public static Outcome run(
      Settings s, ProgressListener progress, Trainer.Listener training, Consumer<String> log)
      throws IOException {
    try {
      return run(s, progress, training, log, () -> false);
    } catch (Trainer.Stopped e) {
      throw new IllegalStateException("a run without a stop condition stopped", e);
    }
  }

  /**
   * {@link #run(Settings, ProgressListener, Trainer.Listener, Consumer)} whose training stage stops
   * at the first step boundary where {@code stop} holds.
   *
   * @throws Trainer.Stopped when training stopped: its checkpoint is written, and the next run with
   *     the same settings resumes from it
   */
  public static Outcome run(
      Settings s,
      ProgressListener progress,
      Trainer.Listener training,
      Consumer<String> log,
      BooleanSupplier stop)
      throws IOException, Trainer.Stopped {
    check(s);
    Location out = s.output();
    out.createDirectories();
    try (OutputLock lock = OutputLock.acquire(out, "facesieve run")) {
      RunFolder.refuseForeign(s); // again, now that no other run can change the folder
      return RunStages.run(s, progress, training, log, stop);
    }
  }

  /**
   * Checks every path and option of every stage before the first one starts, so that a typo costs
   * seconds, not a prepare of hours: the input and side files ({@link PrepareJob#check}), the
   * output folder and what it holds, the backbone ({@link BackboneCheck}: an ONNX file is loaded
   * and its embedding size compared) and the runner ({@link Runners#check}). Options with no file
   * behind them were checked when the settings were built. Writes nothing.
   *
   * @throws InputException naming the file or option and the problem
   */
  public static void check(Settings s) throws IOException {
    PrepareJob.check(s.prepare());
    Location out = s.output();
    if (out.exists() && !out.isDirectory()) {
      throw new InputException(out.toString(), "output exists and is not a folder");
    }
    RunFolder.refuseForeign(s);
    if (s.excludeIdentitiesOf() != null && !Files.exists(s.excludeIdentitiesOf())) {
      throw new InputException(s.excludeIdentitiesOf(), "test set not found");
    }
    BackboneCheck.check(s.train());
    Runners.check(s.runner());
  }
}
