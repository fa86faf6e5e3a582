package dev.facesieve.pipeline;

import com.google.auto.value.AutoBuilder;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.datasets.io.LocalFiles;
import dev.facesieve.datasets.parquet.ParquetFile;
import dev.facesieve.model.BackboneSpec;
import dev.facesieve.model.EmbedderKey;
import dev.facesieve.model.ModelDirectory;
import dev.facesieve.model.ModelJson;
import dev.facesieve.model.OnnxEmbedder;
import dev.facesieve.model.Preprocessing;
import dev.facesieve.model.TrainConfig;
import dev.facesieve.model.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import javax.annotation.Nullable;

/**
 * The {@code train} stage: trains sub-center ArcFace on a finished {@code prepare} output and
 * writes a model directory whose {@code model.json} (written last) marks it complete.
 *
 * <p>Both may lie elsewhere than locally ({@code hdfs://}). Remote prepared faces are streamed from
 * their Parquet files in this JVM (every epoch for a trained backbone, once for head-only
 * training), never copied whole. DJL writes local files, so a model directory elsewhere is trained
 * in a local temporary folder and copied there afterwards, {@code model.json} last; a stopped
 * training copies its {@code checkpoint/} (through {@code checkpoint.tmp/} and one rename), and
 * {@code --resume} fetches it back first. Only a stop or the end copies: a crash loses the steps
 * since the last copy. Head-only training's scratch table ({@code embeddings.f32}) is not copied.
 */
public final class TrainJob {
  /**
   * Every entry training writes in a model directory ({@link Trainer}, {@link ModelDirectory}); a
   * model directory holding anything else is not touched.
   */
  static final List<String> WRITES =
      List.of(
          ModelDirectory.MODEL_JSON,
          "centres.parquet",
          "head.params",
          "backbone.params",
          "embeddings.f32",
          "checkpoint/",
          "checkpoint/head.params",
          "checkpoint/backbone.params",
          "checkpoint/momentum.ndlist",
          "checkpoint/state.json",
          "checkpoint.tmp/",
          "checkpoint.tmp/head.params",
          "checkpoint.tmp/backbone.params",
          "checkpoint.tmp/momentum.ndlist",
          "checkpoint.tmp/state.json");

  private TrainJob() {}

  /**
   * What to train and where.
   *
   * @param resume continue from {@code <output>/checkpoint} when present
   * @param overwrite replace a finished model directory or an unfinished training's checkpoint
   * @param embeddings the embedding store ({@link EmbeddingCache}) head-only training reuses when
   *     it holds this embedder's embeddings of this data, and otherwise fills; null to embed for
   *     this training alone. A trained backbone embeds nothing before training and ignores it.
   */
  public record Settings(
      Location data,
      Location output,
      TrainConfig config,
      boolean resume,
      boolean overwrite,
      @Nullable Location embeddings) {

    /** Training {@code config} on {@code data} into {@code output}: no resume, no overwrite. */
    public static Builder builder(Location data, Location output, TrainConfig config) {
      return new AutoBuilder_TrainJob_Settings_Builder()
          .setData(data)
          .setOutput(output)
          .setConfig(config)
          .setResume(false)
          .setOverwrite(false);
    }

    /** {@link #builder(Location, Location, TrainConfig)} of local paths. */
    public static Builder builder(Path data, Path output, TrainConfig config) {
      return builder(Location.of(data), Location.of(output), config);
    }

    /** Builds {@link Settings}. */
    @AutoBuilder
    public interface Builder {
      Builder setData(Location l);

      Builder setOutput(Location l);

      Builder setConfig(TrainConfig c);

      Builder setResume(boolean b);

      Builder setOverwrite(boolean b);

      Builder setEmbeddings(@Nullable Location l);

      Settings build();
    }
  }

  /**
   * Trains.
   *
   * @throws InputException when the output overlaps the data, holds files training did not write,
   *     holds a model or checkpoint and neither {@code resume} nor {@code overwrite} is set, or
   *     another run holds it
   * @return the model directory's {@code model.json}
   */
  public static ModelJson run(Settings s, Trainer.Listener listener) throws IOException {
    try {
      return run(s, listener, () -> false);
    } catch (Trainer.Stopped e) {
      throw new IllegalStateException("a run without a stop condition stopped", e);
    }
  }

