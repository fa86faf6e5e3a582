package dev.facesieve.datasets.io;

import static com.google.common.base.Preconditions.checkArgument;

import dev.facesieve.datasets.InputException;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.QuoteMode;

/**
 * How FaceSieve reads and writes every CSV file (Apache Commons CSV, RFC 4180), with text cells
 * made safe to open in a spreadsheet.
 *
 * <p>Written files start with a plain header line, quote every text cell, leave numbers bare and
 * end lines with LF. A text cell that a spreadsheet would run as a formula — one starting with
 * {@code =}, {@code +}, {@code -}, {@code @}, a tab or a carriage return — gets a leading
 * apostrophe (OWASP's advice against CSV injection); apostrophes already in front of such a
 * character get one more, so {@link #text} restores exactly what was written. Numbers (a label of
 * −1, an angle) are passed as {@link Number}s and never prefixed.
 */
public final class Csv {
  private Csv() {}

  /** RFC 4180, text cells quoted, LF line ends; blank lines are skipped when reading. */
  public static final CSVFormat FORMAT =
      CSVFormat.RFC4180
          .builder()
          .setQuoteMode(QuoteMode.NON_NUMERIC)
          .setRecordSeparator('\n')
          .setIgnoreEmptyLines(true)
          .get();

  /** Characters that make a spreadsheet treat a cell as a formula. */
  private static final String FORMULA_START = "=+-@\t\r";

  private static final Pattern COLUMN_NAME = Pattern.compile("[a-z][a-z0-9_]*");

  /** The cell to write for {@code text}: with a leading apostrophe if it would start a formula. */
  public static String safe(String text) {
    int i = leadingApostrophes(text);
    return i < text.length() && FORMULA_START.indexOf(text.charAt(i)) >= 0 ? "'" + text : text;
  }

  /** The text a cell read back holds: the apostrophe {@link #safe} added, removed. */
  public static String text(String cell) {
    int i = leadingApostrophes(cell);
    return i > 0 && i < cell.length() && FORMULA_START.indexOf(cell.charAt(i)) >= 0
        ? cell.substring(1)
        : cell;
  }

  private static int leadingApostrophes(String s) {
    int i = 0;
    while (i < s.length() && s.charAt(i) == '\'') {
      i++;
    }
    return i;
  }

  /**
   * One record without its line end: {@link Number}s bare, anything else as safe, quoted text (null
   * as an empty string).
   */
  public static String line(Object... cells) {
    return FORMAT.format(cells(cells));
  }

  /** A header line of lower-case column names, unquoted. */
  public static String header(String... names) {
    for (String n : names) {
      checkArgument(COLUMN_NAME.matcher(n).matches(), "not a column name: %s", n);
    }
    return String.join(",", names);
  }

  private static Object[] cells(Object[] cells) {
    Object[] out = new Object[cells.length];
    for (int i = 0; i < cells.length; i++) {
      Object c = cells[i];
      out[i] = c instanceof Number ? c : safe(c == null ? "" : c.toString());
    }
    return out;
  }

  /** A CSV file being written: the header, then one {@link #row} per record. */
  public static final class Out implements Closeable {
    private final CSVPrinter printer;

    private Out(Writer w) throws IOException {
      this.printer = new CSVPrinter(w, FORMAT);
    }

    /** Writes one record (see {@link Csv#line} for how cells are written). */
    public void row(Object... cells) throws IOException {
      printer.printRecord(cells(cells));
    }

    @Override
    public void close() throws IOException {
      printer.close(true);
    }
  }

  /** Creates (or replaces) {@code file} as UTF-8 and writes the header line. */
  public static Out write(Path file, String... header) throws IOException {
    Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    try {
      w.write(header(header));
      w.write('\n');
      return new Out(w);
    } catch (IOException | RuntimeException e) {
      w.close();
      throw e;
    }
  }

  /** Receives the records of a file read by {@link #read}. */
  @FunctionalInterface
  public interface RecordHandler {
    /**
     * @param line the line the record ends on (1-based)
     */
    void record(CSVRecord record, long line);
  }

  /**
   * Reads every record of a UTF-8 CSV file, the header line included, in order.
   *
   * @param what what the file is, for the message when it is missing ("truth file")
   * @throws InputException naming the file if it is missing, unreadable or not valid CSV
   */
  public static void read(Path file, String what, RecordHandler handler) {
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        CSVParser p = CSVParser.builder().setReader(r).setFormat(FORMAT).get()) {
      try {
        for (CSVRecord rec : p) {
          handler.record(rec, p.getCurrentLineNumber());
        }
      } catch (UncheckedIOException | IllegalStateException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        throw new InputException(
            file,
            "not valid CSV after line " + p.getCurrentLineNumber() + ": " + cause.getMessage(),
            e);
      }
    } catch (NoSuchFileException e) {
      throw new InputException(file, what + " not found");
    } catch (IOException e) {
      throw new InputException(file, "cannot read: " + e.getMessage(), e);
    }
  }
}
