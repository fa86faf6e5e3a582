package dev.facesieve.pipeline;

import dev.facesieve.datasets.InputException;
import dev.facesieve.model.BackboneSpec;
import dev.facesieve.model.OnnxEmbedder;
import dev.facesieve.model.Preprocessing;
import dev.facesieve.model.TrainConfig;
import java.nio.file.Path;

/** The backbone a training will use, checked before any data is read. */
final class BackboneCheck {
  private BackboneCheck() {}

  /**
   * Checks the backbone before any data is read: an {@code onnx:} file must be a readable file that
   * ONNX Runtime loads, that embeds a face of the preprocessing's size, and whose embedding size is
   * {@code --embedding-size}. A trained backbone's name was checked when the config was built.
   *
   * @throws InputException naming the file and the problem
   */
  static void check(TrainConfig config) {
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
}
