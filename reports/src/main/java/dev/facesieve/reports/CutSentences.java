package dev.facesieve.reports;

import dev.facesieve.datasets.clean.Calibration;
import dev.facesieve.datasets.clean.CleaningPolicy;
import dev.facesieve.datasets.clean.PersonCuts;
import java.util.Locale;

/**
 * The report's words for the sub-class policy's two cuts: what each cut is and, when it was read
 * from the data, from what and how stable it is. A summary written before the cuts were read by
 * {@link PersonCuts} (no {@link Calibration#cuts}) is described as its rule then was.
 */
final class CutSentences {
  private CutSentences() {}

  /** The group ("another person") cut. */
  static String person(ReportJson.CalibrationReport c) {
    Calibration cal = c.fromData();
    String how;
    if (!c.otherPersonAuto()) {
      how = "set with --other-person-deg";
    } else if (cal.cuts() == null) {
      how =
          "auto: the "
              + fmt(Calibration.OTHER_PERSON_PERCENTILE)
              + "th percentile of the angles from "
              + cal.evidence().classesSearched()
              + " classes to their nearest other class, "
              + deg(cal.evidence().nearestOtherPercentileDeg())
              + ", and at least "
              + fmt(Calibration.OTHER_PERSON_FLOOR_DEG)
              + "°";
    } else {
      PersonCuts.Evidence e = cal.cuts();
      how =
          "auto: halfway between how far two halves of one person lie apart ("
              + deg(e.splitHalfDeg())
              + ", the "
              + fmt(Calibration.SPLIT_HALF_PERCENTILE)
              + "th percentile) and the median angle from a class to its nearest other class ("
              + deg(e.nearestOtherMedianDeg())
              + "), at least "
              + fmt(Calibration.OTHER_PERSON_FLOOR_DEG)
              + "°; read from even- and odd-labelled classes alone it gives "
              + deg(e.groupCutEvenOddDeg()[0])
              + " and "
              + deg(e.groupCutEvenOddDeg()[1]);
    }
    return "Another person: a non-dominant sub-class whose centroid lies more than "
        + fmt(c.otherPersonDeg())
        + "° from its class's dominant one is dropped whole ("
        + how
        + ")"
        + (cal.cuts() == null
            ? "."
            : ", when its faces also hold together like one person's photos (a scatter of the"
                + " person's hard pictures does not), its class has at least "
                + PersonCuts.MIN_GROUP_CLASS_FACES
                + " faces (smaller classes are judged face by face) and the groups beyond the cut"
                + " hold under "
                + Math.round(100 * PersonCuts.MAX_OTHER_PERSON_SHARE)
                + "% of the class (else no side is clearly the person).");
  }

  /** The per-face ("outlier") cut. */
  static String outlier(ReportJson.CalibrationReport c, String policy) {
    Calibration cal = c.fromData();
    String how;
    if (!c.thresholdAuto()) {
      how = "set with --threshold-deg";
    } else if (cal.cuts() == null) {
      how =
          "auto: arccos(cos α · cos δ) with α the median face angle "
              + deg(cal.evidence().faceMedianDeg())
              + " and δ the another-person cut "
              + fmt(cal.otherPersonDeg())
              + "°, where a typical face of the nearest look-alike would sit";
    } else {
      PersonCuts.Evidence e = cal.cuts();
      how =
          String.format(
              Locale.ROOT,
              "auto: the %sth percentile of %,d angles from faces to other classes' centroids:"
                  + " beyond it a face lies as far from its person as a stranger's face does;"
                  + " %.1f%% of the faces nearest their class's own centroid lie beyond it;"
                  + " even- and odd-labelled classes alone give %s and %s",
              fmt(PersonCuts.IMPOSTOR_PERCENTILE),
              e.impostorAngles(),
              100 * e.genuineBeyondCut(),
              deg(e.faceCutEvenOddDeg()[0]),
              deg(e.faceCutEvenOddDeg()[1]));
    }
    return "Outlier: a face more than "
        + fmt(c.thresholdDeg())
        + "° from "
        + (CleaningPolicy.SUBCLASS.equals(policy)
            ? "its person's centroid"
            : "its class's dominant sub-centre")
        + " is dropped ("
        + how
        + ").";
  }

  private static String fmt(double d) {
    return Charts.fmt(d);
  }

  private static String deg(double d) {
    return Double.isFinite(d) ? String.format(Locale.ROOT, "%.1f°", d) : "n/a";
  }
}
