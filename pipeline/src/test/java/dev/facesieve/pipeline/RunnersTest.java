package dev.facesieve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.junit.jupiter.api.Test;

/** {@code --runner auto}: which runner each stage gets for its input's size. */
class RunnersTest {
  private static final long LINE = Runners.AUTO_FLINK_FROM_FACES;

  @Test
  void autoIsDirectBelowTheLineAndEmbeddedFlinkFromIt() {
    Runners.Choice auto = new Runners.Choice("auto", "[local]", 2, List.of("--tempLocation=/t"));
    for (long faces : new long[] {0, 1, 4_324, LINE - 1}) {
      Runners.Choice c = auto.forFaces(faces);
      assertEquals("direct", c.runner(), "faces " + faces);
      assertEquals(DirectRunner.class, Runners.options(c, "t").getRunner());
    }
    for (long faces : new long[] {LINE, LINE + 1, 500_000, 10_000_000}) {
      Runners.Choice c = auto.forFaces(faces);
      assertEquals("flink", c.runner(), "faces " + faces);
      FlinkPipelineOptions o = Runners.options(c, "t").as(FlinkPipelineOptions.class);
      assertEquals(FlinkRunner.class, o.getRunner());
      assertEquals("[local]", o.getFlinkMaster());
      assertEquals(2, o.getParallelism());
      assertEquals(List.of("--tempLocation=/t"), c.pipelineArgs());
    }
    // a cluster named with --flink-master takes the large stages
    assertEquals("jm:8081", new Runners.Choice("AUTO", "jm:8081", 2).forFaces(LINE).flinkMaster());
  }

  @Test
  void theLineIsBetweenTheTestSuitesDataAndWhereTheDirectRunnersHeapGrows() {
    // the demo (600 faces) and LFW (4,324), which the test suite runs, stay on the DirectRunner;
    // 9,899 faces, where the DirectRunner's clean took 7.5 GB of an 8 GB heap, run on Flink
    assertTrue(LINE > 4_324 && LINE <= 9_899, "line " + LINE);
  }

  @Test
  void anExplicitRunnerIsKeptWhateverTheSize() {
    for (String r : List.of("direct", "flink", "DataflowRunner")) {
      Runners.Choice c = new Runners.Choice(r, "[local]", 2);
      assertSame(c, c.forFaces(0));
      assertSame(c, c.forFaces(100 * LINE));
    }
  }

  @Test
  void autoSaysWhatItChoseAndAnExplicitRunnerSaysNothing() {
    List<String> heard = new ArrayList<>();
    ProgressListener l =
        new ProgressListener() {
          @Override
          public void update(String stage, long done, long total) {}

          @Override
          public void onRunner(String stage, String line) {
            heard.add(stage + ": " + line);
          }
        };
    Runners.Choice auto = new Runners.Choice("auto", "[local]", 2);
    assertEquals("direct", Runners.forStage(auto, "prepare", 4_324, "input records", l).runner());
    assertEquals("flink", Runners.forStage(auto, "clean", 500_000, "faces", l).runner());
    assertEquals(
        "flink",
        Runners.forStage(new Runners.Choice("auto", "jm:8081", 2), "clean", LINE, "faces", l)
            .runner());
    Runners.forStage(new Runners.Choice("direct", "[local]", 2), "clean", 500_000, "faces", l);
    assertEquals(
        List.of(
            "prepare: runner auto: direct (4,324 input records, under 5,000)",
            "clean: runner auto: flink, embedded (500,000 faces, from 5,000)",
            "clean: runner auto: flink (5,000 faces, from 5,000)"),
        heard);
  }

  @Test
  void everyStageCommandDefaultsToAutoAndShowsItsLine() {
    for (String command :
        List.of("facesieve prepare", "facesieve clean", "facesieve run", "facesieve demo")) {
      String help = HelpCommandLineTest.help(command).replaceAll("\\s+", " ");
      assertTrue(help.contains("on direct below " + LINE + " faces in its input"), help);
      assertTrue(help.contains("Default: auto"), help);
    }
  }

  @Test
  void autoMustBeResolvedBeforeAPipelineIsBuilt() {
    Runners.Choice auto = new Runners.Choice("auto", "[local]", 2);
    Runners.check(auto); // both of its runners are in this build
    assertThrows(IllegalArgumentException.class, () -> Runners.options(auto, "t"));
  }
}
