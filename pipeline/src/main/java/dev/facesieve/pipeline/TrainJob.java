package dev.facesieve.pipeline;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.datasets.io.LocalFiles;
import dev.facesieve.model.BackboneSpec;
import dev.facesieve.model.ModelDirectory;
import dev.facesieve.model.ModelJson;
import dev.facesieve.model.TrainConfig;
import dev.facesieve.model.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * The {@code train} stage: trains sub-center ArcFace on a finished {@code prepare} output and
 * writes a model directory whose {@code model.json} (written last) marks it complete.
 */
public final class TrainJob {
  private TrainJob() {}

  /**
   * Trains.
   *
   * @param resume continue from {@code <output>/checkpoint} when present
   * @param overwrite replace a finished model directory
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
      return run(data, output, config, resume, overwrite, listener, () -> false);
    } catch (Trainer.Stopped e) {
      throw new IllegalStateException("a run without a stop condition stopped", e);
    }
  }

  /**
   * {@link #run(Path, Path, TrainConfig, boolean, boolean, Trainer.Listener)} that stops at the
   * first step boundary where {@code stop} holds.
   *
   * @throws Trainer.Stopped when it stopped: the checkpoint is written, the trainer's native memory
   *     released and no {@code model.json} written
   */
  public static ModelJson run(
      Path data,
      Path output,
      TrainConfig config,
      boolean resume,
      boolean overwrite,
      Trainer.Listener listener,
      BooleanSupplier stop)
      throws IOException, Trainer.Stopped {
    PrepareManifest manifest = PrepareManifest.read(data);
    if (config.backbone() instanceof BackboneSpec.FrozenOnnx onnx
        && !Files.isRegularFile(onnx.file())) {
      throw new InputException(onnx.file(), "ONNX model not found");
    }
    if (StageOutput.isComplete(output, ModelDirectory.MODEL_JSON) && !resume && !overwrite) {
      throw new InputException(
          output,
          "already holds a trained model; pass --resume to continue"
              + " it or --overwrite to replace it");
    }
    if (!resume && Files.isDirectory(output.resolve("checkpoint"))) {
      LocalFiles.deleteRecursively(output.resolve("checkpoint"));
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
    Files.createDirectories(output);
    Files.deleteIfExists(output.resolve(ModelDirectory.MODEL_JSON));
    ModelJson.Provenance provenance =
        new ModelJson.Provenance(
            "train",
            Version.get(),
            data.toAbsolutePath().toString(),
            manifest.fingerprint(),
            images);
    try (Trainer t = new Trainer(config, data, output, classes, images)) {
      List<Trainer.EpochMetrics> metrics = t.train(resume, listener, stop);
      ModelDirectory.write(output, config, t, identities, provenance, metrics);
    }
    return ModelDirectory.readJson(output);
  }
}
