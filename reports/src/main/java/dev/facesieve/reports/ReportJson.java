package dev.facesieve.reports;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.contract.CleanSummary;
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
 * alphabetically; only what is copied from {@code summary.json} (the options, the counts by reason)
 * keeps that file's alphabetical order. A component marked {@code NON_NULL} is a key the file omits
 * when it does not apply (no ground truth, no model centres).
 */
public record ReportJson(
    int reportVersion,
    String facesieveVersion,
    Source source,
    @Nullable CleanSummary.Options options,
    Totals totals,
    NoiseRate noiseRate,
    DominantSubClasses dominantSubClasses,
    AngleHistograms angleHistograms,
    ThresholdSweep thresholdSweep,
    @Nullable Quality qualityVsTruth,
    long[] classDropRateHistogram,
    Duplicates duplicateIdentities,
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

  /** Faces each policy drops per whole threshold, before any minimum class size. */
  public record ThresholdSweep(
      int[] thresholdsDeg,
      double chosenThresholdDeg,
      String chosenPolicy,
      @JsonProperty(CleaningPolicy.DROP_PY) PolicySweep dropPy,
      @JsonProperty(CleaningPolicy.STRICT) PolicySweep strict) {
    /** The sweep of the named policy. */
    public PolicySweep of(String policy) {
      return policy.equals(CleaningPolicy.STRICT) ? strict : dropPy;
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
  }

  /** Per noise kind; a kind without faces is left out. */
  public record ByKind(
      @JsonInclude(Include.NON_NULL) @Nullable KindQuality closeSet,
      @JsonInclude(Include.NON_NULL) @Nullable KindQuality openSet,
      @JsonInclude(Include.NON_NULL) @Nullable KindQuality other) {}

  /** One noise kind: its recall and its precision against drops of clean faces. */
  public record KindQuality(
      long faces, long dropped, double precisionVsClean, double recall, double f1) {}

  /**
   * Suspected duplicate identities; {@code skipped} (and no counts of centres or listed pairs) when
   * the model's centres were not found.
   */
  public record Duplicates(
      double thresholdDeg,
      @JsonInclude(Include.NON_NULL) @Nullable String skipped,
      @JsonInclude(Include.NON_NULL) @Nullable Integer centresCompared,
      int pairsFound,
      List<DuplicatePair> pairs,
      @JsonInclude(Include.NON_NULL) @Nullable Integer pairsListed) {}

  /** Two classes whose dominant sub-centres are close, closest first. */
  public record DuplicatePair(
      int labelA, String identityA, int labelB, String identityB, double cosine, double angleDeg) {}

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
      double dropRate,
      double meanAngleDeg,
      double maxAngleDeg,
      @JsonInclude(Include.NON_NULL) @Nullable Long noisyByTruth,
      @JsonInclude(Include.NON_NULL) @Nullable Long noisyDropped) {}
}
