package dev.facesieve.transforms;

import static com.google.common.base.Preconditions.checkArgument;

import dev.facesieve.datasets.FaceRecord;
import dev.facesieve.datasets.QuarantineReason;
import dev.facesieve.datasets.QuarantineRecord;
import dev.facesieve.datasets.SourceRef;
import dev.facesieve.datasets.input.FacePreparer;
import dev.facesieve.datasets.input.InputShard;
import dev.facesieve.datasets.input.PrepareStats;
import dev.facesieve.datasets.input.RawFace;
import dev.facesieve.datasets.input.ShardReader;
import dev.facesieve.datasets.input.ShardSink;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * Reads planned input shards in parallel and turns every record into a checked {@link FaceRecord}
 * or a {@link QuarantineRecord}, with the run's {@link PrepareStats}: outputs {@link #FACES},
 * {@link #QUARANTINED} and {@link #STATS}.
 *
 * <p>Shards are redistributed first ({@link Reshuffle}) so that each worker reads its own ranges of
 * {@code .idx} keys or groups of files: a 10M-image {@code .rec} is never read by one thread.
 */
public final class PrepareFaces extends PTransform<PCollection<InputShard>, PCollectionTuple> {

  /** Main output: checked faces. */
  public static final TupleTag<FaceRecord> FACES = new TupleTag<>() {};

  /** Side output: quarantined records. */
  public static final TupleTag<QuarantineRecord> QUARANTINED = new TupleTag<>() {};

  /** Output: the run's statistics, a single element. */
  public static final TupleTag<PrepareStats> STATS = new TupleTag<>() {};

  /** Counter (namespace {@code PrepareFaces}) of the records read so far: prepare's progress. */
  public static final String RECORDS_READ_COUNTER = "records_read";

  /** Counter (namespace {@code PrepareFaces}) of the records quarantined so far. */
  public static final String RECORDS_QUARANTINED_COUNTER = "records_quarantined";

  /** Side output: one statistics object per shard. */
  static final TupleTag<PrepareStats> SHARD_STATS = new TupleTag<>() {};

  private final Map<Integer, String> identityNames;
  private final long maxPixels;
  private final boolean align;
  private final long maxBytes;

  private PrepareFaces(
      Map<Integer, String> identityNames, long maxPixels, boolean align, long maxBytes) {
    this.identityNames = identityNames;
    this.maxPixels = maxPixels;
    this.align = align;
    this.maxBytes = maxBytes;
  }

  /**
   * Default settings: no identity names, {@link FacePreparer#DEFAULT_MAX_PIXELS}, no alignment,
   * {@link ShardReader#DEFAULT_MAX_BYTES}.
   */
  public static PrepareFaces create() {
    return new PrepareFaces(
        new TreeMap<>(), FacePreparer.DEFAULT_MAX_PIXELS, false, ShardReader.DEFAULT_MAX_BYTES);
  }

  /** Names for labels whose records carry none (RecordIO). */
  public PrepareFaces withIdentityNames(Map<Integer, String> names) {
    return new PrepareFaces(new TreeMap<>(names), maxPixels, align, maxBytes);
  }

  /** Images declaring more pixels than this are quarantined as {@code IMAGE_TOO_LARGE}. */
  public PrepareFaces withMaxPixels(long n) {
    checkArgument(n > 0, "max pixels must be > 0, got %s", n);
    return new PrepareFaces(identityNames, n, align, maxBytes);
  }

  /** Warp records that carry landmarks to the ArcFace 112×112 template. */
  public PrepareFaces withAlign(boolean a) {
    return new PrepareFaces(identityNames, maxPixels, a, maxBytes);
  }

  /** Image files and Parquet images of more bytes than this are quarantined unread. */
  public PrepareFaces withMaxBytes(long n) {
    checkArgument(n > 0, "max bytes must be > 0, got %s", n);
    return new PrepareFaces(identityNames, maxPixels, align, n);
  }

  @Override
  public PCollectionTuple expand(PCollection<InputShard> shards) {
    PCollectionTuple out =
        shards
            .apply("DistributeShards", Reshuffle.viaRandomKey())
            .setCoder(FaceCoders.shards())
            .apply(
                "ReadAndCheck",
                ParDo.of(
                        new ReadShardFn(
                            identityNames, new FacePreparer(maxPixels, align), maxBytes))
                    .withOutputTags(FACES, TupleTagList.of(QUARANTINED).and(SHARD_STATS)));
    PCollection<FaceRecord> faces = out.get(FACES).setCoder(FaceCoders.faces());
    PCollection<QuarantineRecord> bad = out.get(QUARANTINED).setCoder(FaceCoders.quarantined());
    PCollection<PrepareStats> stats =
        out.get(SHARD_STATS)
            .setCoder(FaceCoders.prepareStats())
            .apply("SumStats", Combine.globally(new SumStatsFn()))
            .setCoder(FaceCoders.prepareStats());
    return PCollectionTuple.of(FACES, faces).and(QUARANTINED, bad).and(STATS, stats);
  }

  /**
   * The run's statistics once {@link WriteFaceFiles} has set repeated ids aside: each repeat moves
   * from prepared to quarantined ({@link PrepareStats#addRepeat}).
   */
  public static PCollection<PrepareStats> withRepeats(
      PCollection<PrepareStats> stats, PCollection<QuarantineRecord> repeats) {
    PCollection<PrepareStats> moved =
        repeats
            .apply(
                "CountRepeat",
                MapElements.into(TypeDescriptor.of(PrepareStats.class))
                    .via(
                        (QuarantineRecord q) -> {
                          PrepareStats s = new PrepareStats();
                          s.addRepeat(q);
                          return s;
                        }))
            .setCoder(FaceCoders.prepareStats());
    return PCollectionList.of(stats)
        .and(moved)
        .apply("WithRepeats", Flatten.pCollections())
        .setCoder(FaceCoders.prepareStats())
        .apply("SumWithRepeats", Combine.globally(new SumStatsFn()))
        .setCoder(FaceCoders.prepareStats());
  }

  /** Reads one shard and checks each of its records. */
  static final class ReadShardFn extends DoFn<InputShard, FaceRecord> {
    private final Map<Integer, String> identityNames;
    private final FacePreparer preparer;
    private final ProgressCounter read =
        ProgressCounter.of(PrepareFaces.class, RECORDS_READ_COUNTER);
    private final Counter quarantined =
        Metrics.counter(PrepareFaces.class, RECORDS_QUARANTINED_COUNTER);
    private final long maxBytes;
    private transient ShardReader reader;

    ReadShardFn(Map<Integer, String> identityNames, FacePreparer preparer, long maxBytes) {
      this.identityNames = identityNames;
      this.preparer = preparer;
      this.maxBytes = maxBytes;
    }

    @Setup
    public void setup() {
      reader = new ShardReader(identityNames, maxBytes);
    }

    @ProcessElement
    public void process(@Element InputShard shard, MultiOutputReceiver out) {
      PrepareStats stats = new PrepareStats();
      ShardSink sink =
          new ShardSink() {
            @Override
            public void face(RawFace raw) {
              read.inc();
              FacePreparer.Outcome o = preparer.prepare(raw);
              if (o.face() != null) {
                stats.addFace(o.face(), o.aligned());
                out.get(FACES).output(o.face());
              } else {
                quarantine(o.quarantined());
                read.dec();
              }
            }

            @Override
            public void quarantine(QuarantineRecord record) {
              read.inc();
              quarantined.inc();
              stats.addQuarantined(record);
              out.get(QUARANTINED).output(record);
            }

            @Override
            public void metadata(long key) {
              read.inc();
              stats.metadataRecords++;
            }
          };
      try {
        reader.read(shard, sink);
      } catch (IOException e) {
        // The shard's file became unreadable after planning: quarantine the shard as a whole
        // record so that the loss is visible and counted, and go on with the others.
        sink.quarantine(
            QuarantineRecord.of(
                "shard:" + shard.describe(),
                new SourceRef(shard.describe(), -1),
                QuarantineReason.UNREADABLE,
                "cannot read shard: " + e.getMessage(),
                null,
                null,
                null,
                null));
      }
      out.get(SHARD_STATS).output(stats);
    }
  }

  /** Merges statistics. */
  static final class SumStatsFn
      extends Combine.CombineFn<PrepareStats, PrepareStats, PrepareStats> {
    @Override
    public PrepareStats createAccumulator() {
      return new PrepareStats();
    }

    @Override
    public PrepareStats addInput(PrepareStats acc, PrepareStats in) {
      return acc.merge(in);
    }

    @Override
    public PrepareStats mergeAccumulators(Iterable<PrepareStats> accs) {
      PrepareStats s = new PrepareStats();
      accs.forEach(s::merge);
      return s;
    }

    @Override
    public PrepareStats extractOutput(PrepareStats acc) {
      return acc.dropEmptyLabels();
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<PrepareStats> getAccumulatorCoder(
        org.apache.beam.sdk.coders.CoderRegistry r,
        org.apache.beam.sdk.coders.Coder<PrepareStats> in) {
      return FaceCoders.prepareStats();
    }
  }
}
