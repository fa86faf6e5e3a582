package dev.facesieve.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.annotation.Nullable;

/**
 * A model directory's {@code model.json}, written last by {@link ModelDirectory#write} and read
 * through {@link dev.facesieve.datasets.contract.StageJson}.
 *
 * <p>Keys are in alphabetical order at every level, as FaceSieve has always written them. The
 * provenance keys are written only when the trainer was given them ({@code facesieve train} always
 * gives them; benchmarks give some).
 *
 * @param identities class number (as a string) → identity name
 */
@JsonPropertyOrder(alphabetic = true)
public record ModelJson(
    Architecture architecture,
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String data,
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String dataFingerprint,
    List<Trainer.EpochMetrics> epochs,
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String facesieveVersion,
    Map<String, String> identities,
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Long images,
    Preprocessing preprocessing,
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String stage,
    Training training,
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Embeddings embeddings) {

  /** A {@code model.json} without an embedding pass's record (a trained backbone's). */
  public ModelJson(
      Architecture architecture,
      @Nullable String data,
      @Nullable String dataFingerprint,
      List<Trainer.EpochMetrics> epochs,
      @Nullable String facesieveVersion,
      Map<String, String> identities,
      @Nullable Long images,
      Preprocessing preprocessing,
      @Nullable String stage,
      Training training) {
    this(
        architecture,
        data,
        dataFingerprint,
        epochs,
        facesieveVersion,
        identities,
        images,
        preprocessing,
        stage,
        training,
        null);
  }

  /**
   * Head-only training's embeddings: embedded by this training or reused from a store.
   *
   * @param store the embedding store's folder ({@code --embeddings}), or null when training kept
   *     them to itself
   * @param embedderSha256 {@link EmbedderKey#sha256()} of the frozen embedder
   * @param facesEmbedded the faces this training embedded: 0 when it reused the store
   * @param reused true when the store already held them
   */
  @JsonPropertyOrder(alphabetic = true)
  public record Embeddings(
      @Nullable String store, String embedderSha256, long facesEmbedded, boolean reused) {}

  /**
   * The model's architecture.
   *
   * @param backbone a name from {@link Backbones#NAMES}, or {@code onnx}
   * @param onnx the absolute path of a head-only model's ONNX file
   * @param onnxSha256 that file's SHA-256 when the model was trained
   * @param backboneSha256 a trained backbone's {@code backbone.params} SHA-256, recorded when it
   *     was written, so that matching stored embeddings ({@link EmbedderKey}) needs no pass over
   *     the weights (and no weights at all)
   * @param centresSha256 {@code centres.parquet}'s SHA-256 as training wrote it ({@link
   *     ModelCheck})
   */
  @JsonPropertyOrder(alphabetic = true)
  public record Architecture(
      String backbone,
      int classes,
      int embeddingSize,
      double m1,
      double m2,
      double m3,
      @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String onnx,
      @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String onnxSha256,
      double scale,
      int subCenters,
      @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String backboneSha256,
      @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String centresSha256) {}

  /** The optimisation settings of the run. */
  @JsonPropertyOrder(alphabetic = true)
  public record Training(
      int batchSize,
      int epochs,
      double learningRate,
      double momentum,
      double sampleRate,
      long seed,
      double warmupEpochs,
      double weightDecay) {

    static Training of(TrainConfig c) {
      return new Training(
          c.batchSize(),
          c.epochs(),
          c.learningRate(),
          c.momentum(),
          c.sampleRate(),
          c.seed(),
          c.warmupEpochs(),
          c.weightDecay());
    }
  }

  /**
   * Where the training data came from; any part may be absent.
   *
   * @param stage {@code train} when written by the train stage
   * @param data the {@code prepare} output trained on
   * @param dataFingerprint its manifest's fingerprint
   * @param images the number of faces trained on
   */
  public record Provenance(
      @Nullable String stage,
      @Nullable String facesieveVersion,
      @Nullable String data,
      @Nullable String dataFingerprint,
      @Nullable Long images) {
    /** No provenance. */
    public static final Provenance NONE = new Provenance(null, null, null, null, null);
  }

  /** The provenance this file records. */
  public Provenance provenance() {
    return new Provenance(stage, facesieveVersion, data, dataFingerprint, images);
  }

  /** The identities by class number. */
  public TreeMap<Integer, String> identitiesByClass() {
    TreeMap<Integer, String> ids = new TreeMap<>();
    identities.forEach((k, v) -> ids.put(Integer.parseInt(k), v));
    return ids;
  }
}
