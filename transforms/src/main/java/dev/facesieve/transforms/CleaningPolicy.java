package dev.facesieve.transforms;

import static com.google.common.base.Preconditions.checkArgument;

import dev.facesieve.datasets.CleanSchemas.DropReason;
import dev.facesieve.model.ClassScorer;
import java.io.Serializable;
import java.util.Locale;

/**
 * The rule that turns a class's scores into keep/drop decisions.
 *
 * <p>{@code drop-py} is insightface's reference ({@code drop.py}): keep a sample iff its angle to
 * the dominant sub-centre is at most the threshold. {@code strict} also drops every sample whose
 * nearest sub-centre is not the dominant one. Then, with a minimum class size N, a class left with
 * fewer than N kept samples is dropped whole ({@code SMALL_CLASS}).
 */
public record CleaningPolicy(boolean strict, double thresholdDeg, int minClassSize)
    implements Serializable {
  public CleaningPolicy {
    checkArgument(
        thresholdDeg > 0 && thresholdDeg <= 180,
        "threshold must be in (0, 180] degrees, got %s",
        thresholdDeg);
    checkArgument(minClassSize >= 0, "min class size must be >= 0, got %s", minClassSize);
  }

  /** insightface's rule at 75°, no minimum class size. */
  public static CleaningPolicy dropPy() {
    return new CleaningPolicy(false, 75, 0);
  }

  /** Parses {@code drop-py} or {@code strict}. */
  public static CleaningPolicy parse(String name, double thresholdDeg, int minClassSize) {
    String n = name.toLowerCase(Locale.ROOT);
    checkArgument(
        n.equals("drop-py") || n.equals("strict"),
        "--policy must be drop-py or strict, got %s",
        name);
    return new CleaningPolicy(n.equals("strict"), thresholdDeg, minClassSize);
  }

  public String name() {
    return strict ? "strict" : "drop-py";
  }

  /** Per-sample reasons (null = kept) for one class's scores. */
  public String[] decide(ClassScorer.Scores s) {
    int n = s.nearest().length;
    String[] reason = new String[n];
    int kept = 0;
    for (int i = 0; i < n; i++) {
      if (s.angleDeg()[i] > thresholdDeg) {
        reason[i] = DropReason.OUTLIER_ANGLE.name();
      } else if (strict && s.nearest()[i] != s.dominant()) {
        reason[i] = DropReason.NON_DOMINANT.name();
      } else {
        kept++;
      }
    }
    if (kept > 0 && kept < minClassSize) {
      for (int i = 0; i < n; i++) {
        if (reason[i] == null) {
          reason[i] = DropReason.SMALL_CLASS.name();
        }
      }
    }
    return reason;
  }
}
