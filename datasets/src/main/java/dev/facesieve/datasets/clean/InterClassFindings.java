package dev.facesieve.datasets.clean;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.annotation.Nullable;

/**
 * What the search across classes found: groups of classes that are one person (duplicate
 * identities) and classes whose person is a test-set identity.
 *
 * <p>Both compare member centroids (each class's person centroid: the mean of its dominant
 * sub-class and of the sub-classes close to it, {@link Calibration.ClassStats#personCentroid}),
 * never head rows: the margin loss pushes a model's rows apart whether or not two classes hold one
 * person. Pairs of classes within {@code duplicateIdentityDeg} are joined into groups by union-find
 * (one person under three labels is one group of three, even if two of the three are just beyond
 * the angle); a group's keeper is its largest class (most faces; ties to the lower label), whose
 * label a merge keeps. A class is a test-set identity when its centroid lies within the same angle
 * of that identity's centroid (the mean of its test faces); a group inherits a match of any member,
 * as its classes are one person.
 *
 * <p>Small (only classes with findings are held), so it travels as part of the scoring stage's one
 * side input.
 */
public final class InterClassFindings implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Nothing found. */
  public static final InterClassFindings NONE =
      new InterClassFindings(List.of(), Map.of(), Double.NaN);

  /**
   * A duplicate-identity group.
   *
   * @param id its number, in order of its keeper's label
   * @param keeper its largest class
   * @param labels its classes, in label order
   * @param identities their names
   * @param faces their face counts
   * @param angleToKeeperDeg each class's person-centroid angle to the keeper's (0 for the keeper)
   */
  public record Group(
      int id, int keeper, int[] labels, String[] identities, int[] faces, double[] angleToKeeperDeg)
      implements Serializable {}

  /** A training class matched to a test identity, at the angle between their centroids. */
  public record TestMatch(String testIdentity, double angleDeg) implements Serializable {}

  private final List<Group> groups;
  private final Map<Integer, TestMatch> testMatches;
  private final Map<Integer, int[]> memberOf; // label -> {group, index in group}
  private final double duplicateIdentityDeg;

  private InterClassFindings(
      List<Group> groups, Map<Integer, TestMatch> testMatches, double duplicateIdentityDeg) {
    this.groups = List.copyOf(groups);
    this.testMatches = new HashMap<>(testMatches);
    this.memberOf = new HashMap<>();
    for (Group g : groups) {
      for (int i = 0; i < g.labels().length; i++) {
        memberOf.put(g.labels()[i], new int[] {g.id(), i});
      }
    }
    this.duplicateIdentityDeg = duplicateIdentityDeg;
  }

  /**
   * Searches every pair of training classes, and every training class against every test identity.
   *
   * @param classes every training class's person centroid ({@link
   *     Calibration.ClassStats#personCentroid})
   * @param faces every training class's face count, by label
   * @param test the test identities' centroids, null when there is no test set
   * @param duplicateIdentityDeg the angle within which two centroids are one person
   */
  public static InterClassFindings find(
      Centroids classes,
      SortedMap<Integer, Integer> faces,
      @Nullable Centroids test,
      double duplicateIdentityDeg,
      SimilaritySearch search) {
    checkArgument(
        duplicateIdentityDeg >= 0 && duplicateIdentityDeg <= 180,
        "duplicate-identity angle must be in [0, 180] degrees, got %s",
        duplicateIdentityDeg);
    int c = classes.size();
    float[][] unit = new float[c][];
    for (int i = 0; i < c; i++) {
      unit[i] = classes.centroid(i);
    }
    int[] parent = new int[c];
    for (int i = 0; i < c; i++) {
      parent[i] = i;
    }
    for (SimilaritySearch.Pair p : search.pairsWithin(unit, duplicateIdentityDeg)) {
      int a = root(parent, p.a());
      int b = root(parent, p.b());
      if (a != b) {
        parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
    TreeMap<Integer, List<Integer>> components = new TreeMap<>();
    for (int i = 0; i < c; i++) {
      components.computeIfAbsent(root(parent, i), k -> new ArrayList<>()).add(i);
    }
    List<List<Integer>> multi = new ArrayList<>();
    for (List<Integer> m : components.values()) {
      if (m.size() > 1) {
        multi.add(m);
      }
    }
    List<Group> groups = new ArrayList<>();
    int[] keeperIndex = new int[multi.size()];
    for (int g = 0; g < multi.size(); g++) {
      List<Integer> m = multi.get(g);
      int keeper = m.get(0);
      for (int i : m) {
        int fi = faces.getOrDefault(classes.label(i), 0);
        int fk = faces.getOrDefault(classes.label(keeper), 0);
        if (fi > fk) {
          keeper = i;
        }
      }
      keeperIndex[g] = keeper;
    }
    // groups numbered in order of their keeper's label
    Integer[] order = new Integer[multi.size()];
    for (int g = 0; g < order.length; g++) {
      order[g] = g;
    }
    Arrays.sort(order, (x, y) -> Integer.compare(keeperIndex[x], keeperIndex[y]));
    for (int id = 0; id < order.length; id++) {
      List<Integer> m = multi.get(order[id]);
      int k = keeperIndex[order[id]];
      int[] labels = new int[m.size()];
      String[] names = new String[m.size()];
      int[] counts = new int[m.size()];
      double[] angle = new double[m.size()];
      for (int i = 0; i < m.size(); i++) {
        int idx = m.get(i);
        labels[i] = classes.label(idx);
        names[i] = classes.identity(idx);
        counts[i] = faces.getOrDefault(labels[i], 0);
        angle[i] =
            idx == k
                ? 0
                : SubClasses.angleDeg(ClassScorer.dot(classes.centroid(idx), classes.centroid(k)));
      }
      groups.add(new Group(id, classes.label(k), labels, names, counts, angle));
    }
    Map<Integer, TestMatch> matches = new HashMap<>();
    if (test != null && test.size() > 0 && c > 0) {
      float[][] t = new float[test.size()][];
      for (int i = 0; i < t.length; i++) {
        t[i] = test.centroid(i);
      }
      for (SimilaritySearch.Pair p : search.pairsBetween(unit, t, duplicateIdentityDeg)) {
        // closest first: the first match of a class is its nearest test identity
        matches.putIfAbsent(
            classes.label(p.a()), new TestMatch(test.identity(p.b()), p.angleDeg()));
      }
      for (Group g : groups) {
        TestMatch any = null;
        for (int label : g.labels()) {
          TestMatch m = matches.get(label);
          if (m != null && (any == null || m.angleDeg() < any.angleDeg())) {
            any = m;
          }
        }
        if (any != null) {
          for (int i = 0; i < g.labels().length; i++) {
            if (!matches.containsKey(g.labels()[i])) {
              int idx = classes.indexOf(g.labels()[i]);
              int ti = indexOfIdentity(test, any.testIdentity());
              matches.put(
                  g.labels()[i],
                  new TestMatch(
                      any.testIdentity(),
                      SubClasses.angleDeg(
                          ClassScorer.dot(classes.centroid(idx), test.centroid(ti)))));
            }
          }
        }
      }
    }
    return new InterClassFindings(groups, matches, duplicateIdentityDeg);
  }

  private static int indexOfIdentity(Centroids test, String identity) {
    for (int i = 0; i < test.size(); i++) {
      if (test.identity(i).equals(identity)) {
        return i;
      }
    }
    throw new IllegalStateException("no test identity " + identity);
  }

  private static int root(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  /** The duplicate-identity groups, in order of their keepers' labels. */
  public List<Group> groups() {
    return groups;
  }

  /** Training classes matched to a test identity, by label. */
  public SortedMap<Integer, TestMatch> testMatches() {
    return new TreeMap<>(testMatches);
  }

  /** The angle the findings were made at. */
  public double duplicateIdentityDeg() {
    return duplicateIdentityDeg;
  }

  /** The keeper of {@code label}'s group, or {@code label} itself when it has none. */
  public int keeperOf(int label) {
    int[] m = memberOf.get(label);
    return m == null ? label : groups.get(m[0]).keeper();
  }

  /** The name of {@code label} when it is in a group, else null. */
  @Nullable
  public String identityOf(int label) {
    int[] m = memberOf.get(label);
    return m == null ? null : groups.get(m[0]).identities()[m[1]];
  }

  /** {@code label}'s test identity match, or null. */
  @Nullable
  public TestMatch testMatch(int label) {
    return testMatches.get(label);
  }

  /**
   * What was found for {@code label}, as a row of {@code classes.parquet} records it; {@code
   * merging} when duplicate identities are merged.
   */
  public ClassSummary.InterClass forClass(int label, boolean merging) {
    int[] m = memberOf.get(label);
    TestMatch t = testMatches.get(label);
    if (m == null && t == null) {
      return ClassSummary.InterClass.NONE;
    }
    Group g = m == null ? null : groups.get(m[0]);
    return new ClassSummary.InterClass(
        g == null ? -1 : g.id(),
        g == null ? -1 : g.keeper(),
        g == null ? Double.NaN : g.angleToKeeperDeg()[m[1]],
        t == null ? null : t.testIdentity(),
        t == null ? Double.NaN : t.angleDeg(),
        merging && g != null && g.keeper() != label && t == null);
  }
}
