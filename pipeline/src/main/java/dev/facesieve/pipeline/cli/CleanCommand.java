package dev.facesieve.pipeline.cli;

import dev.facesieve.datasets.QuarantineReason;
import dev.facesieve.datasets.clean.Calibration;
import dev.facesieve.datasets.clean.PersonCuts;
import dev.facesieve.datasets.contract.CleanSummary;
import dev.facesieve.pipeline.CleanJob;
import dev.facesieve.pipeline.Location;
import dev.facesieve.pipeline.ModelMatch;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.annotation.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code facesieve clean}: drop faces far from their class's dominant sub-centre. */
@Command(
    name = "clean",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    optionListHeading = "Input and output:%n",
    description = {
      "Scores every prepared face against its class's dominant sub-centre and writes kept/,"
          + " dropped/, dropped.csv, classes.parquet, report.json, report.html and, last,"
          + " summary.json."
    })
public final class CleanCommand implements Callable<Integer> {
  @Option(
      names = {"--input", "--data"},
      required = true,
      paramLabel = "<dir>",
      description =
          "The prepared faces: the folder 'facesieve prepare' wrote (its --output). A local path"
              + " or a URI of a file system Beam has (hdfs://namenode:port/path).")
  String data;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "<dir>",
      description =
          "The model: the folder 'facesieve train' wrote (its --output). A local path or a URI of"
              + " a file system Beam has (hdfs://namenode:port/path).")
  String model;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "<dir>",
      description =
          "Output folder: kept and dropped faces, the report and summary.json. A local path or a"
              + " URI of a file system Beam has (hdfs://namenode:port/path).")
  String output;

  @Option(
      names = "--embeddings",
      paramLabel = "<dir>",
      description =
          "Embedding store: written on the first run, reused (no inference) while the model's"
              + " embedder (an ONNX file, or a trained backbone's weights) and the data are"
              + " unchanged, also when 'facesieve train --embeddings' filled it. It holds only"
              + " Parquet files; its record is <folder>.json beside it. A local path or a URI"
              + " (hdfs://namenode:port/path).")
  String embeddings;

  @Option(names = "--overwrite", description = "Replace an earlier 'facesieve clean' output.")
  boolean overwrite;

  @Mixin CleanOptions cleaning;

  @Mixin RunnerOptions runner;

  @Mixin ReportOptions report;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    CleanJob.Settings s =
        CleanJob.Settings.builder(
                Location.parse(data), Location.parse(model), Location.parse(output))
            .setPolicy(cleaning.policy())
            .setEmbeddings(embeddings == null ? null : Location.parse(embeddings))
            .setEmitRecordIO(cleaning.emitRecordIO)
            .setRunner(runner.choice())
            .setOverwrite(overwrite)
            .setReport(report.options())
            .setAllowForeignModel(cleaning.allowForeignModel)
            .setInterClass(cleaning.interClass())
            .setExcludeIdentitiesOf(cleaning.excludeIdentitiesOf)
            .build();
    PrintWriter out = spec.commandLine().getOut();
    String foreign =
        cleaning.allowForeignModel
            ? ModelMatch.classMapDifference(Location.parse(data), Location.parse(model))
            : null;
    if (foreign != null) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(
          "facesieve clean: warning: "
              + foreign
              + "; cleaning with it anyway (--allow-foreign-model)");
      err.flush();
    }
    CleanSummary summary;
    try (ConsoleProgress progress = ConsoleProgress.forConsole(out)) {
      summary = CleanJob.run(s, progress);
    }
    print(out, summary, Location.parse(output));
    return 0;
  }

  /**
   * How the run decided: the policy, its thresholds (and whether they were read from the data),
   * faces moved, and a warning when the calibration found the classes' persons collapsed.
   */
  /**
   * How the findings across classes match the ground truth (one line): precision and recall of each
   * finding the truth can judge and that had something to find or found something; nothing when
   * none had (a collection without planted duplicates prints no line).
   */
  static void printAcrossClassesTruth(PrintWriter out, CleanSummary s) {
    CleanSummary.InterClass.Truth t = s.interClass() == null ? null : s.interClass().truth();
    if (t == null) {
      return;
    }
    List<String> parts = new ArrayList<>();
    addTruth(parts, "duplicate identities", t.duplicateIdentities(), "pairs of classes");
    addTruth(parts, "test overlap", t.testOverlap(), "classes");
    addTruth(parts, "duplicate images", t.duplicateImages(), "copies");
    if (!parts.isEmpty()) {
      out.println("across classes against ground truth: " + String.join("; ", parts));
    }
  }

  private static void addTruth(
      List<String> parts, String what, @Nullable CleanSummary.InterClass.Detection d, String unit) {
    if (d != null && d.found() + d.inTruth() > 0) {
      parts.add(
          String.format(
              Locale.ROOT,
              "%s precision %.3f, recall %.3f (%d of %d %s right, %d in truth)",
              what,
              d.precision(),
              d.recall(),
              d.correct(),
              d.found(),
              unit,
              d.inTruth()));
    }
  }

  /** What cleaning found and did across classes (one line). */
  static void printAcrossClasses(PrintWriter out, CleanSummary s) {
    CleanSummary.InterClass ic = s.interClass();
    if (ic == null) {
      return;
    }
    String did =
        switch (ic.duplicateIdentities()) {
          case "merge" -> "merged";
          case "drop" -> "all but the largest dropped";
          default -> "reported";
        };
    StringBuilder sb =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "across classes: %s of one person (%s) within %.1f°%s (%s, merges.csv)",
                Plural.of(ic.duplicateGroups(), "group", "groups"),
                Plural.of(ic.classesInGroups(), "class", "classes"),
                ic.duplicateIdentityDeg(),
                ic.duplicateIdentityAuto() ? " (auto)" : "",
                did));
    sb.append(
        String.format(
            Locale.ROOT,
            "; %s of a picture within classes (%s, %s)",
            Plural.of(ic.copiesWithinClasses(), "copy", "copies"),
            ic.duplicateImages().equals("drop") ? "dropped" : "reported",
            ic.nearDuplicateDeg() > 0
                ? String.format(
                    Locale.ROOT,
                    "near copies within %.1f°%s",
                    ic.nearDuplicateDeg(),
                    ic.nearDuplicateAuto() ? " (auto)" : "")
                : ic.nearDuplicateAuto()
                    ? "byte copies only: near copies need a pretrained embedder"
                    : "byte copies only"));
    if (ic.exactCopiesAcrossClasses() > 0) {
      sb.append(
          String.format(
              Locale.ROOT,
              "; %s under another label (decided by their classes)",
              Plural.of(ic.exactCopiesAcrossClasses(), "exact copy", "exact copies")));
    }
    if (ic.excludeIdentitiesOf() != null) {
      sb.append(
          String.format(
              Locale.ROOT,
              "; %s of the test set's %s dropped (test-overlap.csv)",
              Plural.of(ic.testOverlapClasses(), "class", "classes"),
              Plural.of(ic.testIdentities(), "identity", "identities")));
    }
    out.println(sb);
  }

  static void printDecisions(PrintWriter out, CleanSummary s) {
    CleanSummary.Options o = s.options();
    StringBuilder sb =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "decisions: %s, outlier beyond %.1f°%s",
                o.policy(),
                o.thresholdDeg(),
                o.thresholdAuto() ? " (auto)" : ""));
    if (o.otherPersonDeg() != null) {
      sb.append(
          String.format(
              Locale.ROOT,
              ", another person beyond %.1f°%s",
              o.otherPersonDeg(),
              o.otherPersonAuto() ? " (auto)" : ""));
    }
    if (o.relabel()) {
      sb.append(String.format(Locale.ROOT, "; relabelled %d", s.relabelled()));
      CleanSummary.QualityVsTruth q = s.qualityVsTruth();
      if (q != null && q.relabelPrecision() != null) {
        sb.append(
            String.format(Locale.ROOT, " (to the true identity: %.3f)", q.relabelPrecision()));
      }
    }
    out.println(sb);
    printCuts(out, s);
    printAcrossClasses(out, s);
    Calibration c = s.calibration();
    if (c != null && c.collapsed()) {
      out.printf(
          Locale.ROOT,
          "warning: %.0f%% of classes lie within %.1f° of another class's dominant person"
              + " (below the %.0f° floor): many classes share one person (duplicate identities,"
              + " or look-alikes that took over classes), so --relabel is off for such a run."
              + " See the report's duplicate identities.%n",
          Calibration.OTHER_PERSON_PERCENTILE,
          c.evidence().nearestOtherPercentileDeg(),
          Calibration.OTHER_PERSON_FLOOR_DEG);
    }
  }

  /**
   * How the sub-class policy's auto cuts were read, and how stable they are: two short lines, only
   * when a cut was read from the data.
   */
  static void printCuts(PrintWriter out, CleanSummary s) {
    CleanSummary.Options o = s.options();
    Calibration c = s.calibration();
    if (c == null || c.cuts() == null || o.otherPersonDeg() == null) {
      return;
    }
    PersonCuts.Evidence e = c.cuts();
    if (o.thresholdAuto()) {
      out.printf(
          Locale.ROOT,
          "  outlier cut: P%.0f of %,d angles to other people; %.1f%% of own faces lie beyond%n",
          PersonCuts.IMPOSTOR_PERCENTILE,
          e.impostorAngles(),
          100 * e.genuineBeyondCut());
    }
    if (o.otherPersonAuto()) {
      out.printf(
          Locale.ROOT,
          "  person cut: midway %.1f° (split halves) to %.1f° (median nearest class);"
              + " even/odd classes agree within %.1f°%n",
          e.splitHalfDeg(),
          e.nearestOtherMedianDeg(),
          e.spreadOfCutsDeg());
    }
  }

  /**
   * The quarantined count, with its reasons when clean set faces aside itself ({@code
   * EMBEDDING_INVALID}): those are not prepare's, and a user must see them.
   */
  static String quarantined(CleanSummary s) {
    return s.quarantinedByReason().containsKey(QuarantineReason.EMBEDDING_INVALID.name())
        ? s.quarantined() + " " + s.quarantinedByReason()
        : Long.toString(s.quarantined());
  }

  static void print(PrintWriter out, CleanSummary s, Location output) {
    out.printf(
        Locale.ROOT,
        "input %s: kept %s, dropped %s %s, quarantined %s; classes %s -> %s" + "%n",
        s.input(),
        s.kept(),
        s.dropped(),
        s.droppedByReason(),
        quarantined(s),
        s.classesBefore(),
        s.classesAfter());
    printDecisions(out, s);
    out.printf(
        Locale.ROOT,
        "estimated noise (share of prepared faces dropped): %.1f%%%n",
        100 * s.noiseRate());
    CleanSummary.QualityVsTruth q = s.qualityVsTruth();
    if (q != null) {
      out.printf(
          Locale.ROOT,
          "against ground truth: precision %.3f, recall %.3f, F1 %.3f%n",
          q.precision(),
          q.recall(),
          q.f1());
    }
    printAcrossClassesTruth(out, s);
    out.printf("output: %s%n", output.resolve(CleanJob.SUMMARY));
    out.printf(
        "report: %s%n",
        output.isLocal()
            ? output.local("report").resolve("report.html").toAbsolutePath()
            : output.resolve("report.html"));
    out.flush();
  }
}
