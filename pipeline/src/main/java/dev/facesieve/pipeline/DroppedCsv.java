package dev.facesieve.pipeline;

import dev.facesieve.datasets.io.Csv;
import java.math.BigDecimal;
import java.math.RoundingMode;
import org.apache.avro.generic.GenericRecord;

/**
 * {@code dropped.csv}: one line per dropped face, {@code id,label,identity,reason,angle_deg}, no
 * image bytes, for people to review and grep. Written by {@link Csv}: text quoted, numbers bare,
 * formula-like text neutralised.
 */
final class DroppedCsv {
  private DroppedCsv() {}

  static final String HEADER = Csv.header("id", "label", "identity", "reason", "angle_deg");

  /** The line of a dropped record ({@code CleanSchemas.CLEANED}); the label is the original one. */
  static String line(GenericRecord r) {
    double angle = (Double) r.get("angle_deg");
    return Csv.line(
        r.get("id").toString(),
        (Integer) r.get("original_label"),
        r.get("identity").toString(),
        r.get("reason").toString(),
        Double.isFinite(angle)
            ? BigDecimal.valueOf(angle).setScale(3, RoundingMode.HALF_UP)
            : (Number) angle);
  }
}
