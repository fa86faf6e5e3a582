package dev.facesieve.datasets.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The truth metrics across classes on tiny hand-built inputs, each value counted by hand. */
class InterClassTruthTest {
  private static final double EPS = 1e-12;

  private static void assertCounts(
      long found, long correct, long inTruth, DetectionMetrics.Counts c) {
    assertEquals(found, c.dropped(), "found");
    assertEquals(correct, c.droppedNoisy(), "correct");
    assertEquals(inTruth, c.noisy(), "in truth");
  }

  @Test
  void aClassTruthIsItsFacesMajorityTiesToTheSmallestName() {
    InterClassTruth.ClassTruth t = new InterClassTruth.ClassTruth();
    t.add(0, "A");
    t.add(0, "B");
    t.add(0, "A");
    t.add(1, "B");
    t.add(1, "A");
    t.add(2, null);
    assertEquals(Map.of(0, "A", 1, "A"), t.majority(), "class 2 names no identity: absent");
  }

  @Test
  void duplicateIdentitiesOverClassPairs() {
    // truth: A = {0, 1, 2}, B = {3, 4}, C = {5}; class 6 unknown. True pairs: 3 (A) + 1 (B) = 4.
    Map<Integer, String> truth = Map.of(0, "A", 1, "A", 2, "A", 3, "B", 4, "B", 5, "C");
    // groups: {0, 1} right, {3, 5} wrong, {2, 6}: 6 has no truth, so no judged pair
    Map<Integer, Integer> groups = Map.of(0, 0, 1, 0, 3, 1, 5, 1, 2, 2, 6, 2);
    DetectionMetrics.Counts c = InterClassTruth.duplicateIdentities(truth, groups);
    assertCounts(2, 1, 4, c);
    assertEquals(0.5, c.precision(), EPS);
    assertEquals(0.25, c.recall(), EPS);

    // a group of three of one person holds three right pairs of three planted: 1.0 / 1.0
    DetectionMetrics.Counts all =
        InterClassTruth.duplicateIdentities(
            Map.of(0, "A", 1, "A", 2, "A", 3, "B"), Map.of(0, 5, 1, 5, 2, 5));
    assertCounts(3, 3, 3, all);
    assertEquals(1.0, all.precision(), EPS);
    assertEquals(1.0, all.recall(), EPS);

    // nothing planted, nothing found: precision 0 (nothing found), recall 1 (nothing missed)
    DetectionMetrics.Counts none =
        InterClassTruth.duplicateIdentities(Map.of(0, "A", 1, "B"), Map.of());
    assertCounts(0, 0, 0, none);
    assertEquals(1.0, none.recall(), EPS);
  }

  @Test
  void testOverlapOverClasses() {
    Map<Integer, String> truth = Map.of(0, "A", 1, "A", 2, "B", 3, "C");
    // classes 0 and 1 show test identity A (2 in truth); 0 is found, 2 (B) wrongly, 7 unknown
    DetectionMetrics.Counts c =
        InterClassTruth.testOverlap(truth, List.of(0, 2, 7), Set.of("A", "D"));
    assertCounts(2, 1, 2, c);
    assertEquals(0.5, c.precision(), EPS);
    assertEquals(0.5, c.recall(), EPS);
  }

  @Test
  void duplicateImagesOverCopies() {
    Map<String, String> copyOf = new TreeMap<>();
    copyOf.put("c1", "o"); // o's group {o, c1, c2}: 2 copies
    copyOf.put("c2", "o");
    copyOf.put("d1", "p"); // p is not prepared: {d1, d2}, 1 copy
    copyOf.put("d2", "p");
    copyOf.put("e1", "f"); // {f, e1}: 1 copy
    copyOf.put("g2", "g1"); // a chain: {g, g1, g2}, 2 copies
    copyOf.put("g1", "g");
    Set<String> prepared = Set.of("o", "f", "g", "x", "y");
    List<InterClassTruth.CopyFound> found =
        List.of(
            new InterClassTruth.CopyFound("c1", "o"), // right
            new InterClassTruth.CopyFound("c2", "c1"), // right: the same original
            new InterClassTruth.CopyFound("d2", "d1"), // right
            new InterClassTruth.CopyFound("x", "y"), // wrong: neither is marked
            new InterClassTruth.CopyFound("e1", "o"), // wrong: another original
            new InterClassTruth.CopyFound("g2", "g"), // right, through the chain
            new InterClassTruth.CopyFound("g1", "g")); // right
    DetectionMetrics.Counts c = InterClassTruth.duplicateImages(copyOf, prepared::contains, found);
    assertCounts(7, 5, 6, c);
    assertEquals(5 / 7.0, c.precision(), EPS);
    assertEquals(5 / 6.0, c.recall(), EPS);

    // every face of o's group listed: at most n - 1 = 2 of them count as right
    DetectionMetrics.Counts capped =
        InterClassTruth.duplicateImages(
            Map.of("c1", "o", "c2", "o"),
            Set.of("o")::contains,
            List.of(
                new InterClassTruth.CopyFound("c1", "o"),
                new InterClassTruth.CopyFound("c2", "o"),
                new InterClassTruth.CopyFound("o", "c1")));
    assertCounts(3, 2, 2, capped);
    assertEquals(1.0, capped.recall(), EPS);
  }
}
