package dev.facesieve.datasets.recordio;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import dev.facesieve.datasets.io.Tsv;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes an InsightFace training set: {@code train.rec}, {@code train.idx}, {@code property} and (a
 * FaceSieve addition that InsightFace ignores) {@code identities.tsv}, one {@code label<TAB>name}
 * line per identity, the name escaped by {@link Tsv}.
 *
 * <p>Layout, as InsightFace's {@code face2rec} writes and its data loaders read it: images under
 * keys 1…N, each a scalar-label record; then one record per identity under keys N+1…N+C whose two
 * labels are that identity's image key range {@code [start, end)}; and record 0, whose two labels
 * {@code [N+1, N+1+C)} are the identity key range. Images of one label must therefore be added
 * consecutively. Record 0 is written last (offsets, not file order, locate records).
 */
public final class InsightFaceRecWriter implements Closeable {
  private final Path dir;
  private final RecordIOWriter writer;
  private final Map<Integer, long[]> ranges = new LinkedHashMap<>();
  private final Map<Integer, String> names = new LinkedHashMap<>();
  private final List<Long> imageKeys = new ArrayList<>();
  private long nextKey = 1;
  private int lastLabel = Integer.MIN_VALUE;
  private int width;
  private int height;

  /** Creates {@code dir} if needed and opens {@code train.rec}/{@code train.idx} in it. */
  public InsightFaceRecWriter(Path dir) throws IOException {
    this.dir = Files.createDirectories(dir);
    this.writer = new RecordIOWriter(dir.resolve("train.rec"), dir.resolve("train.idx"));
  }

  /**
   * Appends one image.
   *
   * @return the image's key
   * @throws IllegalStateException if a label reappears after another label was added
   */
  public long add(int label, String identity, byte[] image, int w, int h) throws IOException {
    checkArgument(label >= 0, "label must be >= 0, got %s", label);
    if (label != lastLabel) {
      checkState(!ranges.containsKey(label), "images of label %s must be consecutive", label);
      ranges.put(label, new long[] {nextKey, nextKey});
      names.put(label, identity);
      lastLabel = label;
    }
    long key = nextKey++;
    writer.write(key, IRHeader.scalar(label, key).pack(image));
    ranges.get(label)[1] = nextKey;
    imageKeys.add(key);
    width = Math.max(width, w);
    height = Math.max(height, h);
    return key;
  }

  /** Number of images added. */
  public long images() {
    return nextKey - 1;
  }

  @Override
  public void close() throws IOException {
    long firstIdentity = nextKey;
    long key = firstIdentity;
    int numClasses = 0;
    for (Map.Entry<Integer, long[]> e : ranges.entrySet()) {
      long[] r = e.getValue();
      writer.write(key, IRHeader.vector(new float[] {r[0], r[1]}, 0).pack(new byte[0]));
      key++;
      numClasses = Math.max(numClasses, e.getKey() + 1);
    }
    writer.write(0, IRHeader.vector(new float[] {firstIdentity, key}, 0).pack(new byte[0]));
    writer.close();
    Files.writeString(
        dir.resolve("property"),
        numClasses + "," + (height == 0 ? 112 : height) + "," + (width == 0 ? 112 : width),
        StandardCharsets.US_ASCII);
    StringBuilder sb = new StringBuilder();
    names.forEach((l, n) -> sb.append(l).append('\t').append(Tsv.escape(n)).append('\n'));
    Files.writeString(dir.resolve("identities.tsv"), sb.toString(), StandardCharsets.UTF_8);
  }
}
