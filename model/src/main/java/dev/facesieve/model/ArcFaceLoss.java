package dev.facesieve.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;

/**
 * Softmax cross-entropy over margin-adjusted, scaled cosines; returns the batch mean.
 *
 * <p>Predictions are {@code cos θ (B, C)} from {@link SubCenterArcFace}, labels class indices
 * {@code (B)}. The target logit is {@code s·(cos(m1·θ_y + m2) − m3)}, others {@code s·cos θ_j}. For
 * ArcFace ({@code m1 = 1, m3 = 0}) the target is computed without {@code acos} as {@code cos θ cos
 * m − sin θ sin m}, and where {@code θ + m > π} (i.e. {@code cos θ ≤ cos(π − m)}) as {@code cos θ −
 * m·sin m} instead, which keeps the logit decreasing in θ (insightface's {@code th}/{@code mm}).
 * Cosines are clamped to {@code [−1, 1]}; {@code sin θ} is floored at 1e-6 so that its gradient
 * stays finite at θ = 0.
 */
public final class ArcFaceLoss extends Loss {
  private final Margin margin;

  public ArcFaceLoss(Margin margin) {
    this("ArcFaceLoss", margin);
  }

  public ArcFaceLoss(String name, Margin margin) {
    super(name);
    this.margin = margin;
  }

  public Margin margin() {
    return margin;
  }

  /** Scaled logits {@code (B, C)} with the margin on each row's target class. */
  public NDArray logits(NDArray cosine, NDArray labels) {
    NDArray cos = cosine.clip(-1, 1);
    int classes = (int) cos.getShape().get(1);
    NDArray onehot =
        labels.toType(DataType.INT64, false).oneHot(classes).toType(cos.getDataType(), false);
    NDArray target;
    double m2 = margin.m2();
    if (margin.isArcFace()) {
      NDArray sin = cos.square().neg().add(1).clip(1e-12, 1).sqrt();
      NDArray phi = cos.mul(Math.cos(m2)).sub(sin.mul(Math.sin(m2)));
      target = NDArrays.where(cos.gt(Math.cos(Math.PI - m2)), phi, cos.sub(Math.sin(m2) * m2));
    } else {
      NDArray theta = cos.clip(-1 + 1e-7, 1 - 1e-7).acos();
      NDArray t = theta.mul(margin.m1()).add(m2);
      target =
          NDArrays.where(
              t.lte(Math.PI), t.cos().sub(margin.m3()), cos.sub(margin.m3() + m2 * Math.sin(m2)));
    }
    NDArray mixed = onehot.mul(target).add(onehot.neg().add(1).mul(cos));
    return mixed.mul(margin.scale());
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    NDArray y = labels.head();
    NDArray logits = logits(predictions.head(), y);
    int classes = (int) logits.getShape().get(1);
    NDArray onehot =
        y.toType(DataType.INT64, false).oneHot(classes).toType(logits.getDataType(), false);
    return logits.logSoftmax(1).mul(onehot).sum(new int[] {1}).neg().mean();
  }
}
