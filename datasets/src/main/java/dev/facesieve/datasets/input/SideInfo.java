package dev.facesieve.datasets.input;

import dev.facesieve.datasets.NoiseKind;
import java.io.Serializable;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * Per-record facts that come from side files rather than from the images: 5-point landmarks and
 * ground-truth noise kinds, for the records of one shard only.
 */
public record SideInfo(Map<String, float[]> landmarks, Map<String, NoiseKind> truth)
    implements Serializable {
  public static final SideInfo NONE = new SideInfo(Map.of(), Map.of());

  @Nullable
  public float[] landmarksOf(String id) {
    return landmarks.get(id);
  }

  @Nullable
  public NoiseKind truthOf(String id) {
    return truth.get(id);
  }
}
