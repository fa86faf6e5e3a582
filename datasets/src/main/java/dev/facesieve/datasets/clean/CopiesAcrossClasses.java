package dev.facesieve.datasets.clean;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which faces are byte copies of a picture filed under another label: of the faces sharing one
 * digest, the first by id is the original, and every other one under a different label is a copy.
 *
 * <p>These are only reported ({@code duplicate-images.csv}, scope {@code across_classes}): each
 * copy is decided by its own class, where the copy under the wrong name is an outlier, so dropping
 * all copies would lose the right one. Only digests are compared, never image bytes.
 */
public final class CopiesAcrossClasses {
  private CopiesAcrossClasses() {}

  /** A face as the search groups it: its id, label and identity. */
  public record Face(String id, int label, String identity) implements Serializable {}

  /** A copy and the face it copies (the first by id of its digest). */
  public record Copy(Face copy, Face original) {}

  /** The copies among faces that share one digest; none when fewer than two. */
  public static List<Copy> of(List<Face> sameDigest) {
    List<Copy> out = new ArrayList<>();
    if (sameDigest.size() < 2) {
      return out;
    }
    List<Face> sorted = new ArrayList<>(sameDigest);
    sorted.sort(Comparator.comparing(Face::id));
    Face first = sorted.get(0);
    for (Face f : sorted.subList(1, sorted.size())) {
      if (f.label() != first.label()) {
        out.add(new Copy(f, first));
      }
    }
    return out;
  }
}
