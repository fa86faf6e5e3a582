package dev.facesieve.datasets.input;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.io.Csv;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.commons.csv.CSVRecord;

/**
 * Readers of the CSV side files that come with an input: ground truth and 5-point landmarks.
 *
 * <p>Both are read as RFC 4180 by {@link Csv}: an id holding a comma is quoted. Text cells are read
 * through {@link Csv#text}, so the files FaceSieve writes (with formula-like cells neutralised)
 * read back as the ids they were written from.
 */
public final class SideFiles {
  private SideFiles() {}

  /**
   * One face's ground truth: its noise kind and, when the file says so, the identity it really
   * shows.
   *
   * @param trueIdentity the identity the image shows: the face's own identity when clean, another
   *     identity of the collection for close-set noise, one outside it for open-set noise; null
   *     when the file has no {@code true_identity} column or the cell is empty
   * @param trueDuplicateOf the id of the face this image is a copy of (the same picture, exact or
   *     re-encoded); null when the file has no {@code true_duplicate_of} column or the cell is
   *     empty
   */
  public record Truth(
      NoiseKind kind, @Nullable String trueIdentity, @Nullable String trueDuplicateOf)
      implements Serializable {}

  /**
   * Reads {@code id,truth[,true_identity][,true_duplicate_of,...]} with a header line naming at
   * least {@code id} and {@code truth}; the {@code true_identity} and {@code true_duplicate_of}
   * columns are optional, in any order ({@link
   * dev.facesieve.datasets.synth.NoiseInjector#TRUTH_HEADER} writes the first).
   */
  public static Map<String, Truth> readTruth(Path file) {
    Map<String, Truth> out = new HashMap<>();
    // id column, truth column, true_identity column, true_duplicate_of column (-1 when absent),
    // number of columns (0 until the header is read)
    int[] header = {-1, -1, -1, -1, 0};
    Csv.read(
        file,
        "truth file",
        (rec, line) -> {
          if (header[4] == 0) {
            List<String> names = rec.stream().map(String::strip).toList();
            header[0] = names.indexOf("id");
            header[1] = names.indexOf("truth");
            header[2] = names.indexOf("true_identity");
            header[3] = names.indexOf("true_duplicate_of");
            header[4] = names.size();
            if (header[0] < 0 || header[1] < 0) {
              throw new InputException(file, "header must name the columns 'id' and 'truth'");
            }
            return;
          }
          if (rec.size() != header[4]) {
            throw new InputException(
                file, "line " + line + " has " + rec.size() + " fields, expected " + header[4]);
          }
          String kind = rec.get(header[1]);
          NoiseKind parsed;
          try {
            parsed = NoiseKind.parse(kind);
          } catch (IllegalArgumentException e) {
            throw new InputException(
                file,
                "line "
                    + line
                    + ": unknown truth '"
                    + kind
                    + "' (clean, close_set, open_set, corrupt)");
          }
          // an empty cell (which Commons CSV may hand over as null) is an unknown identity, or a
          // face that copies none
          out.put(
              Csv.text(rec.get(header[0])),
              new Truth(parsed, optional(rec, header[2]), optional(rec, header[3])));
        });
    return out;
  }

  @Nullable
  private static String optional(CSVRecord rec, int column) {
    String cell = column < 0 ? null : rec.get(column);
    return cell == null || cell.isEmpty() ? null : Csv.text(cell);
  }

  /** The noise kinds of {@link #readTruth}, for readers that do not need the true identities. */
  public static Map<String, NoiseKind> readTruthKinds(Path file) {
    Map<String, NoiseKind> out = new HashMap<>();
    readTruth(file).forEach((id, t) -> out.put(id, t.kind()));
    return out;
  }

  /**
   * Reads {@code id,x1,y1,...,x5,y5} records (an optional header line is skipped). An unquoted id
   * may still hold commas: the id is everything before the last ten fields. Coordinates written
   * {@code nan} or {@code inf} (as Python writes them) are read as such; {@code prepare}
   * quarantines their record as {@code BAD_LANDMARKS}.
   */
  public static Map<String, float[]> readLandmarks(Path file) {
    Map<String, float[]> out = new HashMap<>();
    Csv.read(
        file,
        "landmarks file",
        (rec, line) -> {
          if (rec.size() < 11) {
            throw new InputException(file, "line " + line + " is not 'id,x1,y1,...,x5,y5'");
          }
          float[] lm = new float[10];
          try {
            for (int i = 0; i < 10; i++) {
              lm[i] = coordinate(rec.get(rec.size() - 10 + i));
            }
          } catch (NumberFormatException e) {
            if (rec.getRecordNumber() == 1) {
              return; // header
            }
            throw new InputException(file, "line " + line + " has a non-numeric coordinate");
          }
          out.put(Csv.text(id(rec)), lm);
        });
    return out;
  }

  private static String id(CSVRecord rec) {
    if (rec.size() == 11) {
      return rec.get(0);
    }
    return String.join(",", rec.toList().subList(0, rec.size() - 10));
  }

  private static float coordinate(String s) {
    String t = s.strip().toLowerCase(Locale.ROOT);
    return switch (t) {
      case "nan", "+nan", "-nan" -> Float.NaN;
      case "inf", "+inf", "infinity", "+infinity" -> Float.POSITIVE_INFINITY;
      case "-inf", "-infinity" -> Float.NEGATIVE_INFINITY;
      default -> Float.parseFloat(t);
    };
  }
}
