package dev.facesieve.datasets.clean;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import javax.annotation.Nullable;

/**
 * The rule that turns a class's scores into keep/drop decisions.
 *
 * <p>{@code drop-py} is insightface's reference ({@code drop.py}): keep a sample iff its angle to
 * the dominant sub-centre is at most the threshold. {@code strict} also drops every sample whose
 * nearest sub-centre is not the dominant one. Then, with a minimum class size N, a class left with
 * fewer than N kept samples is dropped whole ({@code SMALL_CLASS}).
 *
 * <p>The per-face part of the rule is {@link #faceReason}; {@link #decide} applies it to a class
 * and adds the class-level part. Everything that asks "would this face be dropped" (the Beam stage,
 * the report's threshold sweep, the benchmarks) calls one of the two.
 */
public record CleaningPolicy(boolean strict, double thresholdDeg, int minClassSize)
    implements Serializable {
  /** Name of insightface's rule. */
  public static final String DROP_PY = "drop-py";

  /** Name of the strict rule. */
  public static final String STRICT = "strict";

  /** Every policy name, in the order reports list them. */
  public static final List<String> NAMES = List.of(DROP_PY, STRICT);

  /** The default policy name: insightface's rule. */
  public static final String DEFAULT_NAME = DROP_PY;

  /** The default threshold, insightface's {@code drop.py}: 75°. */
  public static final double DEFAULT_THRESHOLD_DEG = 75;

  /** The default minimum class size: none. */
  public static final int DEFAULT_MIN_CLASS_SIZE = 0;

  public CleaningPolicy {
    checkArgument(
        thresholdDeg > 0 && thresholdDeg <= 180,
        "threshold must be in (0, 180] degrees, got %s",
        thresholdDeg);
    checkArgument(minClassSize >= 0, "min class size must be >= 0, got %s", minClassSize);
  }

  /** insightface's rule at 75°, no minimum class size. */
  public static CleaningPolicy dropPy() {
    return new CleaningPolicy(false, DEFAULT_THRESHOLD_DEG, DEFAULT_MIN_CLASS_SIZE);
  }

  /** Parses {@code drop-py} or {@code strict}. */
  public static CleaningPolicy parse(String name, double thresholdDeg, int minClassSize) {
    String n = name.toLowerCase(Locale.ROOT);
    checkArgument(NAMES.contains(n), "--policy must be drop-py or strict, got %s", name);
    return new CleaningPolicy(n.equals(STRICT), thresholdDeg, minClassSize);
  }

  public String name() {
    return strict ? STRICT : DROP_PY;
  }

  /** This policy at another threshold. */
  public CleaningPolicy withThresholdDeg(double deg) {
    return new CleaningPolicy(strict, deg, minClassSize);
  }

  /**
   * The per-face rule, before any minimum class size: why a face at {@code angleDeg} to its class's
   * dominant sub-centre is dropped, or null when it is kept.
   */
  @Nullable
  public DropReason faceReason(double angleDeg, boolean nearestIsDominant) {
    if (angleDeg > thresholdDeg) {
      return DropReason.OUTLIER_ANGLE;
    }
    if (strict && !nearestIsDominant) {
      return DropReason.NON_DOMINANT;
    }
    return null;
  }

  /** Per-sample reasons (null = kept) for one class's scores. */
  public DropReason[] decide(ClassScorer.Scores s) {
    int n = s.nearest().length;
    DropReason[] reason = new DropReason[n];
    int kept = 0;
    for (int i = 0; i < n; i++) {
      reason[i] = faceReason(s.angleDeg()[i], s.nearest()[i] == s.dominant());
      if (reason[i] == null) {
        kept++;
      }
    }
    if (kept > 0 && kept < minClassSize) {
      for (int i = 0; i < n; i++) {
        if (reason[i] == null) {
          reason[i] = DropReason.SMALL_CLASS;
        }
      }
    }
    return reason;
  }
}
