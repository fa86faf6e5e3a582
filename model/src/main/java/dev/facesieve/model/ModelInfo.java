package dev.facesieve.model;

import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.datasets.io.HadoopFiles;
import dev.facesieve.datasets.io.LocalFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;

/**
 * What a model directory's {@code model.json} says, enough to embed faces and score them; small and
 * serialisable so that it can travel to workers.
 *
 * @param onnx the ONNX file of a head-only model, else null
 * @param sha256 hash of {@code model.json}, recorded by cleaning runs
 * @param backboneSha256 a trained backbone's weights' SHA-256 as training recorded it, null for an
 *     ONNX model or a model from before it was recorded
 */
public record ModelInfo(
    String directory,
    String backbone,
    String onnx,
    int embeddingSize,
    int subCenters,
    int classes,
    Preprocessing preprocessing,
    TreeMap<Integer, String> identities,
    String sha256,
    @javax.annotation.Nullable String backboneSha256)
    implements Serializable {

  /**
   * Reads a model directory.
   *
   * @throws IllegalArgumentException if it is not a finished model directory
   */
  public static ModelInfo read(Path dir) throws IOException {
    Path json = dir.resolve(ModelDirectory.MODEL_JSON);
    if (!Files.isRegularFile(json)) {
      throw new IllegalArgumentException(
          dir + ": not a finished 'facesieve train' output (no " + "model.json)");
    }
    return of(
        dir.toAbsolutePath().toString(),
        StageJson.read(json, ModelJson.class),
        LocalFiles.sha256(json));
  }

  /**
   * What {@code m}, the {@code model.json} of the model directory {@code directory} (an absolute
   * local path, or a URI such as {@code hdfs://…}), says.
   *
   * @param sha256 the hash of that {@code model.json}'s bytes
   */
  public static ModelInfo of(String directory, ModelJson m, String sha256) {
    ModelJson.Architecture a = m.architecture();
    return new ModelInfo(
        directory,
        a.backbone(),
        a.onnx(),
        a.embeddingSize(),
        a.subCenters(),
        a.classes(),
        m.preprocessing(),
        m.identitiesByClass(),
        sha256,
        a.backboneSha256());
  }

  /** True when the model directory is named by a URI ({@code hdfs://…}), not a local path. */
  boolean isRemote() {
    return HadoopFiles.isRemote(directory);
  }

  /** Where a trained backbone's weights lie: a local path's string or a URI. */
  String backboneParams() {
    return isRemote()
        ? directory + "/backbone.params"
        : Path.of(directory).resolve("backbone.params").toString();
  }

  /**
   * This model without its class names, for code that ships to workers and only embeds: with 100K
   * classes the names are megabytes that a runner may serialise for every bundle.
   */
  public ModelInfo withoutIdentities() {
    return new ModelInfo(
        directory,
        backbone,
        onnx,
        embeddingSize,
        subCenters,
        classes,
        preprocessing,
        new TreeMap<>(),
        sha256,
        backboneSha256);
  }

  /** Opens the embedder this model embeds with (one per worker; close it). */
  public Embedder openEmbedder() throws IOException {
    return openEmbedder(0);
  }

  /**
   * Opens the embedder with {@code threads} threads per inference for an ONNX model (0: one per
   * core). A trained backbone runs on PyTorch's thread pool, which is shared by the whole process,
   * so the setting does not apply to it.
   */
  public Embedder openEmbedder(int threads) throws IOException {
    if (onnx != null) {
      return OnnxEmbedder.load(Path.of(onnx), preprocessing, true, threads);
    }
    if (!isRemote()) {
      return BackboneEmbedder.load(
          Path.of(backboneParams()), backbone, embeddingSize, preprocessing);
    }
    // a worker fetches the weights into a local temporary file: DJL loads from a local stream
    Path local = Files.createTempFile("facesieve-backbone-", ".params");
    try {
      URI uri = URI.create(backboneParams());
      try (InputStream in = HadoopFiles.fileSystem(uri).open(new org.apache.hadoop.fs.Path(uri))) {
        Files.copy(in, local, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      return BackboneEmbedder.load(local, backbone, embeddingSize, preprocessing);
    } finally {
      Files.deleteIfExists(local);
    }
  }
}
