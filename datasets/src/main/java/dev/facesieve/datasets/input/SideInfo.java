package dev.facesieve.datasets.input;

import dev.facesieve.datasets.NoiseKind;
import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * Per-record facts that come from side files rather than from the images: 5-point landmarks and
 * ground truth (noise kind, true identity, the face it copies), for the records of one shard only.
 */
public record SideInfo(Map<String, float[]> landmarks, Map<String, SideFiles.Truth> truth)
    implements Serializable {
  public static final SideInfo NONE = new SideInfo(Map.of(), Map.of());

  /** The entries of the whole side maps that belong to the given record ids. */
  static SideInfo forIds(
      List<String> ids, Map<String, float[]> landmarks, Map<String, SideFiles.Truth> truth) {
    if (landmarks.isEmpty() && truth.isEmpty()) {
      return NONE;
    }
    Map<String, float[]> l = new HashMap<>();
    Map<String, SideFiles.Truth> t = new HashMap<>();
    for (String id : ids) {
      float[] lm = landmarks.get(id);
      if (lm != null) {
        l.put(id, lm);
      }
      SideFiles.Truth k = truth.get(id);
      if (k != null) {
        t.put(id, k);
      }
    }
    return new SideInfo(l, t);
  }

  @Nullable
  public float[] landmarksOf(String id) {
    return landmarks.get(id);
  }

  /** The ground-truth noise kind of a record, or null when the truth file does not name it. */
  @Nullable
  public NoiseKind truthOf(String id) {
    SideFiles.Truth t = truth.get(id);
    return t == null ? null : t.kind();
  }

  /** The identity a record really shows, or null when the truth file does not say. */
  @Nullable
  public String trueIdentityOf(String id) {
    SideFiles.Truth t = truth.get(id);
    return t == null ? null : t.trueIdentity();
  }

  /** The id of the face a record copies, or null when the truth file does not say it is a copy. */
  @Nullable
  public String trueDuplicateOf(String id) {
    SideFiles.Truth t = truth.get(id);
    return t == null ? null : t.trueDuplicateOf();
  }
}
