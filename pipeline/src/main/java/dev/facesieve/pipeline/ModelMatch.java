package dev.facesieve.pipeline;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.model.ModelDirectory;
import dev.facesieve.model.ModelInfo;
import dev.facesieve.model.ModelJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import javax.annotation.Nullable;

/**
 * Whether a model may clean a prepare output: it must have a class for every label of the data and,
 * unless the user allows a foreign model, call each class by the data's name for it.
 */
public final class ModelMatch {
  private ModelMatch() {}

  /**
   * Refuses a model that lacks some label of the data, and one whose class names differ from the
   * data's unless {@code allowForeign}.
   *
   * @throws InputException naming the model folder and the first difference
   */
  static void check(
      PrepareManifest prepared, ModelInfo model, Path modelDir, boolean allowForeign) {
    SortedMap<Integer, String> unknown = prepared.labels().tailMap(model.classes());
    if (!unknown.isEmpty()) {
      throw new InputException(
          modelDir,
          "the model has "
              + model.classes()
              + " classes but the data has label "
              + unknown.firstKey()
              + "; train on this data first");
    }
    String foreign = classMapDifference(prepared.labels(), model.identities(), model.classes());
    if (foreign != null && !allowForeign) {
      throw new InputException(
          modelDir,
          foreign + "; train on this data, or pass --allow-foreign-model to clean with it anyway");
    }
  }

  /**
   * How a model's classes differ from the data's, in one line, or null when every label of the data
   * names the same identity in the model.
   *
   * <p>A model of more classes than the data agrees when the data's labels match: a prepared subset
   * of the training data keeps its labels and names.
   *
   * @param data the prepare manifest's label → identity
   * @param model the model's class → identity
   * @param modelClasses the model's class count
   */
  @Nullable
  public static String classMapDifference(
      SortedMap<Integer, String> data, SortedMap<Integer, String> model, int modelClasses) {
    for (Map.Entry<Integer, String> e : data.entrySet()) {
      String theirs = model.get(e.getKey());
      if (!e.getValue().equals(theirs)) {
        return "model was trained on "
            + modelClasses
            + " classes, the data has "
            + data.size()
            + "; first difference: label "
            + e.getKey()
            + " is '"
            + e.getValue()
            + "' in the data, "
            + (theirs == null ? "absent from the model" : "'" + theirs + "' in the model");
      }
    }
    return null;
  }

  /**
   * {@link #classMapDifference} of a prepare output and a model directory, for a caller that warns
   * before cleaning with {@link Settings#allowForeignModel}.
   *
   * @throws InputException when either is not a finished stage output
   */
  @Nullable
  public static String classMapDifference(Location data, Path model) throws IOException {
    PrepareManifest prepared = CleanJob.readPrepared(data);
    if (!Files.isRegularFile(model.resolve(ModelDirectory.MODEL_JSON))) {
      throw new InputException(model, "not a finished 'facesieve train' output (no model.json)");
    }
    ModelJson m = ModelDirectory.readJson(model);
    return classMapDifference(prepared.labels(), m.identitiesByClass(), m.architecture().classes());
  }

  /** The fingerprint of the data the model in {@code modelDir} was trained on, if recorded. */
  @Nullable
  static String dataFingerprint(Path modelDir) throws IOException {
    return ModelDirectory.readJson(modelDir).dataFingerprint();
  }
}
