package dev.facesieve.pipeline;

import java.util.Locale;
import org.apache.avro.generic.GenericRecord;

/**
 * {@code dropped.csv}: one line per dropped face, {@code id,label,identity,reason,angle_deg}, no
 * image bytes, for people to review and grep. Fields are quoted as RFC 4180 asks when they hold a
 * comma, a quote or a line break.
 */
final class DroppedCsv {
  private DroppedCsv() {}

  static final String HEADER = "id,label,identity,reason,angle_deg";

  /** The line of a dropped record ({@code CleanSchemas.CLEANED}); the label is the original one. */
  static String line(GenericRecord r) {
    return quote(r.get("id").toString())
        + ","
        + r.get("original_label")
        + ","
        + quote(r.get("identity").toString())
        + ","
        + r.get("reason")
        + ","
        + String.format(Locale.ROOT, "%.3f", (Double) r.get("angle_deg"));
  }

  /** RFC 4180 quoting when a field holds a comma, quote or line break. */
  static String quote(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }
}
