package dev.facesieve.pipeline;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.datasets.parquet.ParquetFiles;
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
import javax.annotation.Nullable;

/**
 * The {@code train} stage: trains sub-center ArcFace on a finished {@code prepare} output and
 * writes a model directory whose {@code model.json} (written last) marks it complete.
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
   * Trains.
   *
   * @param resume continue from {@code <output>/checkpoint} when present
   * @param overwrite replace a finished model directory or an unfinished training's checkpoint
   * @throws InputException when the output overlaps the data, holds files training did not write,
   *     holds a model or checkpoint and neither {@code resume} nor {@code overwrite} is set, or
   *     another run holds it
   * @return the model directory's {@code model.json}
   */
  public static ModelJson run(
      Path data,
      Path output,
      TrainConfig config,
      boolean resume,
      boolean overwrite,
      Trainer.Listener listener)
      throws IOException {
    try {
      return run(data, output, config, resume, overwrite, null, listener, () -> false);
    } catch (Trainer.Stopped e) {
      throw new IllegalStateException("a run without a stop condition stopped", e);
    }
  }

  /**
   * {@link #run(Path, Path, TrainConfig, boolean, boolean, Trainer.Listener)} that shares an
   * embedding store and stops at the first step boundary where {@code stop} holds.
   *
   * @param embeddings the embedding store ({@link EmbeddingCache}) head-only training reuses when
   *     it holds this embedder's embeddings of this data, and otherwise fills; null to embed for
   *     this training alone. A trained backbone embeds nothing before training and ignores it.
   * @throws Trainer.Stopped when it stopped: the checkpoint is written, the trainer's native memory
   *     released and no {@code model.json} written
   */
  public static ModelJson run(
      Path data,
      Path output,
      TrainConfig config,
      boolean resume,
      boolean overwrite,
      @Nullable Path embeddings,
      Trainer.Listener listener,
      BooleanSupplier stop)
      throws IOException, Trainer.Stopped {
    check(config);
    PrepareManifest manifest = PrepareManifest.read(data);
    Path onnx = config.backbone() instanceof BackboneSpec.FrozenOnnx o ? o.file() : null;
    OutputGuard.refuseOverlap(output, data, onnx);
    OutputGuard.inspect(output, OutputKind.MODEL); // refuse before creating anything
    Path store = onnx == null ? null : embeddings;
    if (store != null) {
      OutputGuard.refuseOverlap(store, data, output, onnx);
      EmbeddingCache.inspect(store);
    }
    Files.createDirectories(output);
    try (OutputLock lock = OutputLock.acquire(output, "facesieve train")) {
      return train(data, output, manifest, config, resume, overwrite, store, listener, stop);
    }
  }

  /**
   * Checks the backbone before any data is read: an {@code onnx:} file must be a readable file that
   * ONNX Runtime loads, that embeds a face of the preprocessing's size, and whose embedding size is
   * {@code --embedding-size}. A trained backbone's name was checked when the config was built.
   *
   * @throws InputException naming the file and the problem
   */
  public static void check(TrainConfig config) {
    if (!(config.backbone() instanceof BackboneSpec.FrozenOnnx onnx)) {
      return;
    }
    Path file = onnx.file();
    String what = "ONNX model (--backbone " + onnx + ")";
    InputFiles.requireReadable(file, what);
    Preprocessing pre = config.effectivePreprocessing();
    OnnxEmbedder e;
    try {
      e = OnnxEmbedder.load(file, pre, true);
    } catch (IllegalArgumentException ex) {
      Throwable why = ex.getCause() == null ? ex : ex.getCause();
      throw new InputException(file, what + " cannot be loaded: " + why.getMessage(), ex);
    } catch (RuntimeException ex) { // the probe: an input size or layout the model does not take
      throw new InputException(
          file,
          what + " cannot embed a " + pre.size() + "x" + pre.size() + " face: " + ex.getMessage(),
          ex);
    }
    try (e) {
      if (e.dimension() != config.embeddingSize()) {
        throw new InputException(
            file,
            what
                + " embeds to "
                + e.dimension()
                + " dimensions, not --embedding-size "
                + config.embeddingSize()
                + "; pass --embedding-size "
                + e.dimension());
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
      Path data,
      Path output,
      PrepareManifest manifest,
      TrainConfig config,
      @Nullable Path store,
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
      boolean reused = cache.matches(key, null, manifest.fingerprint());
      long embedded = 0;
      if (!reused) {
        listener.onMessage("embedding " + images + " faces with " + onnx.file() + " into " + store);
        try (OnnxEmbedder e = OnnxEmbedder.load(onnx.file(), pre, true)) {
          embedded =
              EmbeddingCache.embed(
                  e,
                  ParquetFiles.list(data.resolve("faces")),
                  cache.staging(),
                  done -> listener.onEmbedded(done, images));
        }
        cache.commit(
            cache.staging(),
            key,
            onnx.file().toAbsolutePath().normalize().toString(),
            manifest.fingerprint());
      } else {
        listener.onMessage("reusing the embeddings of " + images + " faces in " + store);
      }
      t.useEmbeddings(
          cache.readTable(
              output.resolve(TABLE),
              config.embeddingSize(),
              done -> listener.onEmbeddingsRead(done, images)));
      return new ModelJson.Embeddings(
          store.toAbsolutePath().toString(), key.sha256(), embedded, reused);
    }
  }

  private static ModelJson train(
      Path data,
      Path output,
      PrepareManifest manifest,
      TrainConfig config,
      boolean resume,
      boolean overwrite,
      @Nullable Path store,
      Trainer.Listener listener,
      BooleanSupplier stop)
      throws IOException, Trainer.Stopped {
    OutputGuard.Ownership before = OutputGuard.inspect(output, OutputKind.MODEL);
    if (!before.isEmpty() && !resume && !overwrite) {
      throw new InputException(
          output,
          (before.has(ModelDirectory.MODEL_JSON)
                  ? "already holds a trained model"
                  : "holds the checkpoint of an unfinished training")
              + "; pass --resume to continue it or --overwrite to replace it");
    }
    Map<Integer, String> identities = new TreeMap<>(manifest.labels());
    if (identities.isEmpty()) {
      throw new InputException(data, "the prepared data holds no faces");
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
    OutputGuard.record(output, OutputKind.MODEL, claimed);
    Files.deleteIfExists(output.resolve(ModelDirectory.MODEL_JSON));
    ModelJson.Provenance provenance =
        new ModelJson.Provenance(
            "train",
            Version.get(),
            data.toAbsolutePath().toString(),
            manifest.fingerprint(),
            images);
    try (Trainer t = new Trainer(config, data, output, classes, images)) {
      ModelJson.Embeddings embedded =
          embeddings(t, data, output, manifest, config, store, listener);
      List<Trainer.EpochMetrics> metrics = t.train(resume, listener, stop);
      ModelDirectory.write(output, config, t, identities, provenance, metrics, embedded);
    }
    if (store != null) { // the table was a copy of the store's rows
      Files.deleteIfExists(output.resolve(TABLE));
    }
    List<String> written = new ArrayList<>();
    for (String e : claimed) {
      if (Files.exists(output.resolve(e))) {
        written.add(e);
      }
    }
    OutputGuard.record(output, OutputKind.MODEL, written);
    return ModelDirectory.readJson(output);
  }
}
