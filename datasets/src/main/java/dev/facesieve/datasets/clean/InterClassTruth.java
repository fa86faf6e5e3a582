package dev.facesieve.datasets.clean;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import javax.annotation.Nullable;

/**
 * How the findings across classes match the ground truth: duplicate identities over class pairs,
 * test-set overlap over classes, duplicate images over copies.
 *
 * <p>A class's truth is the majority {@code true_identity} of its faces (ties to the smallest name;
 * a class none of whose faces names one is left out of the class metrics). Two classes are truly
 * one person when their truths are equal; a class truly overlaps the test set when its truth is one
 * of the test identities. Two faces are truly the same picture when they have the same original: a
 * face's original is the face its {@code true_duplicate_of} names (followed to the end of a chain),
 * or itself when it names none. A group of n prepared faces with one original holds n − 1 copies to
 * find; a face listed as a copy is right when the face it was found a copy of has the same
 * original, and a group's right finds count at most n − 1.
 *
 * <p>Each metric is a {@link DetectionMetrics.Counts}: found (class pairs in one duplicate group,
 * classes dropped as test identities, faces listed as copies), of which right, and the number the
 * truth holds; its conventions (precision 0 when nothing was found, recall 1 when the truth holds
 * nothing) are the noise metrics'.
 */
public final class InterClassTruth {
  private InterClassTruth() {}

  /** One line of {@code duplicate-images.csv}: face {@code id} was found a copy of {@code of}. */
  public record CopyFound(String id, String of) {}

  /** Per class, the count of each true identity its faces show; streamed face by face. */
  public static final class ClassTruth {
    private final Map<Integer, Map<String, Long>> counts = new HashMap<>();

    /** Adds one face of class {@code label}; a face with no true identity is not counted. */
    public void add(int label, @Nullable String trueIdentity) {
      if (trueIdentity != null) {
        counts.computeIfAbsent(label, k -> new HashMap<>()).merge(trueIdentity, 1L, Long::sum);
      }
    }

    /**
     * Each class's majority true identity (ties to the smallest name); classes with none absent.
     */
    public Map<Integer, String> majority() {
      Map<Integer, String> out = new TreeMap<>();
      counts.forEach(
          (label, byIdentity) -> {
            String best = null;
            long most = 0;
            for (Map.Entry<String, Long> e : byIdentity.entrySet()) {
              long n = e.getValue();
              if (n > most || (n == most && e.getKey().compareTo(best) < 0)) {
                best = e.getKey();
                most = n;
              }
            }
            out.put(label, best);
          });
      return out;
    }
  }

  /**
   * Duplicate identities over unordered pairs of classes with a known truth: found pairs lie in one
   * duplicate group, true pairs have the same truth.
   *
   * @param truthOf each class's truth (classes absent have none)
   * @param groupOf each class's duplicate group, for the classes in one
   */
  public static DetectionMetrics.Counts duplicateIdentities(
      Map<Integer, String> truthOf, Map<Integer, Integer> groupOf) {
    Map<String, Long> perTruth = new HashMap<>();
    truthOf.values().forEach(t -> perTruth.merge(t, 1L, Long::sum));
    long inTruth = 0;
    for (long n : perTruth.values()) {
      inTruth += pairs(n);
    }
    // group → truth → classes
    Map<Integer, Map<String, Long>> groups = new HashMap<>();
    groupOf.forEach(
        (label, group) -> {
          String t = truthOf.get(label);
          if (t != null) {
            groups.computeIfAbsent(group, k -> new HashMap<>()).merge(t, 1L, Long::sum);
          }
        });
    long found = 0;
    long right = 0;
    for (Map<String, Long> g : groups.values()) {
      long size = 0;
      for (long n : g.values()) {
        size += n;
        right += pairs(n);
      }
      found += pairs(size);
    }
    return new DetectionMetrics.Counts(found, right, inTruth);
  }

  /**
   * Test-set overlap over classes with a known truth: found classes were matched to a test identity
   * (and dropped), true ones show a test identity.
   *
   * @param truthOf each class's truth (classes absent have none)
   * @param matched the classes matched to a test identity
   * @param testIdentities the identities the test set shows
   */
  public static DetectionMetrics.Counts testOverlap(
      Map<Integer, String> truthOf, Collection<Integer> matched, Set<String> testIdentities) {
    long inTruth = truthOf.values().stream().filter(testIdentities::contains).count();
    long found = 0;
    long right = 0;
    for (int label : new HashSet<>(matched)) {
      String t = truthOf.get(label);
      if (t != null) {
        found++;
        right += testIdentities.contains(t) ? 1 : 0;
      }
    }
    return new DetectionMetrics.Counts(found, right, inTruth);
  }

  /**
   * Duplicate images over copies: found faces are those listed as a copy, true copies are each
   * group's faces but one (see the class comment).
   *
   * @param copyOf every face the truth marks as a copy → the face it copies
   * @param prepared whether an id is a face of the cleaned data (an original may be missing from
   *     it, quarantined or never there; then its group is its copies only)
   * @param found the copies listed
   */
  public static DetectionMetrics.Counts duplicateImages(
      Map<String, String> copyOf, Predicate<String> prepared, List<CopyFound> found) {
    // original → faces of its group that are prepared
    Map<String, Long> groupSize = new HashMap<>();
    for (String copy : copyOf.keySet()) {
      groupSize.merge(original(copyOf, copy), 1L, Long::sum);
    }
    Set<String> originals = new HashSet<>(groupSize.keySet());
    long inTruth = 0;
    for (String o : originals) {
      if (prepared.test(o)) {
        groupSize.merge(o, 1L, Long::sum);
      }
      inTruth += groupSize.get(o) - 1;
    }
    Set<String> listed = new HashSet<>();
    Map<String, Set<String>> rightByGroup = new HashMap<>();
    for (CopyFound f : found) {
      listed.add(f.id());
      String o = original(copyOf, f.id());
      if (o.equals(original(copyOf, f.of())) && groupSize.containsKey(o)) {
        rightByGroup.computeIfAbsent(o, k -> new HashSet<>()).add(f.id());
      }
    }
    long right = 0;
    for (Map.Entry<String, Set<String>> e : rightByGroup.entrySet()) {
      right += Math.min(e.getValue().size(), groupSize.get(e.getKey()) - 1);
    }
    return new DetectionMetrics.Counts(listed.size(), right, inTruth);
  }

  /** The face {@code id} is a copy of, followed to the end of a chain (itself when none). */
  static String original(Map<String, String> copyOf, String id) {
    List<String> seen = new ArrayList<>();
    String at = id;
    while (copyOf.containsKey(at) && !seen.contains(at)) {
      seen.add(at);
      at = copyOf.get(at);
    }
    return at;
  }

  private static long pairs(long n) {
    return n * (n - 1) / 2;
  }
}
