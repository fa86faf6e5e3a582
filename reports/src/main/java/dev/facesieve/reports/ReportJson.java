package dev.facesieve.reports;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.facesieve.datasets.clean.Calibration;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.datasets.contract.InterClassFiles;
import dev.facesieve.datasets.contract.StageJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * {@code report.json}, the noise report of a clean run: the keys documented in {@code
 * docs/report.md}, written with {@link StageJson}.
 *
 * <p>Keys come in the order the components are declared (the order the file has always had), not
 * alphabetically; only what is copied from {@code summary.json} (the options, the calibration, the
 * counts by reason) keeps that file's alphabetical order. A component marked {@code NON_NULL} is a
 * key the file omits when it does not apply (no ground truth, no model centres, no calibration).
 */
public record ReportJson(
    int reportVersion,
    String facesieveVersion,
    Source source,
    @Nullable CleanSummary.Options options,
    @JsonInclude(Include.NON_NULL) @Nullable CalibrationReport calibration,
    Totals totals,
    NoiseRate noiseRate,
    DominantSubClasses dominantSubClasses,
    AngleHistograms angleHistograms,
    ThresholdSweep thresholdSweep,
    @Nullable Quality qualityVsTruth,
    Relabelling relabelling,
    long[] classDropRateHistogram,
    @JsonInclude(Include.NON_NULL) @Nullable InterClassReport interClass,
    List<ClassRow> classes) {

  /** Reads a {@code report.json}. */
  public static ReportJson read(Path file) throws IOException {
    return StageJson.read(file, ReportJson.class);
  }

  /** What the report was made from. */
  public record Source(
      String cleanOutput,
      String data,
      @Nullable String dataFingerprint,
      String model,
      String modelSha256,
      String truth) {}

  /** The summary's totals; {@code input = kept + dropped + quarantined}. */
  public record Totals(
      long input,
      long quarantined,
      @Nullable Map<String, Long> quarantinedByReason,
      long prepared,
      long kept,
      long dropped,
      @Nullable Map<String, Long> droppedByReason,
      int classesBefore,
      int classesAfter) {}

  /** The three shares of noise and the paper's, each with its denominator in words. */
  public record NoiseRate(
      double droppedShareOfInput,
      double removedShareOfInput,
      double droppedShareOfPrepared,
      double outlierShareInsideDominantSubClasses,
      Denominators denominators) {}

  /** What each share of {@link NoiseRate} divides by. */
  public record Denominators(
      String droppedShareOfInput,
      String removedShareOfInput,
      String droppedShareOfPrepared,
      String outlierShareInsideDominantSubClasses) {
    /** The words every report carries. */
    public static final Denominators TEXT =
        new Denominators(
            "faces dropped by cleaning / all input records (quarantined included)",
            "(faces dropped + records quarantined by prepare) / all input records",
            "faces dropped / faces that reached cleaning (kept + dropped)",
            "faces nearest their class's dominant sub-centre whose angle to it exceeds the"
                + " threshold / all faces nearest their dominant sub-centre");
  }

  /** Faces nearest their dominant sub-centre; the truth share only with ground truth. */
  public record DominantSubClasses(
      int faces,
      long nearestDominant,
      double nearestDominantShare,
      long nearestNonDominant,
      long outliersInsideDominant,
      double outlierShareInsideDominant,
      @JsonInclude(Include.NON_NULL) @Nullable Double trueNoiseShareInsideDominant) {}

  /** Counts of the angle to the dominant sub-centre in 1° bins; bin i holds [i, i+1). */
  public record AngleHistograms(
      int binWidthDeg, int firstBinDeg, long[] nearestDominant, long[] nearestNonDominant) {}

  /**
   * Faces each policy drops per whole threshold, before any minimum class size; {@code subclass}
   * only for a {@code subclass} run (see {@link NoiseStatistics#sweep}).
   */
  public record ThresholdSweep(
      int[] thresholdsDeg,
      double chosenThresholdDeg,
      String chosenPolicy,
      @JsonProperty(CleaningPolicy.DROP_PY) PolicySweep dropPy,
      @JsonProperty(CleaningPolicy.STRICT) PolicySweep strict,
      @JsonProperty(CleaningPolicy.SUBCLASS) @JsonInclude(Include.NON_NULL) @Nullable
          PolicySweep subclass) {
    /** The sweep of the named policy; null for {@code subclass} when the run used another. */
    @Nullable
    public PolicySweep of(String policy) {
      return switch (CleaningPolicy.kind(policy)) {
        case DROP_PY -> dropPy;
        case STRICT -> strict;
        case SUBCLASS -> subclass;
      };
    }
  }

  /** One policy's drops per threshold; precision and recall only with ground truth. */
  public record PolicySweep(
      long[] dropped,
      @JsonInclude(Include.NON_NULL) @Nullable double[] precision,
      @JsonInclude(Include.NON_NULL) @Nullable double[] recall) {}

  /** "Dropped" against ground-truth noise, overall and per kind, and the angle's ROC AUC. */
  public record Quality(
      long facesWithTruth,
      long noisy,
      long dropped,
      long droppedNoisy,
      long droppedClean,
      double precision,
      double recall,
      double f1,
      ByKind byKind,
      double angleRocAuc,
      String definitions) {
    /** The words every quality section carries. */
    public static final String DEFINITIONS =
        "precision = dropped noisy / dropped; recall = dropped noisy / noisy (prepared faces with"
            + " truth). Per kind: recall = dropped of the kind / faces of the kind,"
            + " precision_vs_clean = dropped of the kind / (dropped of the kind + dropped clean)."
            + " angle_roc_auc: probability that a noisy face has a larger angle to its dominant"
            + " sub-centre than a clean one (ties count half).";

    /** Appended to {@link #DEFINITIONS} when relabelling moved a face. */
    public static final String RELABELLED =
        " A face relabelled to another class left its class and counts as dropped here, as in"
            + " summary.json.";
  }

  /**
   * How the thresholds were chosen: the values the run decided with, whether each was read from the
   * data, and {@code summary.json}'s calibration (the calibrated values and the histograms they
   * were read from).
   *
   * @param otherPersonDeg the "another person" cut ({@code subclass} only)
   * @param collapsed true when the nearest-other-class percentile fell below the floor ({@link
   *     Calibration#collapsed}), which turns relabelling off
   * @param binWidthDeg the width of the histograms' bins; bin i holds [i, i+1)
   * @param fromData the summary's calibration
   */
  public record CalibrationReport(
      double thresholdDeg,
      boolean thresholdAuto,
      @JsonInclude(Include.NON_NULL) @Nullable Double otherPersonDeg,
      boolean otherPersonAuto,
      boolean relabel,
      boolean collapsed,
      int binWidthDeg,
      Calibration fromData) {}

  /**
   * Faces {@code --relabel} moved to another class: how many, the most frequent (class left → class
   * joined) pairs, and with ground truth how many of them are noise and how many went to the face's
   * true identity.
   */
  public record Relabelling(
      boolean enabled,
      long relabelled,
      int pairsFound,
      List<RelabelPair> pairs,
      @JsonInclude(Include.NON_NULL) @Nullable Long relabelledWithTruth,
      @JsonInclude(Include.NON_NULL) @Nullable Long relabelledNoisy,
      @JsonInclude(Include.NON_NULL) @Nullable Long relabelCorrect,
      @JsonInclude(Include.NON_NULL) @Nullable Double relabelPrecision,
      String definitions) {
    /** The words every relabelling section carries. */
    public static final String DEFINITIONS =
        "relabelled = faces kept under another class (kept/ rows with original_identity); pairs ="
            + " moves by class left -> class joined (original labels), most first, at most 100."
            + " relabelled_noisy / relabelled_with_truth: moved faces that are noise by the"
            + " report's truth. relabel_correct, relabel_precision: copied from summary.json, moves"
            + " to the face's true identity / moves with a known true identity.";
  }

  /** Faces moved from one class to another; {@code to_label} is −1 if the class is not found. */
  public record RelabelPair(
      int fromLabel, String fromIdentity, int toLabel, @Nullable String toIdentity, long faces) {}

  /** Per noise kind; a kind without faces is left out. */
  public record ByKind(
      @JsonInclude(Include.NON_NULL) @Nullable KindQuality closeSet,
      @JsonInclude(Include.NON_NULL) @Nullable KindQuality openSet,
      @JsonInclude(Include.NON_NULL) @Nullable KindQuality other) {}

  /** One noise kind: its recall and its precision against drops of clean faces. */
  public record KindQuality(
      long faces, long dropped, double precisionVsClean, double recall, double f1) {}

  /**
   * What cleaning did across classes: duplicate identities, duplicate images and test-set overlap,
   * from {@code summary.json}'s {@code inter_class} and the clean output's {@code merges.csv},
   * {@code duplicate-images.csv} and {@code test-overlap.csv}. Null for a run from before
   * inter-class cleaning (its summary has no {@code inter_class}).
   */
  public record InterClassReport(
      DuplicateIdentities duplicateIdentities,
      DuplicateImages duplicateImages,
      TestOverlap testOverlap) {}

  /**
   * Groups of classes whose person centroids lie within the threshold: one person under several
   * labels. Groups are listed least certain first (largest angle of a class to its keeper), at most
   * {@link NoiseStatistics#MAX_LISTED}.
   *
   * @param action what {@code --duplicate-identities} did: {@code report}, {@code merge} or {@code
   *     drop}
   * @param facesMerged faces that now carry their group keeper's label
   * @param facesDropped faces dropped as {@code DUPLICATE_IDENTITY}
   * @param truth precision and recall over pairs of classes against the ground truth ({@code
   *     summary.json} → {@code inter_class.truth}); absent when the data has no true identities
   */
  public record DuplicateIdentities(
      String action,
      double thresholdDeg,
      boolean thresholdAuto,
      int groupsFound,
      int classesInGroups,
      long facesMerged,
      long facesDropped,
      int groupsListed,
      List<IdentityGroup> groups,
      @JsonInclude(Include.NON_NULL) @Nullable CleanSummary.InterClass.Detection truth) {}

  /**
   * One duplicate-identity group: its keeper (the largest class, whose label a merge keeps) and
   * every class of it as {@code merges.csv} has it (the keeper first, then by angle to it).
   */
  public record IdentityGroup(
      int group,
      int keeperLabel,
      String keeperIdentity,
      double maxAngleDeg,
      List<InterClassFiles.Merge> classes) {}

  /**
   * Copies of one picture: counts within classes (exact: the same sha256; near: embeddings within
   * the near-duplicate threshold) by what was done, and exact copies filed under two labels. The
   * listed pairs (at most {@link NoiseStatistics#MAX_LISTED}) are the copies within classes least
   * similar first (nearest the threshold; exact copies last), then the copies across classes.
   *
   * @param action what {@code --duplicate-images} did with a copy within a class: {@code drop} or
   *     {@code report}
   * @param truth precision and recall over copies against the ground truth; absent when no face of
   *     the data is marked a copy
   */
  public record DuplicateImages(
      String action,
      double nearThresholdDeg,
      boolean nearThresholdAuto,
      long withinClassExact,
      long withinClassNear,
      long withinClassDropped,
      long withinClassReported,
      long acrossClassesExact,
      int pairsListed,
      List<InterClassFiles.DuplicateImage> pairs,
      @JsonInclude(Include.NON_NULL) @Nullable CleanSummary.InterClass.Detection truth) {}

  /**
   * Training classes dropped because their person is an identity of the test set ({@code
   * --exclude-identities-of}), least certain first (largest angle), at most {@link
   * NoiseStatistics#MAX_LISTED}.
   *
   * @param excludeIdentitiesOf the test set's path; null when no test set was given
   * @param facesDropped faces dropped as {@code TEST_OVERLAP}
   * @param truth precision and recall over training classes against the ground truth; absent
   *     without a test set or true identities
   */
  public record TestOverlap(
      @Nullable String excludeIdentitiesOf,
      int testIdentities,
      int classesDropped,
      long facesDropped,
      int classesListed,
      List<InterClassFiles.TestOverlap> classes,
      String definitions,
      @JsonInclude(Include.NON_NULL) @Nullable CleanSummary.InterClass.Detection truth) {
    /** The words every test-overlap section carries. */
    public static final String DEFINITIONS =
        "A training class is dropped whole when its person centroid, or that of another class"
            + " of its duplicate-identity group, lies within the duplicate-identity threshold of a"
            + " test identity's centroid (the mean of its test faces, embedded with the same"
            + " embedder); angle_deg is from the class to that centroid. The test faces are not"
            + " kept in the clean output, so the report shows only the training class.";
  }

  /** A class's row of {@code classes.parquet}, its drop rate and, with ground truth, its noise. */
  public record ClassRow(
      int label,
      String identity,
      int newLabel,
      int samples,
      List<Integer> samplesPerSubCenter,
      int dominantSubCenter,
      double dominantShare,
      int kept,
      int dropped,
      int droppedOutlierAngle,
      int droppedNonDominant,
      int droppedSmallClass,
      int droppedOtherPerson,
      int droppedDuplicateIdentity,
      int droppedDuplicateImage,
      int droppedTestOverlap,
      int relabelledOut,
      double dropRate,
      double meanAngleDeg,
      double maxAngleDeg,
      @JsonInclude(Include.NON_NULL) @Nullable Long noisyByTruth,
      @JsonInclude(Include.NON_NULL) @Nullable Long noisyDropped,
      @JsonInclude(Include.NON_NULL) @Nullable List<GroupRow> groups) {}

  /**
   * The evidence one sub-class was judged on ({@code subclass} runs): its faces, its centroid's
   * angle to the dominant group's against the run's group cut, and how well its faces hold together
   * against how well a group of one person of that size would.
   *
   * @param coherentWithinDeg the largest spread a group of one person of this size keeps ({@link
   *     dev.facesieve.datasets.clean.PersonCuts#coherentWithinDeg}); null when the run recorded no
   *     person spread
   * @param verdict {@code dominant}, {@code another person} (dropped whole) or {@code same person}
   */
  public record GroupRow(
      int subCenter,
      int faces,
      @Nullable Double angleToDominantDeg,
      @Nullable Double spreadDeg,
      @Nullable Double coherentWithinDeg,
      String verdict) {}
}
