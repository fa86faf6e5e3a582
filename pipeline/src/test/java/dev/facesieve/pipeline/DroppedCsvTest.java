package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.facesieve.datasets.CleanSchemas;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** Issue 18, item 17: {@code dropped.csv} opens in a spreadsheet without running formulas. */
class DroppedCsvTest {
  private static GenericRecord dropped(String id, int label, String identity, double angle) {
    GenericRecord r = new GenericData.Record(CleanSchemas.CLEANED);
    r.put("id", id);
    r.put("original_label", label);
    r.put("identity", identity);
    r.put("reason", "OUTLIER_ANGLE");
    r.put("angle_deg", angle);
    return r;
  }

  @Test
  void formulaCellsAreNeutralisedAndNumbersStayNumbers() {
    assertEquals(
        "\"'=cmd|' /C calc'!A0\",-1,\"'@SUM(A1)\",\"OUTLIER_ANGLE\",-0.500",
        DroppedCsv.line(dropped("=cmd|' /C calc'!A0", -1, "@SUM(A1)", -0.5)));
    assertEquals(
        "\"'+1\",3,\"'-x, \"\"y\"\"\",\"OUTLIER_ANGLE\",71.235",
        DroppedCsv.line(dropped("+1", 3, "-x, \"y\"", 71.23456)));
    assertEquals(
        "\"a/b.jpg\",0,\"Bush, George W\",\"OUTLIER_ANGLE\",12.000",
        DroppedCsv.line(dropped("a/b.jpg", 0, "Bush, George W", 12)));
    assertEquals("id,label,identity,reason,angle_deg", DroppedCsv.HEADER);
  }
}
