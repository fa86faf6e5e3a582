package dev.facesieve.model;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.datasets.io.HadoopFiles;
import dev.facesieve.datasets.io.LocalFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Everything a face's embedding depends on besides the face: the embedder's architecture, the
 * SHA-256 of its weights, its preprocessing and its embedding size; not the head.
 *
 * <p>An ONNX embedder's weights are its file, so every model head-only trained on it shares one key
 * and one pass over the data; a trained backbone's are its {@code backbone.params}, which training
 * rewrites, so its key changes with every training and no stale embeddings are reused.
 *
 * @param backbone {@code onnx}, or a name from {@link Backbones#NAMES}
 * @param weightsSha256 the SHA-256 of the ONNX file or of {@code backbone.params}
 */
@JsonPropertyOrder(alphabetic = true)
public record EmbedderKey(
    String backbone, String weightsSha256, Preprocessing preprocessing, int embeddingSize) {

  /** The key of a frozen ONNX embedder as training uses it. */
  public static EmbedderKey ofOnnx(Path file, Preprocessing preprocessing, int embeddingSize)
      throws IOException {
    return new EmbedderKey("onnx", LocalFiles.sha256(file), preprocessing, embeddingSize);
  }

  /** The key of the embedder a model directory embeds with ({@link ModelInfo#openEmbedder}). */
  public static EmbedderKey of(ModelInfo m) throws IOException {
    if (m.onnx() != null) {
      return ofOnnx(Path.of(m.onnx()), m.preprocessing(), m.embeddingSize());
    }
    // the hash training recorded; models from before it hash their weights here
    String weights =
        m.backboneSha256() != null
            ? m.backboneSha256()
            : m.isRemote()
                ? HadoopFiles.sha256(java.net.URI.create(m.backboneParams()))
                : LocalFiles.sha256(Path.of(m.backboneParams()));
    return new EmbedderKey(m.backbone(), weights, m.preprocessing(), m.embeddingSize());
  }

  /** The key as one hash, as embedding stores record it. */
  public String sha256() {
    return LocalFiles.sha256(StageJson.write(this));
  }
}
