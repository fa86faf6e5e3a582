package dev.facesieve.datasets.clean;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.annotation.Nullable;

/**
 * The rule that turns a class's scores into keep/drop/relabel decisions.
 *
 * <ul>
 *   <li>{@code drop-py} is insightface's reference ({@code drop.py}): keep a face iff its angle to
 *       the dominant sub-centre is at most the threshold.
 *   <li>{@code strict} also drops every face whose nearest sub-centre is not the dominant one.
 *   <li>{@code subclass} decides on sub-classes (the faces nearest each sub-centre, {@link
 *       SubClasses}): a non-dominant sub-class is another person, and is dropped whole ({@code
 *       OTHER_PERSON}), on group evidence alone ({@link #isOtherPerson}): at least {@link
 *       #minSubclassSize} faces, its member centroid more than {@link #otherPersonDeg} from the
 *       dominant sub-class's, and its faces holding together like one person's photos (within the
 *       {@link #personSpreadDeg} a person's group keeps). A scatter of one person's hard pictures
 *       (profile, greyscale, occlusion) may sit as far out, but its faces are far from each other
 *       too, and it stays. Classes of fewer than {@link PersonCuts#MIN_GROUP_CLASS_FACES} faces are
 *       judged face by face. A face is then an outlier when its angle to its person's centroid
 *       exceeds the per-face threshold.
 * </ul>
 *
 * <p>Thresholds may be {@link #AUTO} ({@code NaN}): {@link #resolve} replaces them with the values
 * a {@link Calibration} read from the data. With {@link #relabel}, the faces of a dropped sub-class
 * whose centroid lies within {@link #otherPersonDeg} of another class's dominant centroid (each
 * face also within the threshold of it), or a dropped face that lies within {@link #relabelFaceDeg}
 * of another class's centroid (as close as a typical face of that person) and at least {@link
 * #RELABEL_MARGIN_DEG} closer to it than to its own, is moved to that class instead (close-set
 * noise); open-set intruders have no such class and stay dropped. Finally, with a minimum class
 * size N, a class left with fewer than N kept faces is dropped whole ({@code SMALL_CLASS}).
 *
 * <p>Everything that asks "what happens to this face" (the Beam stage, the report's threshold
 * sweep, the benchmarks) calls {@link #faceReason}, {@link #decide} or {@link #decideClass}.
 */
