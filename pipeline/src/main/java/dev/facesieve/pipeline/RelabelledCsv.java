package dev.facesieve.pipeline;

import dev.facesieve.datasets.CleanSchemas;
import dev.facesieve.datasets.io.Csv;
import java.math.BigDecimal;
import java.math.RoundingMode;
import org.apache.avro.generic.GenericRecord;

/**
 * {@code relabelled.csv}: one line per face that {@code --relabel} moved to another class, {@code
 * id,original_identity,new_identity,angle_to_new_deg,angle_to_old_deg}. The angle to the new class
 * is to its dominant sub-class centroid; the angle to the old one is the angle the decision was
 * made on (to the dominant sub-centre, or the person's centroid for {@code subclass}).
 */
final class RelabelledCsv {
  private RelabelledCsv() {}

  /** The file's name in a clean output folder. */
  static final String FILE = "relabelled.csv";

  static final String HEADER =
      Csv.header("id", "original_identity", "new_identity", "angle_to_new_deg", "angle_to_old_deg");

  /** True for a kept record ({@code CleanSchemas.CLEANED}) that was moved. */
  static boolean moved(GenericRecord r) {
    return CleanSchemas.relabelled(r);
  }

  /** The line of a moved record. */
  static String line(GenericRecord r) {
    return Csv.line(
        r.get("id").toString(),
        r.get("original_identity").toString(),
        r.get("identity").toString(),
        degrees((Double) r.get("angle_to_target_deg")),
        degrees((Double) r.get("angle_deg")));
  }

  private static Number degrees(double a) {
    return Double.isFinite(a) ? BigDecimal.valueOf(a).setScale(3, RoundingMode.HALF_UP) : a;
  }
}
