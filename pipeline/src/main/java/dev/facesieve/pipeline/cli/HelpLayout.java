package dev.facesieve.pipeline.cli;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * How {@code --help} looks: options in sections, a short synopsis, defaults as a user writes them.
 *
 * <p>A command's own options come first under its {@code optionListHeading} ("Options:" when it has
 * none), then each mixed-in option class under its heading below, then help, version and {@code
 * --verbose} under "Other:" (all in one list when nothing is mixed in); options keep their
 * declaration order within a section. Picocli's {@code @ArgGroup} would give the same headings, but
 * it leaves a group's object {@code null} (or without its annotated defaults) when none of its
 * options is given, so the mixins stay mixins and only the help is laid out here.
 */
final class HelpLayout {
  private HelpLayout() {}

  /** The section heading of each mixed-in option class, in the order of the sections. */
  static final List<Map.Entry<Class<?>, String>> SECTIONS =
      List.of(
          Map.entry(PrepareOptions.class, "Reading the input"),
          Map.entry(TrainOptions.class, "Model and training"),
          Map.entry(CleanOptions.class, "Cleaning"),
          Map.entry(ReportOptions.class, "Report"),
          Map.entry(RunnerOptions.class, "Runner"));

  static final String OTHER = "Other";

  /** Lays out the help of {@code cl} and of every subcommand below it. */
  static void install(CommandLine cl) {
    cl.setDefaultValueProvider(HelpLayout::plainDefault);
    apply(cl);
  }

  private static void apply(CommandLine cl) {
    Map<String, CommandLine.IHelpSectionRenderer> sections = cl.getHelpSectionMap();
    sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST_HEADING, help -> "");
    sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST, HelpLayout::options);
    if (cl.getSubcommands().isEmpty()) {
      sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS, HelpLayout::synopsis);
    }
    cl.getSubcommands().values().forEach(HelpLayout::apply);
  }

  /**
   * A floating-point default as a user would write it ({@code 64}, {@code 0.0005}, not {@code
   * 64.0}, {@code 5.0E-4}); {@code null} (the annotation's value) for every other option.
   */
  static String plainDefault(ArgSpec arg) {
    String d = arg.defaultValue();
    Class<?> t = arg.type();
    boolean decimal =
        t == double.class || t == Double.class || t == float.class || t == Float.class;
    if (!decimal || d == null) {
      return null;
    }
    try {
      return new BigDecimal(d).stripTrailingZeros().toPlainString();
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The options of {@code spec} by section heading, in the order they are shown. */
  static Map<String, List<OptionSpec>> sections(CommandSpec spec) {
    Map<String, List<OptionSpec>> out = new LinkedHashMap<>();
    Set<String> placed = new HashSet<>();
    List<OptionSpec> other = new ArrayList<>();
    Map<String, List<OptionSpec>> mixed = new LinkedHashMap<>();
    SECTIONS.forEach(e -> mixed.put(e.getValue(), new ArrayList<>()));
    for (CommandSpec mixin : spec.mixins().values()) {
      List<OptionSpec> into = other;
      for (Map.Entry<Class<?>, String> e : SECTIONS) {
        if (e.getKey() == mixin.userObject().getClass()) {
          into = mixed.get(e.getValue());
        }
      }
      for (OptionSpec o : mixin.options()) {
        if (placed.add(o.longestName())) {
          into.add(o);
        }
      }
    }
    mixed.values().removeIf(List::isEmpty);
    List<OptionSpec> own = new ArrayList<>();
    for (OptionSpec o : spec.options()) {
      if (!placed.contains(o.longestName())) {
        (o.inherited() ? other : own).add(o);
      }
    }
    String heading = spec.usageMessage().optionListHeading().replace("%n", "").strip();
    if (mixed.isEmpty()) { // a short list: one section
      own.addAll(other);
      other.clear();
    }
    out.put(heading.isEmpty() ? "Options" : heading.replaceAll(":$", ""), own);
    out.putAll(mixed);
    out.put(OTHER, other);
    out.values().removeIf(List::isEmpty);
    return out;
  }

  private static String options(Help help) {
    StringBuilder sb = new StringBuilder();
    sections(help.commandSpec())
        .forEach(
            (heading, options) -> {
              sb.append(sb.length() == 0 ? "" : System.lineSeparator());
              sb.append(heading).append(':').append(System.lineSeparator());
              // a layout per section, each as wide as the whole list: the columns line up
              sb.append(
                  help.optionListExcludingGroups(
                      options,
                      help.createDefaultLayout(),
                      null,
                      help.createDefaultParamLabelRenderer()));
            });
    return sb.toString();
  }

  /**
   * {@code facesieve run --input=<path> --output=<dir> [OPTIONS]}: required options, then the rest.
   */
  private static String synopsis(Help help) {
    CommandSpec spec = help.commandSpec();
    StringBuilder sb = new StringBuilder(spec.qualifiedName());
    for (OptionSpec o : spec.options()) {
      if (o.required()) {
        String name = List.of(o.names()).contains("--input") ? "--input" : o.longestName();
        sb.append(' ').append(name).append('=').append(o.paramLabel());
      }
    }
    sb.append(" [OPTIONS]");
    return sb.append(System.lineSeparator()).toString();
  }
}