  /**
   * {@link #run(Settings, Trainer.Listener)} that stops at the first step boundary where {@code
   * stop} holds. Data, model directory and store may lie on any file system (see the class comment;
   * a remote store is filled through a local staging folder that {@link EmbeddingCache#commit}
   * uploads).
   *
   * @throws Trainer.Stopped when it stopped: the checkpoint is written, the trainer's native memory
   *     released and no {@code model.json} written
   */
  public static ModelJson run(Settings s, Trainer.Listener listener, BooleanSupplier stop)
      throws IOException, Trainer.Stopped {
    Location data = s.data();
    Location output = s.output();
    TrainConfig config = s.config();
    boolean resume = s.resume();
    boolean overwrite = s.overwrite();
    Location embeddings = s.embeddings();
    BackboneCheck.check(config);
    PrepareManifest manifest = PreparedData.readChecked(data);
    Path onnx = config.backbone() instanceof BackboneSpec.FrozenOnnx o ? o.file() : null;
    Location onnxAt = onnx == null ? null : Location.of(onnx);
    OutputGuard.refuseOverlap(output, data, onnxAt);
    OutputGuard.inspect(output, OutputKind.MODEL); // refuse before creating anything
    Location store = onnx == null ? null : embeddings;
    if (store != null) {
      OutputGuard.refuseOverlap(store, data, output, onnxAt);
      EmbeddingCache.inspect(store);
    }
    output.createDirectories();
    try (OutputLock lock = OutputLock.acquire(output, "facesieve train")) {
      if (output.isLocal()) {
        return train(
            data,
            output,
            output.local("train"),
            manifest,
            config,
            resume,
            overwrite,
            store,
            listener,
            stop);
      }
      Path work = Files.createTempDirectory("facesieve-train-");
      try {
        return train(
            data, output, work, manifest, config, resume, overwrite, store, listener, stop);
      } finally {
        LocalFiles.deleteRecursively(work);
      }
    }
  }

  /** Head-only training's table of embeddings in the model folder ({@code TrainingMode}). */
  private static final String TABLE = "embeddings.f32";

  /**
   * Gives head-only training its embeddings from {@code store}, embedding the prepared faces into
   * it first unless it holds this embedder's embeddings of this data; without a store the trainer
   * embeds them itself. Returns what {@code model.json} records of it; null for a trained backbone.
   */
  @Nullable
  private static ModelJson.Embeddings embeddings(
      Trainer t,
      Location data,
      Path output,
      PrepareManifest manifest,
      TrainConfig config,
      @Nullable Location store,
      Trainer.Listener listener)
      throws IOException {
    if (!(config.backbone() instanceof BackboneSpec.FrozenOnnx onnx)) {
      return null;
    }
    Preprocessing pre = config.effectivePreprocessing();
    EmbedderKey key = EmbedderKey.ofOnnx(onnx.file(), pre, config.embeddingSize());
    long images = manifest.images();
    if (store == null) {
      return new ModelJson.Embeddings(null, key.sha256(), images, false);
    }
    try (EmbeddingCache cache = EmbeddingCache.open(store)) {
      StoreRecord.Reuse reuse = cache.check(key, manifest.fingerprint(), config.embeddingSize());
      boolean reused = reuse.reusable();
      long embedded = 0;
      if (reuse.why() != null) {
        listener.onMessage("the embedding store " + store + " is rebuilt: " + reuse.why());
      }
      if (!reused) {
        listener.onMessage("embedding " + images + " faces with " + onnx.file() + " into " + store);
        try (OnnxEmbedder e = OnnxEmbedder.load(onnx.file(), pre, true)) {
          embedded =
              EmbeddingCache.embed(
                  e,
                  ParquetFile.list(data.resolve("faces").spec(false)),
                  cache.staging(),
                  done -> listener.onEmbedded(done, images));
        }
        cache.commit(
            cache.staging(),
            key,
            onnx.file().toAbsolutePath().normalize().toString(),
            manifest.fingerprint(),
            config.embeddingSize());
      } else {
        listener.onMessage("reusing the embeddings of " + images + " faces in " + store);
      }
      t.useEmbeddings(
          cache.readTable(
              output.resolve(TABLE),
              config.embeddingSize(),
              done -> listener.onEmbeddingsRead(done, images)));
      if (cache.invalidRead() > 0) {
        listener.onMessage(
            cache.invalidRead()
                + " faces have an embedding that is not finite, all zeros or of another"
                + " dimension: left out of training (clean quarantines them as EMBEDDING_INVALID)");
      }
      return new ModelJson.Embeddings(
          store.isLocal()
              ? store.local("--embeddings").toAbsolutePath().toString()
              : store.toString(),
          key.sha256(),
          embedded,
          reused);
    }
  }

