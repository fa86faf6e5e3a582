package dev.facesieve.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;

/**
 * PReLU with one learned slope per channel ({@code torch.nn.PReLU(C)}, as insightface uses it):
 * {@code max(x, 0) + α_c · min(x, 0)} over axis 1 of {@code (B, C, …)}; slopes start at 0.25. DJL's
 * own {@code Prelu} learns a single slope.
 */
public final class ChannelPrelu extends AbstractBlock {
  private static final byte VERSION = 1;
  private final Parameter alpha;

  public ChannelPrelu() {
    super(VERSION);
    alpha =
        addParameter(
            Parameter.builder()
                .setName("alpha")
                .setType(Parameter.Type.OTHER)
                .optInitializer(new ConstantInitializer(0.25f))
                .build());
  }

  @Override
  protected void prepare(Shape[] inputShapes) {
    alpha.setShape(new Shape(inputShapes[0].get(1)));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray a = store.getValue(alpha, x.getDevice(), training);
    long[] shape = new long[x.getShape().dimension()];
    java.util.Arrays.fill(shape, 1);
    shape[1] = a.size();
    // An op on the parameter allocates in the parameter's long-lived manager, and so would the
    // product if the slope came first: every step would leak a full activation and, through it,
    // its autograd graph. Move the reshaped view to the batch's manager and keep x first.
    NDArray slope = a.reshape(new Shape(shape));
    slope.attach(x.getManager());
    // x where x > 0, else α_c·x. DJL keeps every array of a step until the step ends, so the op
    // count is memory: this keeps two activation-sized arrays and a boolean mask, where
    // max(x, 0) + α·min(x, 0) kept four (about 2 GB more for IResNet-50 at batch 64).
    return new NDList(NDArrays.where(x.gt(0), x, x.mul(slope)));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
