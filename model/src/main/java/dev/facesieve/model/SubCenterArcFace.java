package dev.facesieve.model;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The sub-center ArcFace head: {@code C} classes with {@code K} sub-centres each in {@code D}
 * dimensions, giving each class the cosine of its nearest sub-centre.
 *
 * <p>The weight {@code W} has shape {@code (C·K, D)}, class-major: rows {@code c·K … c·K+K−1}
 * belong to class {@code c}. Input features {@code x (B, D)} and the rows of {@code W} are
 * L2-normalised, then {@code cos θ_c = max_k (W_{c,k} · x)}: output {@code (B, C)}. Because of the
 * max, only the winning sub-centre of each class receives a gradient (Deng et al., ECCV 2020).
 *
 * <p>Partial FC: a second input {@code classes (S)} (int64 class indices) restricts the output to
 * those classes, {@code (B, S)}, gathering only their {@code S·K} rows, so that a step over 100K
 * classes touches a bounded sample of them. A third input {@code (S·K, D)} supplies those rows
 * already gathered (see {@link #rowsOf}); the trainer passes a leaf of its own there so that the
 * backward pass yields an {@code (S·K, D)} gradient instead of a dense {@code (C·K, D)} one.
 */
public final class SubCenterArcFace extends AbstractBlock {
  private static final byte VERSION = 1;

  private final int classes;
  private final int subCenters;
  private final int embeddingSize;
  private final Parameter weight;

  private SubCenterArcFace(Builder b) {
    super(VERSION);
    this.classes = b.classes;
    this.subCenters = b.subCenters;
    this.embeddingSize = b.embeddingSize;
    this.weight =
        addParameter(
            Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape((long) classes * subCenters, embeddingSize))
                .build());
  }

  public static Builder builder() {
    return new Builder();
  }

  public int classes() {
    return classes;
  }

  public int subCenters() {
    return subCenters;
  }

  public int embeddingSize() {
    return embeddingSize;
  }

  /** The {@code (C·K, D)} weight parameter (unnormalised). */
  public Parameter weight() {
    return weight;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.head();
    NDArray w = store.getValue(weight, x.getDevice(), training);
    long c = classes;
    if (inputs.size() > 2) {
      c = inputs.get(1).size();
      w = inputs.get(2);
    } else if (inputs.size() > 1) {
      NDArray cls = inputs.get(1).toType(DataType.INT64, false);
      c = cls.size();
      NDArray rows =
          cls.reshape(-1, 1)
              .mul(subCenters)
              .add(x.getManager().arange(0, subCenters, 1, DataType.INT64).reshape(1, -1))
              .reshape(-1);
      w = w.get(new NDIndex("{}", rows));
      w.attach(x.getManager());
    }
    NDArray xn = x.normalize(2, 1, 1e-12);
    // Ops on the weight allocate in the parameter's long-lived manager; attach the result to the
    // input's (per-batch) manager so it is freed with the batch.
    NDArray wn = w.normalize(2, 1, 1e-12);
    wn.attach(x.getManager());
    NDArray cos = xn.matMul(wn.transpose()); // (B, c·K)
    if (subCenters > 1) {
      cos = cos.reshape(x.getShape().get(0), c, subCenters).max(new int[] {2});
    }
    return new NDList(cos);
  }

  /** The weight rows of {@code classes}, class-major: {@code c·K … c·K+K−1} for each class. */
  public long[] rowsOf(long[] classes) {
    long[] rows = new long[classes.length * subCenters];
    for (int i = 0; i < classes.length; i++) {
      for (int k = 0; k < subCenters; k++) {
        rows[i * subCenters + k] = classes[i] * subCenters + k;
      }
    }
    return rows;
  }

  /**
   * Cosines to every sub-centre, {@code (B, C, K)}, for scoring: which sub-centre is nearest and
   * how far each sample is from each.
   */
  public NDArray allCosines(NDArray features, NDArray w) {
    NDArray cos = features.normalize(2, 1, 1e-12).matMul(w.normalize(2, 1, 1e-12).transpose());
    return cos.reshape(features.getShape().get(0), classes, subCenters);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    long c = inputShapes.length > 1 ? inputShapes[1].size() : classes;
    return new Shape[] {new Shape(inputShapes[0].get(0), c)};
  }

  @Override
  public String toString() {
    return "SubCenterArcFace(C=" + classes + ", K=" + subCenters + ", D=" + embeddingSize + ")";
  }

  /** Builder: {@code setClasses} and {@code setEmbeddingSize} are required. */
  public static final class Builder {
    private int classes = -1;
    private int subCenters = 3;
    private int embeddingSize = -1;

    public Builder setClasses(int c) {
      checkArgument(c > 0, "classes must be > 0, got %s", c);
      classes = c;
      return this;
    }

    public Builder setEmbeddingSize(int d) {
      checkArgument(d > 0, "embedding size must be > 0, got %s", d);
      embeddingSize = d;
      return this;
    }

    public Builder optSubCenters(int k) {
      checkArgument(k > 0, "K must be > 0, got %s", k);
      subCenters = k;
      return this;
    }

    public SubCenterArcFace build() {
      checkArgument(classes > 0, "setClasses is required");
      checkArgument(embeddingSize > 0, "setEmbeddingSize is required");
      return new SubCenterArcFace(this);
    }
  }
}
