package dev.facesieve.datasets.clean;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.Serializable;
import java.util.Locale;

/**
 * What cleaning does across classes: with one person under two labels, with two copies of one
 * picture, and with identities of a test set.
 *
 * <ul>
 *   <li>{@link #duplicateIdentities}: {@code report} (default: listed in {@code merges.csv}, {@code
 *       classes.parquet} and the report, nothing changed), {@code merge} (the group's faces all
 *       kept under the keeper's label, the largest class) or {@code drop} (every class but the
 *       keeper dropped, {@link DropReason#DUPLICATE_IDENTITY}).
 *   <li>{@link #dropDuplicateImages}: within a class, of the faces the class keeps, copies of one
 *       picture (the same sha256, or embeddings closer than {@link #nearDuplicateDeg}) are kept
 *       once, the copy first by id; the others are dropped ({@link DropReason#DUPLICATE_IMAGE}) or,
 *       when false, only marked. A near-duplicate angle of 0 finds byte-identical copies only.
 *   <li>A class matched to a test identity ({@link InterClassFindings#testMatch}) is dropped whole
 *       ({@link DropReason#TEST_OVERLAP}), and so is a face relabelled into such a class.
 * </ul>
 *
 * <p>Thresholds may be {@link CleaningPolicy#AUTO}: {@link #resolve} takes them from the run's
 * {@link Calibration}. These decisions run after the class's own ({@link
 * CleaningPolicy#decideClass}): only faces a class keeps are merged, dropped as a duplicate or
 * marked; a face already dropped keeps its reason.
 */
