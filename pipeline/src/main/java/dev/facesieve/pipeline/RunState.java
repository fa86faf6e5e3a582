package dev.facesieve.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.facesieve.datasets.contract.StageJson;
import dev.facesieve.datasets.io.LocalFiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.annotation.Nullable;

/**
 * {@code <out>/run.json}: what {@code facesieve run} recorded, per stage, about an output folder;
 * see {@link RunJob} for how it decides from it which stages to skip.
 *
 * <p>Written and read with {@link dev.facesieve.datasets.contract.StageJson}; keys are in
 * alphabetical order at every level, as they were when this file was written from maps. A record
 * never changes: {@link #with} and {@link #without} return a new state.
 *
 * @param facesieveVersion the FaceSieve that last wrote the file
 * @param stages per stage name ({@code prepare}, {@code train}, {@code clean}, {@code report}),
 *     sorted by name
 */
@JsonPropertyOrder(alphabetic = true)
public record RunState(@Nullable String facesieveVersion, SortedMap<String, StageRecord> stages) {
  public RunState {
    stages = Collections.unmodifiableSortedMap(new TreeMap<>(stages == null ? Map.of() : stages));
  }

  /** No stage recorded yet. */
  public static RunState empty(String facesieveVersion) {
    return new RunState(facesieveVersion, new TreeMap<>());
  }

  /** The record of {@code stage}, or null when none. */
  @Nullable
  public StageRecord stage(String stage) {
    return stages.get(stage);
  }

  /** This state with {@code stage} recorded as {@code record}. */
  public RunState with(String stage, StageRecord record) {
    TreeMap<String, StageRecord> m = new TreeMap<>(stages);
    m.put(stage, record);
    return new RunState(facesieveVersion, m);
  }

  /** This state without a record of {@code stage}. */
  public RunState without(String stage) {
    TreeMap<String, StageRecord> m = new TreeMap<>(stages);
    m.remove(stage);
    return new RunState(facesieveVersion, m);
  }

  /** This state as written by FaceSieve {@code version}. */
  public RunState withVersion(String version) {
    return new RunState(version, stages);
  }

  /** Where a stage got to. */
  public enum State {
    /** Began and has not finished; only {@code train} is recorded so, to resume it. */
    @JsonProperty("started")
    STARTED,
    /** Finished and wrote its marker file. */
    @JsonProperty("done")
    DONE
  }

  /**
   * One stage's entry.
   *
   * @param key the SHA-256 of everything the stage's output depends on ({@link RunJob})
   * @param marker the marker file it wrote last, relative to the run's folder; absent until done
   * @param markerSha256 that file's SHA-256 when the stage finished; absent until done
   */
  @JsonPropertyOrder(alphabetic = true)
  public record StageRecord(
      String key,
      State state,
      @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String marker,
      @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String markerSha256) {
    /** A stage that began with {@code key}. */
    public static StageRecord started(String key) {
      return new StageRecord(key, State.STARTED, null, null);
    }

    /** A stage that finished with {@code key} and wrote {@code marker}. */
    public static StageRecord done(String key, String marker, String markerSha256) {
      return new StageRecord(key, State.DONE, marker, markerSha256);
    }
  }

  /**
   * Whether {@code stage} is recorded as done with {@code key} and its marker, {@code marker}
   * inside the run's folder {@code out}, is still the file it wrote.
   */
  boolean done(Location out, String stage, String key, String marker) throws IOException {
    StageRecord st = stage(stage);
    if (st == null || st.state() != State.DONE || !key.equals(st.key())) {
      return false;
    }
    Location m = out.resolve(marker);
    return m.isFile() && m.sha256().equals(st.markerSha256());
  }

  /**
   * Records {@code stage} as done with {@code key} and its marker {@code marker} (inside the run's
   * folder {@code out}), forgets the stages after it, writes the state and returns it.
   */
  RunState record(Location out, String stage, String key, String marker) throws IOException {
    RunState next = with(stage, StageRecord.done(key, marker, out.resolve(marker).sha256()));
    // prepare or train invalidates what was recorded for the stages after it, every cleaning's
    // included; a cleaning's report is recorded right after it
    int rank = rank(stage);
    if (rank < rank("clean")) {
      for (String s : stages.keySet()) {
        if (rank(s) > rank) {
          next = next.without(s);
        }
      }
    }
    next.write(out);
    return next;
  }

  /** The place of {@code stage} in {@link RunJob#STAGES}; a named cleaning's share their rank. */
  private static int rank(String stage) {
    for (int i = RunJob.STAGES.length - 1; i >= 0; i--) {
      if (stage.equals(RunJob.STAGES[i]) || stage.startsWith(RunJob.STAGES[i] + "-")) {
        return i;
      }
    }
    return RunJob.STAGES.length;
  }

  /** The state recorded in {@code out} with this FaceSieve's version; empty when absent or bad. */
  static RunState read(Location out) {
    Location f = out.resolve(RunJob.STATE);
    RunState state = RunState.empty(Version.get());
    try {
      if (f.isFile()) {
        state = StageJson.parse(f.readString(), RunState.class);
      }
    } catch (IOException e) {
      // unreadable state: every stage runs again
    }
    return state.withVersion(Version.get());
  }

  /** Writes this state into the run's folder {@code out}. */
  void write(Location out) throws IOException {
    out.resolve(RunJob.STATE).writeAtomically(StageJson.write(this));
  }

  /** A stage's key: the SHA-256 of its name, the FaceSieve version and {@code parts}. */
  static String key(String stage, Object... parts) {
    List<Object> all = new ArrayList<>();
    all.add(stage);
    all.add(Version.get());
    all.addAll(List.of(parts));
    return LocalFiles.sha256(StageJson.write(all));
  }
}