public record CleaningPolicy(
    Kind kind,
    double thresholdDeg,
    double otherPersonDeg,
    int minSubclassSize,
    int minClassSize,
    boolean relabel,
    double relabelFaceDeg,
    double personSpreadDeg)
    implements Serializable {

  /** The policies. */
  public enum Kind {
    DROP_PY(CleaningPolicy.DROP_PY),
    STRICT(CleaningPolicy.STRICT),
    SUBCLASS(CleaningPolicy.SUBCLASS);

    private final String wireName;

    Kind(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }
  }

  /** Name of insightface's rule. */
  public static final String DROP_PY = "drop-py";

  /** Name of the strict rule. */
  public static final String STRICT = "strict";

  /** Name of the sub-class rule. */
  public static final String SUBCLASS = "subclass";

  /** Every policy name, in the order reports list them. */
  public static final List<String> NAMES = List.of(DROP_PY, STRICT, SUBCLASS);

  /** A threshold read from the data ({@link Calibration}). */
  public static final double AUTO = Double.NaN;

  /** The default policy: sub-class decisions (docs/quality.md compares it with drop-py). */
  public static final String DEFAULT_NAME = SUBCLASS;

  /** insightface's {@code drop.py} threshold, 75°: the reference and drop-py's default. */
  public static final double DEFAULT_THRESHOLD_DEG = 75;

  /** "Another person" when calibration has nothing to go on (a single class). */
  public static final double FALLBACK_OTHER_PERSON_DEG = 45;

  /** The default minimum sub-class size: smaller groups are judged face by face. */
  public static final int DEFAULT_MIN_SUBCLASS_SIZE = 3;

  /** The default minimum class size: none. */
  public static final int DEFAULT_MIN_CLASS_SIZE = 0;

  /** A dropped face moves only if it is this much closer to the other class than to its own. */
  public static final double RELABEL_MARGIN_DEG = 10;

  public CleaningPolicy {
    checkArgument(kind != null, "policy kind is required");
    checkArgument(
        Double.isNaN(thresholdDeg) || (thresholdDeg > 0 && thresholdDeg <= 180),
        "threshold must be in (0, 180] degrees or auto, got %s",
        thresholdDeg);
    checkArgument(
        Double.isNaN(otherPersonDeg) || (otherPersonDeg > 0 && otherPersonDeg <= 180),
        "sub-class threshold must be in (0, 180] degrees or auto, got %s",
        otherPersonDeg);
    checkArgument(minSubclassSize >= 1, "min sub-class size must be >= 1, got %s", minSubclassSize);
    checkArgument(minClassSize >= 0, "min class size must be >= 0, got %s", minClassSize);
  }

  /** insightface's rule at 75°, no minimum class size, no relabelling. */
  public static CleaningPolicy dropPy() {
    return of(Kind.DROP_PY, DEFAULT_THRESHOLD_DEG);
  }

  /** The default: sub-class decisions with both thresholds read from the data. */
  public static CleaningPolicy defaults() {
    return of(Kind.SUBCLASS, AUTO);
  }

  /** A policy at a face threshold (or {@link #AUTO}), other settings at their defaults. */
  public static CleaningPolicy of(Kind kind, double thresholdDeg) {
    return new CleaningPolicy(
        kind,
        thresholdDeg,
        AUTO,
        DEFAULT_MIN_SUBCLASS_SIZE,
        DEFAULT_MIN_CLASS_SIZE,
        false,
        AUTO,
        AUTO);
  }

  /** Parses a policy name ({@code drop-py}, {@code strict} or {@code subclass}). */
  public static Kind kind(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (Kind k : Kind.values()) {
      if (k.wireName().equals(n)) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "--policy must be one of " + String.join(", ", NAMES) + ", got " + name);
  }

  /** A named policy at a threshold and minimum class size, other settings at their defaults. */
  public static CleaningPolicy parse(String name, double thresholdDeg, int minClassSize) {
    return of(kind(name), thresholdDeg).withMinClassSize(minClassSize);
  }

  /** Parses a threshold in degrees, or {@code auto}. */
  public static double parseDegrees(String s) {
    if (s.trim().equalsIgnoreCase("auto")) {
      return AUTO;
    }
    return Double.parseDouble(s.trim());
  }

  public String name() {
    return kind.wireName();
  }

  public boolean strict() {
    return kind == Kind.STRICT;
  }

  /** True when some threshold is still {@link #AUTO}. */
  public boolean isAuto() {
    return Double.isNaN(thresholdDeg)
        || (kind == Kind.SUBCLASS
            && (Double.isNaN(otherPersonDeg) || Double.isNaN(personSpreadDeg)))
        || (relabel && Double.isNaN(relabelFaceDeg));
  }

  /** True when deciding needs the calibration pass (auto thresholds, or relabelling). */
  public boolean needsCalibration() {
    return isAuto() || relabel;
  }

  /**
   * This policy with every {@link #AUTO} threshold replaced by the calibrated one; relabelling is
   * turned off when the calibration found the classes' persons {@link Calibration#collapsed}.
   */
  public CleaningPolicy resolve(Calibration c) {
    return new CleaningPolicy(
        kind,
        Double.isNaN(thresholdDeg) ? c.outlierDeg() : thresholdDeg,
        Double.isNaN(otherPersonDeg) ? c.otherPersonDeg() : otherPersonDeg,
        minSubclassSize,
        minClassSize,
        relabel && !c.collapsed(),
        Double.isNaN(relabelFaceDeg) ? c.relabelFaceDeg() : relabelFaceDeg,
        Double.isNaN(personSpreadDeg) ? c.personSpreadDeg() : personSpreadDeg);
  }

  /** This policy at another face threshold. */
  public CleaningPolicy withThresholdDeg(double deg) {
    return new CleaningPolicy(
        kind,
        deg,
        otherPersonDeg,
        minSubclassSize,
        minClassSize,
        relabel,
        relabelFaceDeg,
        personSpreadDeg);
  }

  /** This policy with another "another person" threshold. */
  public CleaningPolicy withOtherPersonDeg(double deg) {
    return new CleaningPolicy(
        kind,
        thresholdDeg,
        deg,
        minSubclassSize,
        minClassSize,
        relabel,
        relabelFaceDeg,
        personSpreadDeg);
  }

  /** This policy with another person spread (the coherence a group of one person keeps). */
  public CleaningPolicy withPersonSpreadDeg(double deg) {
    return new CleaningPolicy(
        kind,
        thresholdDeg,
        otherPersonDeg,
        minSubclassSize,
        minClassSize,
        relabel,
        relabelFaceDeg,
        deg);
  }

  public CleaningPolicy withMinSubclassSize(int n) {
    return new CleaningPolicy(
        kind,
        thresholdDeg,
        otherPersonDeg,
        n,
        minClassSize,
        relabel,
        relabelFaceDeg,
        personSpreadDeg);
  }

  public CleaningPolicy withMinClassSize(int n) {
    return new CleaningPolicy(
        kind,
        thresholdDeg,
        otherPersonDeg,
        minSubclassSize,
        n,
        relabel,
        relabelFaceDeg,
        personSpreadDeg);
  }

  public CleaningPolicy withRelabel(boolean r) {
    return new CleaningPolicy(
        kind,
        thresholdDeg,
        otherPersonDeg,
        minSubclassSize,
        minClassSize,
        r,
        relabelFaceDeg,
        personSpreadDeg);
  }

  /**
   * The per-face rule, before sub-classes and any minimum class size: why a face at {@code
   * angleDeg} to its class's reference is dropped, or null when it is kept.
   */
  @Nullable
  public DropReason faceReason(double angleDeg, boolean nearestIsDominant) {
    checkState(!Double.isNaN(thresholdDeg), "resolve the auto threshold first");
    if (angleDeg > thresholdDeg) {
      return DropReason.OUTLIER_ANGLE;
    }
    if (kind == Kind.STRICT && !nearestIsDominant) {
      return DropReason.NON_DOMINANT;
    }
    return null;
  }

  /**
   * Per-face reasons (null = kept) of {@code drop-py} or {@code strict} for one class's scores;
   * {@code subclass} needs the embeddings ({@link #decideClass}).
   */
  public DropReason[] decide(ClassScorer.Scores s) {
    checkState(kind != Kind.SUBCLASS, "the subclass policy needs embeddings: use decideClass");
    int n = s.nearest().length;
    DropReason[] reason = new DropReason[n];
    for (int i = 0; i < n; i++) {
      reason[i] = faceReason(s.angleDeg()[i], s.nearest()[i] == s.dominant());
    }
    applyMinClassSize(reason);
    return reason;
  }

  private void applyMinClassSize(DropReason[] reason) {
    int kept = 0;
    for (DropReason r : reason) {
      kept += r == null ? 1 : 0;
    }
    if (kept > 0 && kept < minClassSize) {
      for (int i = 0; i < reason.length; i++) {
        if (reason[i] == null) {
          reason[i] = DropReason.SMALL_CLASS;
        }
      }
    }
  }

  /**
   * Decides one class: reasons, the angle each decision was made on, and moves to other classes.
   *
   * @param label the class
   * @param x its faces' unit embeddings, in the order of {@code s}
   * @param s their scores against the class's sub-centres
   * @param others every class's dominant centroid; required when {@link #relabel}
   */
  public ClassDecision decideClass(
      int label, float[][] x, ClassScorer.Scores s, @Nullable Centroids others) {
    checkState(!isAuto(), "resolve the auto thresholds first");
    checkState(!relabel || others != null, "relabelling needs every class's centroid");
    int n = x.length;
    SubClasses sc = SubClasses.of(x, s);
    int k = sc.size().length;
    DropReason[] reason = new DropReason[n];
    double[] angle = new double[n];
    boolean[] otherPerson = new boolean[k];
    if (kind != Kind.SUBCLASS) {
      for (int i = 0; i < n; i++) {
        angle[i] = s.angleDeg()[i];
        reason[i] = faceReason(angle[i], s.nearest()[i] == s.dominant());
      }
    } else {
      int elsewhere = 0;
      for (int j = 0; j < k; j++) {
        otherPerson[j] = isOtherPerson(x, s.nearest(), sc, j);
        // every group beyond the cut counts, coherent or not: the named person split into pose
        // groups next to an intruder group that took the dominant sub-centre is such a class
        if (j != sc.dominant() && sc.angleToDominantDeg()[j] > otherPersonDeg) {
          elsewhere += sc.size()[j];
        }
      }
      if (elsewhere >= PersonCuts.MAX_OTHER_PERSON_SHARE * n) {
        Arrays.fill(otherPerson, false);
      }
      // the person: the sum of every face not in another person's sub-class; each of those
      // faces is measured against the others (leave-one-out), the rest against all of them
      int d = x[0].length;
      double[] sum = new double[d];
      for (int i = 0; i < n; i++) {
        if (!otherPerson[s.nearest()[i]]) {
          for (int j = 0; j < d; j++) {
            sum[j] += x[i][j];
          }
        }
      }
      for (int i = 0; i < n; i++) {
        boolean own = !otherPerson[s.nearest()[i]];
        double dot = 0;
        double norm = 0;
        for (int j = 0; j < d; j++) {
          double r = own ? sum[j] - x[i][j] : sum[j];
          dot += r * x[i][j];
          norm += r * r;
        }
        angle[i] = norm > 0 ? SubClasses.angleDeg(dot / Math.sqrt(norm)) : 0;
        reason[i] = own ? faceReason(angle[i], true) : DropReason.OTHER_PERSON;
      }
    }
    int[] target = new int[n];
    Arrays.fill(target, label);
    double[] angleToTarget = new double[n];
    Arrays.fill(angleToTarget, Double.NaN);
    if (relabel) {
      relabel(label, x, s, sc, otherPerson, reason, target, angleToTarget, others);
    }
    applyMinClassSize(reason, target, label);
    return new ClassDecision(label, reason, angle, target, angleToTarget, sc, otherPerson);
  }

  /**
   * Whether sub-class {@code j} is another person, on group evidence alone: the class is large
   * enough to judge groups ({@link PersonCuts#MIN_GROUP_CLASS_FACES}), the group is not the
   * dominant one and has at least {@link #minSubclassSize} faces, its centroid lies beyond {@link
   * #otherPersonDeg} of the dominant one, and its faces hold together like one person's photos
   * ({@link PersonCuts#coherentWithinDeg} at {@link #personSpreadDeg}). The per-face cut plays no
   * part: a look-alike's group has its centroid far out while its faces sit between the two cuts.
   */
  boolean isOtherPerson(float[][] x, int[] nearest, SubClasses sc, int j) {
    return j != sc.dominant()
        && x.length >= PersonCuts.MIN_GROUP_CLASS_FACES
        && sc.size()[j] >= minSubclassSize
        && sc.angleToDominantDeg()[j] > otherPersonDeg
        && groupSpreadDeg(x, nearest, j)
            <= PersonCuts.coherentWithinDeg(personSpreadDeg, sc.size()[j]);
  }

  /** The median leave-one-out angle of sub-class {@code j}'s faces within the group. */
  static double groupSpreadDeg(float[][] x, int[] nearest, int j) {
    float[][] g =
        java.util.stream.IntStream.range(0, x.length)
            .filter(i -> nearest[i] == j)
            .mapToObj(i -> x[i])
            .toArray(float[][]::new);
    double[] a = SubClasses.leaveOneOutAnglesDeg(g);
    Arrays.sort(a);
    int m = a.length / 2;
    return a.length == 0 ? 0 : a.length % 2 == 1 ? a[m] : (a[m - 1] + a[m]) / 2;
  }

  private void applyMinClassSize(DropReason[] reason, int[] target, int label) {
    int kept = 0;
    for (int i = 0; i < reason.length; i++) {
      kept += reason[i] == null && target[i] == label ? 1 : 0;
    }
    if (kept > 0 && kept < minClassSize) {
      for (int i = 0; i < reason.length; i++) {
        if (reason[i] == null && target[i] == label) {
          reason[i] = DropReason.SMALL_CLASS;
        }
      }
    }
  }

  /** Moves dropped groups and faces that match another class's centroid (close-set noise). */
  private void relabel(
      int label,
      float[][] x,
      ClassScorer.Scores s,
      SubClasses sc,
      boolean[] otherPerson,
      DropReason[] reason,
      int[] target,
      double[] angleToTarget,
      Centroids others) {
    int own = others.indexOf(label);
    checkState(own >= 0, "class %s has no centroid", label);
    float[] ownCentroid = others.centroid(own);
    // whole sub-classes dropped as another person: one query per group
    int k = sc.size().length;
    int[] groupTarget = new int[k];
    Arrays.fill(groupTarget, -1);
    for (int j = 0; j < k; j++) {
      if (!otherPerson[j]) {
        continue;
      }
      Centroids.Match m = others.nearestOther(sc.centroid()[j], label);
      double toOld = SubClasses.angleDeg(ClassScorer.dot(sc.centroid()[j], ownCentroid));
      if (m != null && m.angleDeg() <= relabelFaceDeg && m.angleDeg() < toOld) {
        groupTarget[j] = m.label();
      }
    }
    List<Integer> singles = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      if (reason[i] == DropReason.OTHER_PERSON) {
        int j = s.nearest()[i];
        // a group's mean can sit near a class even when its faces do not (a blur of strangers):
        // each face must also be an inlier of the new class
        if (groupTarget[j] >= 0
            && SubClasses.angleDeg(
                    ClassScorer.dot(x[i], others.centroid(others.indexOf(groupTarget[j]))))
                <= thresholdDeg) {
          moveTo(i, groupTarget[j], x, reason, target, angleToTarget, others);
        }
      } else if (reason[i] == DropReason.OUTLIER_ANGLE || reason[i] == DropReason.NON_DOMINANT) {
        singles.add(i);
      }
    }
    if (singles.isEmpty()) {
      return;
    }
    float[][] q = new float[singles.size()][];
    int[] ex = new int[q.length];
    for (int t = 0; t < q.length; t++) {
      q[t] = x[singles.get(t)];
      ex[t] = label;
    }
    Centroids.Match[] m = others.nearestOther(q, ex);
    for (int t = 0; t < q.length; t++) {
      int i = singles.get(t);
      double toOld = SubClasses.angleDeg(ClassScorer.dot(x[i], ownCentroid));
      if (m[t] != null
          && m[t].angleDeg() <= relabelFaceDeg
          && toOld - m[t].angleDeg() >= RELABEL_MARGIN_DEG) {
        moveTo(i, m[t].label(), x, reason, target, angleToTarget, others);
      }
    }
  }

  private static void moveTo(
      int i,
      int to,
      float[][] x,
      DropReason[] reason,
      int[] target,
      double[] angleToTarget,
      Centroids others) {
    reason[i] = null;
    target[i] = to;
    angleToTarget[i] =
        SubClasses.angleDeg(ClassScorer.dot(x[i], others.centroid(others.indexOf(to))));
  }
}