public record InterClassPolicy(
    DuplicateIdentities duplicateIdentities,
    double duplicateIdentityDeg,
    boolean dropDuplicateImages,
    double nearDuplicateDeg)
    implements Serializable {

  /** What to do with one person under several labels. */
  public enum DuplicateIdentities {
    REPORT,
    MERGE,
    DROP;

    /** The name on the command line. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code report}, {@code merge} or {@code drop}. */
    public static DuplicateIdentities parse(String s) {
      for (DuplicateIdentities d : values()) {
        if (d.wireName().equals(s.trim().toLowerCase(Locale.ROOT))) {
          return d;
        }
      }
      throw new IllegalArgumentException(
          "--duplicate-identities must be one of report, merge, drop, got " + s);
    }
  }

  /** The default: report duplicate identities, keep one copy of a duplicate image. */
  public static final DuplicateIdentities DEFAULT_DUPLICATE_IDENTITIES = DuplicateIdentities.REPORT;

  public InterClassPolicy {
    checkArgument(duplicateIdentities != null, "duplicate-identity action is required");
    checkArgument(
        Double.isNaN(duplicateIdentityDeg)
            || (duplicateIdentityDeg >= 0 && duplicateIdentityDeg <= 180),
        "duplicate-identity angle must be in [0, 180] degrees or auto, got %s",
        duplicateIdentityDeg);
    checkArgument(
        Double.isNaN(nearDuplicateDeg) || (nearDuplicateDeg >= 0 && nearDuplicateDeg <= 180),
        "near-duplicate angle must be in [0, 180] degrees or auto, got %s",
        nearDuplicateDeg);
  }

  /** Report duplicate identities, drop duplicate images, both angles read from the data. */
  public static InterClassPolicy defaults() {
    return new InterClassPolicy(
        DEFAULT_DUPLICATE_IDENTITIES, CleaningPolicy.AUTO, true, CleaningPolicy.AUTO);
  }

  /** This policy with its {@link CleaningPolicy#AUTO} angles taken from {@code c}. */
  public InterClassPolicy resolve(Calibration c) {
    return new InterClassPolicy(
        duplicateIdentities,
        Double.isNaN(duplicateIdentityDeg) ? c.duplicateIdentityDeg() : duplicateIdentityDeg,
        dropDuplicateImages,
        Double.isNaN(nearDuplicateDeg) ? c.nearDuplicateDeg() : nearDuplicateDeg);
  }

  public InterClassPolicy withDuplicateIdentities(DuplicateIdentities d) {
    return new InterClassPolicy(d, duplicateIdentityDeg, dropDuplicateImages, nearDuplicateDeg);
  }

  public InterClassPolicy withDuplicateIdentityDeg(double deg) {
    return new InterClassPolicy(duplicateIdentities, deg, dropDuplicateImages, nearDuplicateDeg);
  }

  public InterClassPolicy withDropDuplicateImages(boolean drop) {
    return new InterClassPolicy(duplicateIdentities, duplicateIdentityDeg, drop, nearDuplicateDeg);
  }

  /**
   * This policy for an embedder that is {@code pretrained} (a frozen ONNX model) or was trained
   * here from scratch: near copies are found by embedding (an {@code auto} near-duplicate angle)
   * only with a pretrained one. A backbone trained here from scratch crowds distinct pictures of a
   * person together (on the demo's synthetic faces the small CNN put 8% of them within the auto
   * angle of another), so its runs find byte copies only (angle 0) unless an angle is given.
   */
  public InterClassPolicy forEmbedder(boolean pretrained) {
    return Double.isNaN(nearDuplicateDeg) && !pretrained ? withNearDuplicateDeg(0) : this;
  }

  public InterClassPolicy withNearDuplicateDeg(double deg) {
    return new InterClassPolicy(
        duplicateIdentities, duplicateIdentityDeg, dropDuplicateImages, deg);
  }

  /**
   * One class's decision after the inter-class findings: test overlap, duplicate identities, then
   * duplicate images among the faces still kept in the class.
   *
   * @param d the class's own decision
   * @param x its faces' unit embeddings, in the decision's order (sorted by id)
   * @param sha256 their image digests (null entries never match)
   */
  public ClassDecision apply(
      ClassDecision d, float[][] x, String[] sha256, InterClassFindings findings) {
    checkArgument(
        !Double.isNaN(nearDuplicateDeg), "resolve the policy before applying it (auto angles)");
    int n = d.reason().length;
    int label = d.label();
    DropReason[] reason = d.reason().clone();
    int[] target = d.target().clone();
    boolean[] merged = new boolean[n];
    int[] duplicateOf = new int[n];
    double[] angleToDuplicate = new double[n];
    boolean[] exact = new boolean[n];
    java.util.Arrays.fill(duplicateOf, -1);
    java.util.Arrays.fill(angleToDuplicate, Double.NaN);
    boolean overlap = findings.testMatch(label) != null;
    int keeper = findings.keeperOf(label);
    for (int i = 0; i < n; i++) {
      if (reason[i] != null) {
        continue;
      }
      if (target[i] != label) {
        // a face moved out: into a test identity it is dropped; into a duplicate it follows the
        // action (merge or drop both mean "the keeper's class")
        if (findings.testMatch(target[i]) != null) {
          reason[i] = DropReason.TEST_OVERLAP;
          target[i] = label;
        } else if (duplicateIdentities != DuplicateIdentities.REPORT) {
          target[i] = findings.keeperOf(target[i]);
          if (findings.keeperOf(target[i]) == keeper && keeper != label) {
            target[i] = label; // moved within its own group: decided below like a kept face
          }
        }
        if (reason[i] != null || target[i] != label) {
          continue;
        }
      }
      if (overlap) {
        reason[i] = DropReason.TEST_OVERLAP;
      } else if (keeper != label && duplicateIdentities == DuplicateIdentities.DROP) {
        reason[i] = DropReason.DUPLICATE_IDENTITY;
      } else if (keeper != label && duplicateIdentities == DuplicateIdentities.MERGE) {
        target[i] = keeper;
        merged[i] = true;
      }
    }
    markDuplicateImages(
        x, sha256, reason, target, label, merged, duplicateOf, angleToDuplicate, exact);
    return new ClassDecision(
        label,
        reason,
        d.angleDeg(),
        target,
        d.angleToTargetDeg(),
        d.subClasses(),
        d.otherPerson(),
        merged,
        duplicateOf,
        angleToDuplicate,
        exact);
  }

  /**
   * Among the faces kept in the class (own or merged), joins copies (same digest, or within {@link
   * #nearDuplicateDeg}) into groups by union-find and keeps each group's first face.
   */
  private void markDuplicateImages(
      float[][] x,
      String[] sha256,
      DropReason[] reason,
      int[] target,
      int label,
      boolean[] merged,
      int[] duplicateOf,
      double[] angleToDuplicate,
      boolean[] exact) {
    int n = x.length;
    double minCos = Math.cos(Math.toRadians(nearDuplicateDeg));
    int[] parent = new int[n];
    for (int i = 0; i < n; i++) {
      parent[i] = i;
    }
    boolean any = false;
    // the same bytes: joined through a map, in linear time
    java.util.Map<String, Integer> firstOfDigest = new java.util.HashMap<>();
    for (int i = 0; i < n; i++) {
      if (sha256[i] != null && keptHere(i, reason, target, label, merged)) {
        Integer first = firstOfDigest.putIfAbsent(sha256[i], i);
        if (first != null) {
          any |= union(parent, first, i);
        }
      }
    }
    // near copies: every pair of kept faces (a class's faces, not the run's)
    for (int i = 0; nearDuplicateDeg > 0 && i < n; i++) {
      if (!keptHere(i, reason, target, label, merged)) {
        continue;
      }
      for (int j = i + 1; j < n; j++) {
        if (keptHere(j, reason, target, label, merged) && ClassScorer.dot(x[i], x[j]) >= minCos) {
          any |= union(parent, i, j);
        }
      }
    }
    if (!any) {
      return;
    }
    for (int i = 0; i < n; i++) {
      int r = root(parent, i);
      if (r != i) {
        duplicateOf[i] = r;
        angleToDuplicate[i] = SubClasses.angleDeg(ClassScorer.dot(x[i], x[r]));
        exact[i] = sha256[i] != null && sha256[i].equals(sha256[r]);
        if (dropDuplicateImages) {
          reason[i] = DropReason.DUPLICATE_IMAGE;
          merged[i] = false;
        }
      }
    }
  }

  private static boolean keptHere(
      int i, DropReason[] reason, int[] target, int label, boolean[] merged) {
    return reason[i] == null && (target[i] == label || merged[i]);
  }

  /**
   * Joins the groups of {@code i} and {@code j} (the lower root stays); true when they differed.
   */
  private static boolean union(int[] parent, int i, int j) {
    int a = root(parent, i);
    int b = root(parent, j);
    if (a == b) {
      return false;
    }
    parent[Math.max(a, b)] = Math.min(a, b);
    return true;
  }

  private static int root(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }
}
