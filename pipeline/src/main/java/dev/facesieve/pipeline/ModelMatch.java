package dev.facesieve.pipeline;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.contract.PrepareManifest;
import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.datasets.io.HadoopFiles;
import dev.facesieve.model.ModelCheck;
import dev.facesieve.model.ModelDirectory;
import dev.facesieve.model.ModelInfo;
import dev.facesieve.model.ModelJson;
import java.io.IOException;
import java.net.URI;
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
      PrepareManifest prepared, ModelInfo model, Location modelDir, boolean allowForeign) {
    SortedMap<Integer, String> unknown = prepared.labels().tailMap(model.classes());
    if (!unknown.isEmpty()) {
      throw new InputException(
          modelDir.toString(),
          "the model has "
              + model.classes()
              + " classes but the data has label "
              + unknown.firstKey()
              + "; train on this data first");
    }
    String foreign = classMapDifference(prepared.labels(), model.identities(), model.classes());
    if (foreign != null && !allowForeign) {
      throw new InputException(
          modelDir.toString(),
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
    return classMapDifference(data, Location.of(model));
  }

  /** {@link #classMapDifference(Location, Path)} of a model directory on any file system. */
  @Nullable
  public static String classMapDifference(Location data, Location model) throws IOException {
    PrepareManifest prepared = PreparedData.read(data);
    if (!model.resolve(ModelDirectory.MODEL_JSON).isFile()) {
      throw new InputException(
          model.toString(), "not a finished 'facesieve train' output (no model.json)");
    }
    ModelJson m = readJson(model);
    return classMapDifference(prepared.labels(), m.identitiesByClass(), m.architecture().classes());
  }

  /** The fingerprint of the data the model in {@code modelDir} was trained on, if recorded. */
  @Nullable
  static String dataFingerprint(Location modelDir) throws IOException {
    return readJson(modelDir).dataFingerprint();
  }

  /**
   * What a model directory on any file system says, for the driver and, without its class names,
   * for workers: a remote one keeps its URI, so workers read its files from there.
   *
   * <p>Its files are checked against {@code model.json} first ({@link ModelCheck}).
   *
   * @throws IllegalArgumentException if it is not a finished model directory
   * @throws dev.facesieve.datasets.InputException if its files are not what {@code model.json} says
   */
  static ModelInfo readModel(Location dir) throws IOException {
    ModelInfo info;
    if (dir.isLocal()) {
      info = ModelInfo.read(dir.local("--model"));
    } else {
      Location json = dir.resolve(ModelDirectory.MODEL_JSON);
      if (!json.isFile()) {
        throw new IllegalArgumentException(
            dir + ": not a finished 'facesieve train' output (no model.json)");
      }
      info =
          ModelInfo.of(
              dir.spec(false), readJson(dir), HadoopFiles.sha256(URI.create(json.spec(false))));
    }
    ModelCheck.check(dir.spec(false), readJson(dir));
    return info;
  }

  /**
   * A model directory's {@code model.json} ({@link ModelDirectory#readJson}) on any file system.
   */
  static ModelJson readJson(Location dir) throws IOException {
    if (dir.isLocal()) {
      return ModelDirectory.readJson(dir.local("--model"));
    }
    return StageJson.MAPPER.readValue(
        dir.resolve(ModelDirectory.MODEL_JSON).readString(), ModelJson.class);
  }
}
