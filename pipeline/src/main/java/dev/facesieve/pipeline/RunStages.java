package dev.facesieve.pipeline;

import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.model.BackboneSpec;
import dev.facesieve.model.ModelDirectory;
import dev.facesieve.model.ModelJson;
import dev.facesieve.model.Trainer;
import dev.facesieve.reports.NoiseReport;
import dev.facesieve.reports.ReportJson;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The stages of {@code facesieve run} in order, each run, resumed or skipped by its key and marker
 * ({@link RunState}); see {@link RunJob} for the rule. Called with the run's folder locked.
 */
final class RunStages {
  private final RunJob.Settings s;
  private final Location out;
  private final ProgressListener progress;
  private final Consumer<String> log;
  private final Map<String, String> did = new LinkedHashMap<>();
  private RunState state;

  private RunStages(RunJob.Settings s, ProgressListener progress, Consumer<String> log) {
    this.s = s;
    this.out = s.output();
    this.progress = progress;
    this.log = log;
    this.state = RunState.read(out);
  }

  static RunJob.Outcome run(
      RunJob.Settings s,
      ProgressListener progress,
      Trainer.Listener training,
      Consumer<String> log,
      BooleanSupplier stop)
      throws IOException, Trainer.Stopped {
    RunStages r = new RunStages(s, progress, log);
    String prepareKey = r.prepare();
    PrepareManifest manifest = PreparedData.read(RunFolder.prepared(r.out));
    String trainKey = r.trainKey(prepareKey);
    long embeddedByTraining = r.train(trainKey, training, stop);
    ModelJson model = ModelMatch.readJson(RunFolder.model(r.out));
    String summaryFile = r.clean(prepareKey, trainKey, embeddedByTraining);
    String reportFile = RunFolder.cleanEntry(s.name()) + "/" + NoiseReport.JSON_FILE;
    return new RunJob.Outcome(
        r.did,
        manifest,
        model,
        StageJson.parse(r.out.resolve(summaryFile).readString(), CleanSummary.class),
        StageJson.parse(r.out.resolve(reportFile).readString(), ReportJson.class),
        s.cleanDir().resolve(NoiseReport.HTML_FILE));
  }

  /** Runs {@code prepare} unless done with its key; returns the key. */
  private String prepare() throws IOException {
    PrepareJob.Settings ps = s.prepare().withRunner(s.runner()).withOverwrite(true);
    String key =
        RunState.key(
            "prepare",
            absolute(s.input()),
            InputSignature.of(s.input()),
            ps.describe(),
            InputSignature.of(s.prepare().landmarks()),
            InputSignature.of(s.prepare().truth()));
    String manifestFile = RunFolder.PREPARED + "/" + PrepareJob.MANIFEST;
    if (state.done(out, "prepare", key, manifestFile)) {
      did.put("prepare", "skipped");
    } else {
      log.accept("prepare: reading " + s.input());
      PrepareJob.run(ps, progress);
      state = state.record(out, "prepare", key, manifestFile);
      did.put("prepare", "ran");
    }
    return key;
  }

  private String trainKey(String prepareKey) throws IOException {
    return RunState.key(
        "train",
        prepareKey,
        s.train().toString(),
        s.train().backbone() instanceof BackboneSpec.FrozenOnnx onnx
            ? InputSignature.of(onnx.file())
            : "");
  }

  /**
   * Trains unless done with {@code key}, resuming a training started with the same key that left a
   * checkpoint; returns the faces training embedded, for the cleaning's summary.
   */
  private long train(String key, Trainer.Listener training, BooleanSupplier stop)
      throws IOException, Trainer.Stopped {
    String modelFile = RunFolder.MODEL + "/" + ModelDirectory.MODEL_JSON;
    if (state.done(out, "train", key, modelFile)) {
      did.put("train", "skipped");
      return 0;
    }
    RunState.StageRecord previous = state.stage("train");
    boolean resume =
        previous != null
            && key.equals(previous.key())
            && previous.state() == RunState.State.STARTED
            && RunFolder.model(out).resolve("checkpoint").isDirectory();
    log.accept(resume ? "train: resuming from the last checkpoint" : "train: starting");
    state = state.with("train", RunState.StageRecord.started(key));
    state.write(out);
    ModelJson trained =
        TrainJob.run(
            TrainJob.Settings.builder(RunFolder.prepared(out), RunFolder.model(out), s.train())
                .setResume(resume)
                .setOverwrite(true)
                .setEmbeddings(RunFolder.embeddings(out))
                .build(),
            training,
            stop);
    state = state.record(out, "train", key, modelFile);
    did.put("train", resume ? "resumed" : "ran");
    return trained.embeddings() == null ? 0 : trained.embeddings().facesEmbedded();
  }

  /**
   * Cleans and reports unless done with their keys; a report whose options alone changed is
   * regenerated in place (locally; elsewhere its cleaning runs again on the stored embeddings).
   * Returns the summary's path in the run's folder.
   */
  private String clean(String prepareKey, String trainKey, long embeddedByTraining)
      throws IOException {
    String cleanKey =
        RunState.key(
            "clean",
            prepareKey,
            trainKey,
            s.policy().toString(),
            String.valueOf(s.emitRecordIO()),
            s.interClass().toString(),
            String.valueOf(s.excludeIdentitiesOf()));
    String reportKey = RunState.key("report", cleanKey, s.report().toString());
    // a named cleaning has stages of its own: cleanings side by side never invalidate each other
    Location cleanDir = s.cleanDir();
    String cleanStage = RunFolder.stage("clean", s.name());
    String reportStage = RunFolder.stage("report", s.name());
    String summaryFile = RunFolder.cleanEntry(s.name()) + "/" + CleanJob.SUMMARY;
    String reportFile = RunFolder.cleanEntry(s.name()) + "/" + NoiseReport.JSON_FILE;
    boolean cleaned = state.done(out, cleanStage, cleanKey, summaryFile);
    boolean reported = cleaned && state.done(out, reportStage, reportKey, reportFile);
    if (cleaned && (reported || cleanDir.isLocal())) {
      did.put(cleanStage, "skipped");
      if (reported) {
        did.put(reportStage, "skipped");
      } else {
        log.accept("report: regenerating (report options changed)");
        NoiseReport.regenerate(cleanDir.local("the report"), s.report());
        OwnedFiles.recordReport(cleanDir.local("the report"));
        state = state.record(out, reportStage, reportKey, reportFile);
        did.put(reportStage, "ran");
      }
      return summaryFile;
    }
    log.accept("clean: scoring against the dominant sub-centres");
    CleanJob.run(
        CleanJob.Settings.builder(RunFolder.prepared(out), RunFolder.model(out), cleanDir)
            .setPolicy(s.policy())
            .setEmbeddings(RunFolder.embeddings(out))
            .setEmitRecordIO(s.emitRecordIO())
            .setRunner(s.runner())
            .setOverwrite(true)
            .setReport(s.report())
            .setAllowForeignModel(s.allowForeignModel())
            .setInterClass(s.interClass())
            .setExcludeIdentitiesOf(s.excludeIdentitiesOf())
            .setFacesEmbeddedBefore(embeddedByTraining)
            .build(),
        progress);
    state = state.record(out, cleanStage, cleanKey, summaryFile);
    state = state.record(out, reportStage, reportKey, reportFile);
    did.put(cleanStage, "ran");
    did.put(reportStage, "ran");
    return summaryFile;
  }

  /** How the input is named in the prepare key: a local path made absolute, or the URI. */
  private static String absolute(Location input) {
    return input.isLocal() ? input.local("--input").toAbsolutePath().toString() : input.toString();
  }
}
