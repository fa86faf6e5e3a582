package dev.facesieve.datasets.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.clean.Calibration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * {@code summary.json}, the last file a {@code facesieve clean} run writes: totals that reconcile
 * ({@code input = kept + dropped + quarantined}), the options it ran with, the model and data it
 * used, and, when the data carries ground truth, how well the drops match it.
 *
 * <p>{@code faces_embedded} counts the faces embedded by the {@code facesieve} command that wrote
 * it: by this cleaning, and by the training of the same {@code run}; 0 when both reused the
 * embedding store.
 *
 * <p>Written by the clean stage, read by the report, by {@code run} and by the command line; keys
 * are alphabetical, as the file has always been written.
 */
@JsonPropertyOrder(alphabetic = true)
public record CleanSummary(
    String stage,
    String facesieveVersion,
    long input,
    long quarantined,
    Map<String, Long> quarantinedByReason,
    long kept,
    long relabelled,
    long dropped,
    Map<String, Long> droppedByReason,
    int classesBefore,
    int classesAfter,
    double noiseRate,
    Options options,
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Calibration calibration,
    String data,
    String dataFingerprint,
    String model,
    String modelSha256,
    @Nullable String modelDataFingerprint,
    boolean modelTrainedOnThisData,
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable QualityVsTruth qualityVsTruth,
    long facesEmbedded,
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable InterClass interClass) {

  /**
   * What cleaning did across classes; the faces it dropped are in {@link #droppedByReason} ({@code
   * DUPLICATE_IDENTITY}, {@code DUPLICATE_IMAGE}, {@code TEST_OVERLAP}) and not in the truth
   * metrics.
   *
   * @param duplicateIdentities the action ({@code report}, {@code merge}, {@code drop})
   * @param duplicateIdentityDeg the angle between dominant centroids within which two classes are
   *     one person
   * @param duplicateIdentityAuto whether that angle was read from the data
   * @param duplicateGroups groups of classes found to be one person ({@code merges.csv})
   * @param classesInGroups the classes in them
   * @param mergedFaces kept faces now under their group keeper's label
   * @param duplicateImages {@code drop} or {@code report}
   * @param nearDuplicateDeg the angle below which two faces of a class are copies of one picture
   * @param nearDuplicateAuto whether that angle was read from the data
   * @param copiesWithinClasses faces that are a copy of another face of their class (dropped or
   *     reported)
   * @param exactCopiesAcrossClasses faces whose bytes are also filed under another label
   * @param excludeIdentitiesOf the test set named by {@code --exclude-identities-of}, null when
   *     none
   * @param testIdentities identities of that test set
   * @param testOverlapClasses training classes dropped as test identities ({@code
   *     test-overlap.csv})
   * @param truth how the findings match the ground truth, null when the data carries none
   * @param testOverlapWarning set when the test set removed more than half of the classes (a sign
   *     that it is not a test set); null otherwise
   */
  @JsonPropertyOrder(alphabetic = true)
  public record InterClass(
      String duplicateIdentities,
      double duplicateIdentityDeg,
      boolean duplicateIdentityAuto,
      int duplicateGroups,
      int classesInGroups,
      long mergedFaces,
      String duplicateImages,
      double nearDuplicateDeg,
      boolean nearDuplicateAuto,
      long copiesWithinClasses,
      long exactCopiesAcrossClasses,
      @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String excludeIdentitiesOf,
      int testIdentities,
      int testOverlapClasses,
      @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Truth truth,
      @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String testOverlapWarning) {

    /**
     * Precision and recall of the findings across classes against the ground truth ({@link
     * dev.facesieve.datasets.clean.InterClassTruth}); each is null when the truth cannot judge it:
     * duplicate identities and test overlap need faces with a {@code true_identity} (test overlap
     * also a test set), duplicate images a face marked {@code true_duplicate_of}.
     */
    @JsonPropertyOrder(alphabetic = true)
    public record Truth(
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Detection duplicateIdentities,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Detection testOverlap,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Detection duplicateImages,
        String note) {
      /** The {@link #note} every such record carries. */
      public static final String NOTE =
          "duplicate_identities over pairs of classes (one person: the same majority"
              + " true_identity), test_overlap over classes (truth: a test identity),"
              + " duplicate_images over copies (a group of n faces with one original, by"
              + " true_duplicate_of, holds n - 1)";
    }

    /**
     * One finding's counts: {@code found}, of which {@code correct}, and {@code in_truth}, what the
     * truth holds; precision is 0 when nothing was found, recall 1 when the truth holds nothing.
     */
    @JsonPropertyOrder(alphabetic = true)
    public record Detection(
        long found, long correct, long inTruth, double precision, double recall) {
      public static Detection of(dev.facesieve.datasets.clean.DetectionMetrics.Counts c) {
        return new Detection(c.dropped(), c.droppedNoisy(), c.noisy(), c.precision(), c.recall());
      }
    }
  }

  /** The file's name in a clean output folder. */
  public static final String FILE = "summary.json";

  /** The value of {@link #stage}. */
  public static final String STAGE = "clean";

  /**
   * The options of the run; thresholds are the values decided with, {@code *_auto} says whether
   * they were read from the data ({@link #calibration}).
   */
  @JsonPropertyOrder(alphabetic = true)
  public record Options(
      String policy,
      double thresholdDeg,
      boolean thresholdAuto,
      @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Double otherPersonDeg,
      boolean otherPersonAuto,
      int minSubclassSize,
      boolean relabel,
      int minClassSize,
      @Nullable String embeddings,
      boolean embeddingsReused,
      boolean emitRecordio,
      String runner) {}

  /**
   * Precision and recall of "dropped" against "noisy" over prepared faces with known truth; corrupt
   * images were quarantined by prepare and are counted apart.
   */
  @JsonPropertyOrder(alphabetic = true)
  public record QualityVsTruth(
      long noisyInPrepared,
      long dropped,
      long droppedNoisy,
      double precision,
      double recall,
      double f1,
      long corruptQuarantinedByPrepare,
      String note,
      long relabelled,
      long relabelledNoisy,
      long relabelCorrect,
      @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Double relabelPrecision) {
    /** The {@link #note} every summary carries. */
    public static final String NOTE =
        "precision/recall of 'dropped or relabelled' vs 'noisy' over prepared faces; relabel"
            + " precision = moves to the face's true identity / moves with a known true identity";
  }

  /**
   * Reads a finished clean run's summary.
   *
   * @throws InputException if {@code dir} holds none
   */
  public static CleanSummary read(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new InputException(dir, "not a finished 'facesieve clean' output (no " + FILE + ")");
    }
    return StageJson.read(file, CleanSummary.class);
  }
}
