package dev.facesieve.pipeline;

import static com.google.common.base.Preconditions.checkArgument;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.clean.InterClassPolicy;
import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.datasets.io.HadoopFiles;
import dev.facesieve.datasets.io.LocalFiles;
import dev.facesieve.model.BackboneSpec;
import dev.facesieve.model.ModelDirectory;
import dev.facesieve.model.ModelJson;
import dev.facesieve.model.TrainConfig;
import dev.facesieve.model.Trainer;
import dev.facesieve.reports.NoiseReport;
import dev.facesieve.reports.ReportJson;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.annotation.Nullable;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;

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
     * Settings of local paths that clean into {@code clean/} with the default inter-class policy,
     * no test set, refusing a foreign model (one that {@code run} did not train on this data).
     */
    public Settings(
        Path input,
        Path output,
        PrepareJob.Settings prepare,
        TrainConfig train,
        CleaningPolicy policy,
        boolean emitRecordIO,
        NoiseReport.Options report,
        Runners.Choice runner) {
      this(
          Location.of(input),
          Location.of(output),
          prepare,
          train,
          policy,
          emitRecordIO,
          report,
          runner,
          false,
          null,
          InterClassPolicy.defaults(),
          null);
    }

    public Settings {
      checkArgument(
          prepare.input().equals(input) && prepare.output().equals(prepared(output)),
          "prepare must read %s into %s, got %s into %s",
          input,
          prepared(output),
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
      return clean(output, name);
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

  public static Path prepared(Path out) {
    return out.resolve(PREPARED);
  }

  public static Location prepared(Location out) {
    return out.resolve(PREPARED);
  }

  public static Path model(Path out) {
    return out.resolve(MODEL);
  }

  public static Location model(Location out) {
    return out.resolve(MODEL);
  }

  public static Path clean(Path out) {
    return out.resolve(CLEAN);
  }

  /** The folder of the cleaning called {@code name}: {@code clean-<name>}, or {@code clean}. */
  public static Location clean(Location out, @Nullable String name) {
    return out.resolve(cleanEntry(name));
  }

  /** The name of the cleaning {@code name}'s folder in the run's folder. */
  private static String cleanEntry(@Nullable String name) {
    return name == null ? CLEAN : CLEAN + "-" + name;
  }

  /** The stage {@code stage} ({@code clean} or {@code report}) of the cleaning {@code name}. */
  static String stage(String stage, @Nullable String name) {
    return name == null ? stage : stage + "-" + name;
  }

  static Location embeddings(Location out) {
    return out.resolve(EMBEDDINGS);
  }

  private static final String PREPARED = "prepared";
  private static final String MODEL = "model";
  private static final String CLEAN = "clean";
  private static final String EMBEDDINGS = "embeddings";

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
      refuseForeign(s); // again, now that no other run can change the folder
      return runLocked(s, progress, training, log, stop);
    }
  }

  /**
   * Checks every path and option of every stage before the first one starts, so that a typo costs
   * seconds, not a prepare of hours: the input and side files ({@link PrepareJob#check}), the
   * output folder and what it holds, the backbone ({@link TrainJob#check}: an ONNX file is loaded
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
    refuseForeign(s);
    if (s.excludeIdentitiesOf() != null && !Files.exists(s.excludeIdentitiesOf())) {
      throw new InputException(s.excludeIdentitiesOf(), "test set not found");
    }
    TrainJob.check(s.train());
    Runners.check(s.runner());
  }

  /**
   * The entries of a run's folder: its stage folders, the embedding cache's record and {@link
   * #STATE}; besides them, named cleanings' {@code clean-<name>} folders.
   */
  static final List<String> ENTRIES =
      List.of(PREPARED, MODEL, CLEAN, EMBEDDINGS, "embeddings.json", STATE);

  /** Whether {@code top}, an entry of a run's folder, is one a run writes. */
  private static boolean isRunEntry(String top) {
    String name =
        top.endsWith(".tmp") && top.startsWith(".") ? top.substring(1, top.length() - 4) : top;
    return ENTRIES.contains(name)
        || (top.startsWith("clean-") && NAME.matcher(top.substring(6)).matches());
  }

  /**
   * The first name, below the run's folder, of an input that lies inside it (the demo's {@code
   * synthetic/}), else null.
   */
  @Nullable
  private static String inputEntry(Location input, Location out) {
    if (input.isLocal() != out.isLocal()) {
      return null;
    }
    String in;
    String root;
    if (input.isLocal()) {
      in = OutputGuard.real(input.local("--input")).toString();
      root = OutputGuard.real(out.local("--output")).toString();
    } else {
      in = input.real();
      root = out.real();
    }
    if (!in.startsWith(root + "/")) {
      return null;
    }
    String rest = in.substring(root.length() + 1);
    return rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
  }

  /**
   * Refuses a run whose input overlaps what it writes, whose folder holds anything but its stage
   * folders, its state and its input, or whose stage folders hold files the stages did not write.
   */
  private static void refuseForeign(Settings s) throws IOException {
    Location out = s.output();
    // the input may lie in the run's folder (demo's synthetic/), but not in what the run replaces
    OutputGuard.refuseOverlap(
        out, location(s.prepare().landmarks()), location(s.prepare().truth()));
    String inputEntry = inputEntry(s.input(), out);
    if (inputEntry == null) {
      OutputGuard.refuseOverlap(out, s.input());
    }
    Location onnx =
        s.train().backbone() instanceof BackboneSpec.FrozenOnnx o ? Location.of(o.file()) : null;
    for (String e : ENTRIES) {
      OutputGuard.refuseOverlap(out.resolve(e), s.input(), onnx);
    }
    OutputGuard.refuseOverlap(s.cleanDir(), s.input());
    if (out.isDirectory()) {
      for (String e : OutputGuard.entries(out)) {
        String top = e.contains("/") ? e.substring(0, e.indexOf('/')) : e;
        if (!isRunEntry(top) && !top.equals(inputEntry)) {
          throw new InputException(
              out.toString(),
              "output folder is not empty: it holds "
                  + e
                  + ", which 'facesieve run' did not write (FaceSieve deletes only what it"
                  + " wrote); choose another --output or move it away");
        }
      }
    }
    OutputGuard.inspect(prepared(out), OutputKind.PREPARE);
    OutputGuard.inspect(model(out), OutputKind.MODEL);
    OutputGuard.inspect(s.cleanDir(), OutputKind.CLEAN);
    EmbeddingCache.inspect(embeddings(out));
  }

  @Nullable
  private static Location location(@Nullable Path p) {
    return p == null ? null : Location.of(p);
  }

  private static Outcome runLocked(
      Settings s,
      ProgressListener progress,
      Trainer.Listener training,
      Consumer<String> log,
      BooleanSupplier stop)
      throws IOException, Trainer.Stopped {
    Location out = s.output();
    RunState state = readState(out);
    Map<String, String> did = new LinkedHashMap<>();

    PrepareJob.Settings ps = s.prepare().withRunner(s.runner()).withOverwrite(true);
    String prepareKey =
        key(
            "prepare",
            absolute(s.input()),
            signature(s.input()),
            ps.describe(),
            signature(s.prepare().landmarks()),
            signature(s.prepare().truth()));
    String manifestFile = PREPARED + "/" + PrepareJob.MANIFEST;
    if (done(out, state, "prepare", prepareKey, manifestFile)) {
      did.put("prepare", "skipped");
    } else {
      log.accept("prepare: reading " + s.input());
      PrepareJob.run(ps, progress);
      state = record(out, state, "prepare", prepareKey, manifestFile);
      did.put("prepare", "ran");
    }
    PrepareManifest manifest = PreparedData.read(prepared(out));

    String trainKey =
        key(
            "train",
            prepareKey,
            s.train().toString(),
            s.train().backbone() instanceof BackboneSpec.FrozenOnnx onnx
                ? signature(onnx.file())
                : "");
    String modelFile = MODEL + "/" + ModelDirectory.MODEL_JSON;
    long embeddedByTraining = 0; // faces this run embedded, for the cleaning's summary
    if (done(out, state, "train", trainKey, modelFile)) {
      did.put("train", "skipped");
    } else {
      RunState.StageRecord previous = state.stage("train");
      boolean resume =
          previous != null
              && trainKey.equals(previous.key())
              && previous.state() == RunState.State.STARTED
              && model(out).resolve("checkpoint").isDirectory();
      log.accept(resume ? "train: resuming from the last checkpoint" : "train: starting");
      state = state.with("train", RunState.StageRecord.started(trainKey));
      writeState(out, state);
      ModelJson trained =
          TrainJob.run(
              prepared(out), model(out), s.train(), resume, true, embeddings(out), training, stop);
      embeddedByTraining = trained.embeddings() == null ? 0 : trained.embeddings().facesEmbedded();
      state = record(out, state, "train", trainKey, modelFile);
      did.put("train", resume ? "resumed" : "ran");
    }
    ModelJson model = ModelMatch.readJson(model(out));

    String cleanKey =
        key(
            "clean",
            prepareKey,
            trainKey,
            s.policy().toString(),
            String.valueOf(s.emitRecordIO()),
            s.interClass().toString(),
            String.valueOf(s.excludeIdentitiesOf()));
    String reportKey = key("report", cleanKey, s.report().toString());
    // a named cleaning has stages of its own: cleanings side by side never invalidate each other
    Location cleanDir = s.cleanDir();
    String cleanStage = stage("clean", s.name());
    String reportStage = stage("report", s.name());
    String summaryFile = cleanEntry(s.name()) + "/" + CleanJob.SUMMARY;
    String reportFile = cleanEntry(s.name()) + "/" + NoiseReport.JSON_FILE;
    boolean cleaned = done(out, state, cleanStage, cleanKey, summaryFile);
    boolean reported = cleaned && done(out, state, reportStage, reportKey, reportFile);
    // a report is regenerated in place only locally; elsewhere its cleaning runs again (on the
    // stored embeddings), which writes the report with it
    if (cleaned && (reported || cleanDir.isLocal())) {
      did.put(cleanStage, "skipped");
      if (reported) {
        did.put(reportStage, "skipped");
      } else {
        log.accept("report: regenerating (report options changed)");
        NoiseReport.regenerate(cleanDir.local("the report"), s.report());
        OutputGuard.recordReport(cleanDir.local("the report"));
        record(out, state, reportStage, reportKey, reportFile);
        did.put(reportStage, "ran");
      }
    } else {
      log.accept("clean: scoring against the dominant sub-centres");
      CleanJob.run(
          CleanJob.Settings.builder(prepared(out), model(out), cleanDir)
              .setPolicy(s.policy())
              .setEmbeddings(embeddings(out))
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
      state = record(out, state, cleanStage, cleanKey, summaryFile);
      record(out, state, reportStage, reportKey, reportFile);
      did.put(cleanStage, "ran");
      did.put(reportStage, "ran");
    }
    return new Outcome(
        did,
        manifest,
        model,
        StageJson.parse(out.resolve(summaryFile).readString(), CleanSummary.class),
        StageJson.parse(out.resolve(reportFile).readString(), ReportJson.class),
        cleanDir.resolve(NoiseReport.HTML_FILE));
  }

  /**
   * Whether {@code stage} is recorded as done with {@code key} and its marker, {@code marker}
   * inside the run's folder, is still the file it wrote.
   */
  static boolean done(Location out, RunState state, String stage, String key, String marker)
      throws IOException {
    RunState.StageRecord st = state.stage(stage);
    if (st == null || st.state() != RunState.State.DONE || !key.equals(st.key())) {
      return false;
    }
    Location m = out.resolve(marker);
    return m.isFile() && m.sha256().equals(st.markerSha256());
  }

  /**
   * Records {@code stage} as done with {@code key} and its marker {@code marker} (inside the run's
   * folder), forgets the stages after it, writes the state and returns it.
   */
  private static RunState record(
      Location out, RunState state, String stage, String key, String marker) throws IOException {
    RunState next =
        state.with(stage, RunState.StageRecord.done(key, marker, out.resolve(marker).sha256()));
    // prepare or train invalidates what was recorded for the stages after it, every cleaning's
    // included; a cleaning's report is recorded right after it
    int rank = rank(stage);
    if (rank < rank("clean")) {
      for (String s : state.stages().keySet()) {
        if (rank(s) > rank) {
          next = next.without(s);
        }
      }
    }
    writeState(out, next);
    return next;
  }

  /** The place of {@code stage} in {@link #STAGES}; a named cleaning's stages share their rank. */
  private static int rank(String stage) {
    for (int i = STAGES.length - 1; i >= 0; i--) {
      if (stage.equals(STAGES[i]) || stage.startsWith(STAGES[i] + "-")) {
        return i;
      }
    }
    return STAGES.length;
  }

  /** The recorded state with this FaceSieve's version; empty when absent or unreadable. */
  static RunState readState(Path out) {
    return readState(Location.of(out));
  }

  static RunState readState(Location out) {
    Location f = out.resolve(STATE);
    RunState state = RunState.empty(Version.get());
    try {
      if (f.isFile()) {
        state = StageJson.parse(f.readString(), RunState.class);
      }
    } catch (IOException e) {
      // unreadable state: every stage runs again
    }
    return state.withVersion(Version.get());
  }

  static void writeState(Path out, RunState state) throws IOException {
    writeState(Location.of(out), state);
  }

  static void writeState(Location out, RunState state) throws IOException {
    out.resolve(STATE).writeAtomically(StageJson.write(state));
  }

  static String key(String stage, Object... parts) {
    List<Object> all = new ArrayList<>();
    all.add(stage);
    all.add(Version.get());
    all.addAll(List.of(parts));
    return LocalFiles.sha256(StageJson.write(all));
  }

  /** How the input is named in the prepare key: a local path made absolute, or the URI. */
  private static String absolute(Location input) {
    return input.isLocal() ? input.local("--input").toAbsolutePath().toString() : input.toString();
  }

  /**
   * {@link #signature(Path)} of a local path, or of a URI: there name, size and modification time
   * as Hadoop's file system reports them.
   */
  static String signature(Location p) throws IOException {
    if (p.isLocal()) {
      return signature(p.local("--input"));
    }
    URI uri = URI.create(p.toString());
    FileSystem fs = HadoopFiles.fileSystem(uri);
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
    FileStatus st;
    try {
      st = fs.getFileStatus(path);
    } catch (FileNotFoundException e) {
      throw new InputException(p.toString(), "not found");
    }
    org.apache.hadoop.fs.Path root = st.isDirectory() ? path : path.getParent();
    String prefix = fs.makeQualified(root).toUri().getPath();
    List<String> lines = new ArrayList<>();
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, st.isDirectory());
    while (files.hasNext()) {
      LocatedFileStatus f = files.next();
      String rel = f.getPath().toUri().getPath().substring(prefix.length() + 1);
      lines.add(rel + '\t' + f.getLen() + '\t' + f.getModificationTime() + '\n');
    }
    Collections.sort(lines);
    return LocalFiles.sha256(String.join("", lines));
  }

  /**
   * Name, size and modification time of every regular file under {@code p} (recursively for a
   * folder; for a file, every file beside it, which covers {@code .rec}, {@code .idx} and {@code
   * property}), hashed. Empty for null.
   */
  static String signature(@Nullable Path p) throws IOException {
    if (p == null) {
      return "";
    }
    if (!Files.exists(p)) {
      throw new InputException(p, "not found");
    }
    Path root = Files.isDirectory(p) ? p : p.toAbsolutePath().getParent();
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> files = Files.isDirectory(p) ? Files.walk(root) : Files.list(root)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        sb.append(root.relativize(f))
            .append('\t')
            .append(Files.size(f))
            .append('\t')
            .append(Files.getLastModifiedTime(f).toMillis())
            .append('\n');
      }
    }
    return LocalFiles.sha256(sb.toString());
  }
}
