package dev.facesieve.pipeline;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.contract.PrepareManifest;
import java.nio.file.Path;
import java.util.Locale;
import javax.annotation.Nullable;

/**
 * Sanity of {@code --exclude-identities-of}: a test set that is the data being cleaned, or that
 * would remove every class, is refused; one that removes more than half of them is warned about.
 *
 * <p>Excluding a test set's people removes whole classes, so a test set that is the training data
 * itself gives an empty cleaning that looks finished (kept 0, exit 0). A benchmark shares a few
 * hundred identities with a web collection of 100K; more than half of the classes is a sign of the
 * wrong folder, not of overlap.
 */
final class ExclusionCheck {
  private ExclusionCheck() {}

  /**
   * Refuses a test set that is the prepared data or the input it was prepared from, before any
   * work.
   *
   * @throws InputException naming the test set
   */
  static void refuseSelf(Path testSet, Location data, PrepareManifest prepared) {
    String t = Location.of(testSet).real();
    boolean isInput =
        prepared.input() != null
            && !Location.isRemote(prepared.input().path())
            && t.equals(Location.parse(prepared.input().path()).real());
    if (t.equals(data.real()) || isInput) {
      throw new InputException(
          testSet,
          "is the data being cleaned (or the input it was prepared from): --exclude-identities-of"
              + " would remove every class; name a test set such as LFW or IJB-C");
    }
  }

  /**
   * The warning for a test set that matched {@code overlap} of {@code classes} classes: null when
   * at most half.
   *
   * @throws InputException when it matched every class: nothing would be left to train on
   */
  @Nullable
  static String verdict(Path testSet, int overlap, int classes) {
    if (classes > 0 && overlap >= classes) {
      throw new InputException(
          testSet,
          String.format(
              Locale.ROOT,
              "--exclude-identities-of matched every class (%d of %d): it would remove the whole"
                  + " data set, so nothing was written; is this the training data itself?",
              overlap,
              classes));
    }
    if (2L * overlap > classes) {
      return String.format(
          Locale.ROOT,
          "--exclude-identities-of %s removed %d of %d classes, more than half: check that it is"
              + " a test set and not the training data",
          testSet,
          overlap,
          classes);
    }
    return null;
  }
}
