package dev.facesieve.pipeline.cli;

import dev.facesieve.datasets.InputException;
import dev.facesieve.datasets.io.HadoopFiles;
import dev.facesieve.pipeline.Location;
import dev.facesieve.pipeline.Version;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code facesieve} command line.
 *
 * <p>Exit codes: 0 success, 1 a run that failed, 2 a user mistake (bad option, unusable input, no
 * command). A user mistake prints exactly one line on stderr, starting {@code facesieve <command>:
 * } like every error line; stack traces only with {@code --verbose}. {@code facesieve} alone prints
 * the usage on stderr instead.
 */
@Command(
    name = "facesieve",
    mixinStandardHelpOptions = true,
    versionProvider = FaceSieve.VersionProvider.class,
    description = "Cleans noisy face-recognition datasets with sub-center ArcFace.",
    footer = {
      "%nStart with 'facesieve demo'; 'facesieve run --input <dataset> --output <dir>' cleans a"
          + " dataset. 'facesieve <command> --help' lists a command's options."
    },
    subcommands = {
      DemoCommand.class,
      RunCommand.class,
      SynthCommand.class,
      PrepareCommand.class,
      TrainCommand.class,
      CleanCommand.class,
      ReportCommand.class,
      InjectCommand.class
    },
    showDefaultValues = true)
public final class FaceSieve implements Callable<Integer> {
  /** Exit code of a failed run. */
  public static final int FAILED = 1;

  /** Exit code of a user mistake. */
  public static final int USAGE = 2;

  @Option(
      names = "--verbose",
      description = "Log more and print stack traces.",
      scope = CommandLine.ScopeType.INHERIT)
  boolean verbose;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** No command given: the usage, on stderr since nothing was done. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return USAGE;
  }

  /** Sets process-wide defaults before any library initialises logging or DJL. */
  static void initProcess(String[] args) {
    System.setProperty("ai.djl.offline", "true");
    boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "warn");
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    if (!verbose) {
      // Flink's and Beam's start-up chatter is not for users
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.flink", "error");
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.beam", "error");
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.hadoop", "error");
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.parquet", "error");
      // DJL probes for CUDA on start-up and warns when there is none: not news on a CPU machine
      System.setProperty("org.slf4j.simpleLogger.log.ai.djl", "error");
    }
  }

  /** Builds the command line with FaceSieve's error handling. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new FaceSieve());
    HelpLayout.install(cl);
    // a URI given where a local path is needed would otherwise become a local folder "hdfs:"
    cl.registerConverter(
        Path.class,
        s -> {
          if (Location.isRemote(s)) {
            throw new CommandLine.TypeConversionException(
                "'"
                    + s
                    + "' is a URI; this option needs a local path (URIs are taken only by the"
                    + " --input, --output, --data, --model and --embeddings options of prepare,"
                    + " train, clean and run)");
          }
          try {
            HadoopFiles.checkNotMalformedUri(s);
          } catch (InputException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
          }
          return Path.of(s);
        });
    cl.setParameterExceptionHandler(new UsageErrors());
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          boolean verbose =
              parseResult.hasMatchedOption("--verbose")
                  || (parseResult.subcommand() != null
                      && parseResult.subcommand().hasMatchedOption("--verbose"));
          Throwable user = userError(ex);
          String command = commandLine.getCommandSpec().qualifiedName();
          if (verbose) {
            ex.printStackTrace(err);
          }
          if (user != null) {
            err.println(command + ": " + oneLine(user.getMessage()));
            err.flush();
            return USAGE;
          }
          Throwable root = ex;
          while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
          }
          err.println(
              command
                  + ": failed: "
                  + oneLine(root.getClass().getSimpleName() + ": " + root.getMessage())
                  + (verbose ? "" : " (--verbose for details)"));
          err.flush();
          return FAILED;
        });
    return cl;
  }

  /** The user-facing cause of a failure, if the failure is the user's input. */
  static Throwable userError(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof InputException || c instanceof IllegalArgumentException) {
        return c;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }

  /**
   * A message on one line, without the stack frames that some messages carry in their text: an
   * error from HDFS's name node (Hadoop's {@code RemoteException}, e.g. "Permission denied: …")
   * holds the name node's own stack trace, one {@code at …} line per frame.
   */
  static String oneLine(String s) {
    if (s == null) {
      return "";
    }
    return s.lines()
        .filter(l -> !STACK_FRAME.matcher(l).matches())
        .map(String::strip)
        .filter(l -> !l.isEmpty())
        .collect(Collectors.joining(" "));
  }

  /** A line of a stack trace: {@code at pkg.Class.method(File.java:1)} or {@code ... 3 more}. */
  private static final Pattern STACK_FRAME =
      Pattern.compile("\\s*(at [\\w$.<>/-]+\\(.*\\)|\\.\\.\\. \\d+ more)\\s*");

  public static void main(String[] args) {
    initProcess(args);
    int code = commandLine().execute(args);
    System.exit(code);
  }

  /** Prints the build's version. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"facesieve " + Version.get()};
    }
  }
}