  /**
   * Trains into {@code work}: the model directory {@code output} itself, or the local temporary
   * folder of one elsewhere, copied to it at the end or when stopped.
   */
  private static ModelJson train(
      Location data,
      Location output,
      Path work,
      PrepareManifest manifest,
      TrainConfig config,
      boolean resume,
      boolean overwrite,
      @Nullable Location store,
      Trainer.Listener listener,
      BooleanSupplier stop)
      throws IOException, Trainer.Stopped {
    OutputGuard.Ownership before = OutputGuard.inspect(output, OutputKind.MODEL);
    if (!before.isEmpty() && !resume && !overwrite) {
      throw new InputException(
          output.toString(),
          (before.has(ModelDirectory.MODEL_JSON)
                  ? "already holds a trained model"
                  : "holds the checkpoint of an unfinished training")
              + "; pass --resume to continue it or --overwrite to replace it");
    }
    Map<Integer, String> identities = new TreeMap<>(manifest.labels());
    if (identities.isEmpty()) {
      throw new InputException(data.toString(), "the prepared data holds no faces");
    }
    int classes = identities.keySet().stream().mapToInt(Integer::intValue).max().getAsInt() + 1;
    long images = manifest.images();
    if (images < config.batchSize()) {
      throw new IllegalArgumentException(
          "--batch-size "
              + config.batchSize()
              + " is larger than the "
              + images
              + " prepared faces");
    }
    if (!resume) {
      OutputGuard.deleteOwned(before);
    }
    // claim every name training may write before it writes any, so a crash leaves nothing unnamed
    SortedSet<String> claimed = new TreeSet<>(before.owned());
    claimed.addAll(WRITES);
    OwnedFiles.claim(output, OutputKind.MODEL, claimed);
    output.resolve(ModelDirectory.MODEL_JSON).deleteIfExists();
    boolean remote = !output.isLocal();
    if (remote && resume) {
      fetchCheckpoint(output, work);
    }
    ModelJson.Provenance provenance =
        new ModelJson.Provenance(
            "train", Version.get(), data.spec(false), manifest.fingerprint(), images);
    try (Trainer t = Trainer.of(config, data.spec(false), work, classes, images)) {
      ModelJson.Embeddings embedded = embeddings(t, data, work, manifest, config, store, listener);
      List<Trainer.EpochMetrics> metrics;
      try {
        metrics = t.train(resume, listener, stop);
      } catch (Trainer.Stopped e) {
        if (remote) {
          copyCheckpoint(work, output);
        }
        throw e;
      }
      ModelDirectory.write(work, config, t, identities, provenance, metrics, embedded);
    }
    if (store != null) { // the table was a copy of the store's rows
      Files.deleteIfExists(work.resolve(TABLE));
    }
    if (remote) {
      listener.onMessage("copying the model to " + output);
      copyModel(work, output);
    }
    List<String> written = new ArrayList<>();
    for (String e : claimed) {
      if (output.resolve(e).exists()) {
        written.add(e);
      }
    }
    OwnedFiles.record(output, OutputKind.MODEL, written);
    return ModelDirectory.readJson(work);
  }

  private static final String CHECKPOINT = "checkpoint";

  /** Fetches a remote model directory's {@code checkpoint/}, if any, into {@code work}. */
  private static void fetchCheckpoint(Location output, Path work) throws IOException {
    Location remote = output.resolve(CHECKPOINT);
    if (!remote.isDirectory()) {
      return;
    }
    Path local = Files.createDirectories(work.resolve(CHECKPOINT));
    for (String e : remote.tree()) {
      if (!e.endsWith("/")) {
        Path target = local.resolve(e);
        Files.createDirectories(target.getParent());
        remote.resolve(e).copyTo(target);
      }
    }
  }

  /**
   * Replaces the remote {@code checkpoint/} by {@code work}'s: copied into {@code checkpoint.tmp/},
   * then renamed, so that a copy cut short never leaves a checkpoint that mixes two steps.
   */
  private static void copyCheckpoint(Path work, Location output) throws IOException {
    Path local = work.resolve(CHECKPOINT);
    if (!Files.isDirectory(local)) {
      return;
    }
    Location tmp = output.resolve(CHECKPOINT + ".tmp");
    tmp.deleteRecursively();
    copyFiles(local, tmp);
    Location target = output.resolve(CHECKPOINT);
    target.deleteRecursively();
    tmp.moveTo(target);
  }

  /**
   * Copies a model trained in {@code work} to the remote {@code output}: the checkpoint, the other
   * files but head-only training's scratch table, and {@code model.json} last.
   */
  private static void copyModel(Path work, Location output) throws IOException {
    copyCheckpoint(work, output);
    try (Stream<Path> s = Files.list(work)) {
      for (Path f : s.sorted().toList()) {
        String name = f.getFileName().toString();
        if (Files.isRegularFile(f)
            && !name.equals(ModelDirectory.MODEL_JSON)
            && !name.equals(TABLE)) {
          output.resolve(name).copyFrom(f);
        }
      }
    }
    output
        .resolve(ModelDirectory.MODEL_JSON)
        .writeAtomically(Files.readString(work.resolve(ModelDirectory.MODEL_JSON)));
  }

  /** Copies every file beneath the local folder {@code from} into {@code to}. */
  private static void copyFiles(Path from, Location to) throws IOException {
    to.createDirectories();
    try (Stream<Path> s = Files.walk(from)) {
      for (Path f : s.sorted().toList()) {
        if (Files.isRegularFile(f)) {
          to.resolve(from.relativize(f).toString().replace('\\', '/')).copyFrom(f);
        }
      }
    }
  }
}
