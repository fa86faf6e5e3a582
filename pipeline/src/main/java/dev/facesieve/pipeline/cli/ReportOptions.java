package dev.facesieve.pipeline.cli;

import dev.facesieve.reports.NoiseReport;
import picocli.CommandLine.Option;

/** How the noise report is made; mixed into {@code clean}, {@code report} and {@code run}. */
public final class ReportOptions {
  @Option(
      names = "--duplicate-threshold-deg",
      defaultValue = "" + NoiseReport.Options.DEFAULT_DUPLICATE_THRESHOLD_DEG,
      description =
          "Report pairs of classes whose dominant sub-centres are within this angle as suspected"
              + " duplicate identities. Default: ${DEFAULT-VALUE}.")
  double duplicateThresholdDeg;

  @Option(
      names = "--report-classes",
      defaultValue = "" + NoiseReport.Options.DEFAULT_NOISIEST_CLASSES,
      description =
          "Noisiest classes shown with thumbnails in report.html. Default: ${DEFAULT-VALUE}.")
  int noisiestClasses;

  @Option(
      names = "--report-thumbnails",
      defaultValue = "" + NoiseReport.Options.DEFAULT_THUMBNAILS_PER_SIDE,
      description =
          "Kept and dropped thumbnails per class in report.html. Default: ${DEFAULT-VALUE}.")
  int thumbnails;

  NoiseReport.Options options() {
    return NoiseReport.Options.builder()
        .setDuplicateThresholdDeg(duplicateThresholdDeg)
        .setNoisiestClasses(noisiestClasses)
        .setThumbnailsPerSide(thumbnails)
        .build();
  }
}
