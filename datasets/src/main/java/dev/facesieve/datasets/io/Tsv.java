package dev.facesieve.datasets.io;

/**
 * Escaping of one field of a tab-separated line, as "linear TSV" does it: a backslash, tab, line
 * feed or carriage return in the text is written as {@code \\}, {@code \t}, {@code \n} or {@code
 * \r}, so that every record stays on one line and its fields are split at tabs.
 *
 * <p>A backslash before any other character is read as itself, so files written before escaping
 * (names without those four characters) read back unchanged.
 */
public final class Tsv {
  private Tsv() {}

  /** The field to write for {@code text}. */
  public static String escape(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '\t' -> sb.append("\\t");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  /** The text a field read back holds. */
  public static String unescape(String field) {
    if (field.indexOf('\\') < 0) {
      return field;
    }
    StringBuilder sb = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 1 < field.length()) {
        char n = field.charAt(i + 1);
        String s =
            switch (n) {
              case '\\' -> "\\";
              case 't' -> "\t";
              case 'n' -> "\n";
              case 'r' -> "\r";
              default -> null;
            };
        if (s != null) {
          sb.append(s);
          i++;
          continue;
        }
      }
      sb.append(c);
    }
    return sb.toString();
  }
}
