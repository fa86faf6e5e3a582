package dev.facesieve.pipeline.cli;

import dev.facesieve.reports.NoiseReport;
import picocli.CommandLine.Option;

/** How the noise report is made; mixed into {@code clean}, {@code report} and {@code run}. */
public final class ReportOptions {
  @Option(
      names = "--report-classes",
      defaultValue = "" + NoiseReport.Options.DEFAULT_NOISIEST_CLASSES,
      paramLabel = "<n>",
      description = "Number of the noisiest classes shown with thumbnails in report.html.")
  int noisiestClasses;

  @Option(
      names = "--report-thumbnails",
      defaultValue = "" + NoiseReport.Options.DEFAULT_THUMBNAILS_PER_SIDE,
      paramLabel = "<n>",
      description =
          "Thumbnails per class in report.html: this many kept faces and this many dropped ones.")
  int thumbnails;

  NoiseReport.Options options() {
    return NoiseReport.Options.builder()
        .setNoisiestClasses(noisiestClasses)
        .setThumbnailsPerSide(thumbnails)
        .build();
  }
}
