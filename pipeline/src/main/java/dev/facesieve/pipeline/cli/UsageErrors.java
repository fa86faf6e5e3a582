package dev.facesieve.pipeline.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Turns picocli's parameter errors into one line, {@code facesieve <command>: <what>; did you mean
 * <name>? (see facesieve <command> --help)}, with exit code {@link FaceSieve#USAGE}.
 *
 * <p>Picocli's own suggestions match options by their first two letters and commands by letter
 * pairs, which misses the common typos ({@code --treshold-deg} gets {@code --truth}, {@code rn}
 * gets nothing), so names are matched here by edit distance (a swap of two neighbours counts one)
 * and by prefix. An unknown option wins over a missing required one: {@code --inptu x} is reported
 * as a typo of {@code --input}, not as {@code --input} missing.
 */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {
  @Override
  public int handleParseException(CommandLine.ParameterException ex, String[] args) {
    CommandLine cl = ex.getCommandLine();
    PrintWriter err = cl.getErr();
    err.println(message(ex));
    err.flush();
    return FaceSieve.USAGE;
  }

  /** The one line printed for {@code ex}. */
  static String message(CommandLine.ParameterException ex) {
    CommandLine cl = ex.getCommandLine();
    String command = cl.getCommandSpec().qualifiedName();
    List<String> unmatched = cl.getUnmatchedArguments();
    String what;
    if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      what = unmatched(cl.getCommandSpec(), u.getUnmatched());
    } else if (ex instanceof CommandLine.MissingParameterException && !unmatched.isEmpty()) {
      what = unmatched(cl.getCommandSpec(), unmatched);
    } else {
      what = FaceSieve.oneLine(ex.getMessage());
    }
    return command + ": " + what + " (see " + command + " --help)";
  }

  private static String unmatched(CommandSpec spec, List<String> args) {
    // a command comes first; after it, an unknown option is the mistake, not the value after it
    String arg =
        !spec.subcommands().isEmpty() && !args.get(0).startsWith("-")
            ? args.get(0)
            : args.stream().filter(a -> a.startsWith("-")).findFirst().orElse(args.get(0));
    String name = arg.startsWith("-") ? arg.replaceFirst("=.*", "") : arg;
    List<String> candidates = new ArrayList<>();
    String what;
    if (name.startsWith("-")) {
      what = "unknown option '" + name + "'";
      for (OptionSpec o : spec.options()) {
        if (!o.hidden()) {
          candidates.addAll(List.of(o.names()));
        }
      }
    } else if (!spec.subcommands().isEmpty()) {
      what = "unknown command '" + name + "'";
      spec.subcommands()
          .forEach(
              (n, sub) -> {
                if (!sub.getCommandSpec().usageMessage().hidden()) {
                  candidates.add(n);
                }
              });
    } else {
      return "unexpected argument '" + name + "'";
    }
    List<String> near = nearest(name, candidates);
    return near.isEmpty() ? what : what + "; did you mean " + String.join(" or ", near) + "?";
  }

  /**
   * Up to three of {@code candidates} that {@code typed} is likely a typo of: within a small edit
   * distance (one edit per four letters, at least one, at most three) or starting with it, nearest
   * first.
   */
  static List<String> nearest(String typed, List<String> candidates) {
    String t = bare(typed);
    int allowed = Math.max(1, Math.min(3, t.length() / 4));
    record Near(String name, int distance) {}
    List<Near> near = new ArrayList<>();
    for (String c : candidates) {
      String b = bare(c);
      int d = distance(t, b);
      if (d <= allowed) {
        near.add(new Near(c, d));
      } else if (t.length() >= 3 && b.startsWith(t)) {
        near.add(new Near(c, allowed + 1));
      }
    }
    return near.stream()
        .sorted(Comparator.comparingInt(Near::distance).thenComparing(Near::name))
        .map(Near::name)
        .distinct()
        .limit(3)
        .toList();
  }

  private static String bare(String name) {
    return name.replaceFirst("^-+", "").toLowerCase(Locale.ROOT);
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
