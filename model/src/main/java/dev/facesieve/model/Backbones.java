package dev.facesieve.model;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import java.util.Arrays;
import java.util.Locale;

/**
 * Face-embedding backbones for 112×112 RGB input normalised as {@code (x − 127.5) / 128}, output
 * {@code (B, D)} features (not normalised; the head normalises).
 *
 * <p>{@code iresnet18/34/50/100} follow insightface's {@code iresnet.py}: a 3×3 stem, four stages
 * of IBasicBlocks {@code BN → Conv3×3 → BN → PReLU → Conv3×3(stride) → BN} (+ 1×1 projection when
 * the shape changes) halving 112 → 7, then {@code BN → Dropout → FC(512·7·7 → D) → BN}. {@code
 * mobilefacenet} follows insightface's MobileFaceNet (depthwise bottlenecks, a 7×7 global depthwise
 * conv). {@code small} is a 4-stage plain CNN for CPU runs and tests.
 */
public final class Backbones {
  private Backbones() {}

  /**
   * The input-channel multiple that keeps oneDNN's blocked convolutions free of channel padding (16
   * floats, one AVX-512 register; a multiple of AVX2's 8). Convolutions over more than 4 input
   * channels per group use a multiple of it.
   */
  static final int CHANNEL_BLOCK = 16;

  /** The backbone names {@link #create} accepts. */
  public static final String[] NAMES = {
    "small", "mobilefacenet", "iresnet18", "iresnet34", "iresnet50", "iresnet100"
  };

  /** Builds a backbone by name with embedding size {@code d}. */
  public static Block create(String name, int d) {
    checkArgument(d > 0, "embedding size must be > 0, got %s", d);
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "small" -> small(d);
      case "mobilefacenet" -> mobileFaceNet(d);
      case "iresnet18" -> iresnet(new int[] {2, 2, 2, 2}, d);
      case "iresnet34" -> iresnet(new int[] {3, 4, 6, 3}, d);
      case "iresnet50" -> iresnet(new int[] {3, 4, 14, 3}, d);
      case "iresnet100" -> iresnet(new int[] {3, 13, 30, 3}, d);
      default ->
          throw new IllegalArgumentException(
              "unknown backbone '"
                  + name
                  + "'; one of "
                  + Arrays.toString(NAMES)
                  + " or onnx:<file>");
    };
  }

  static Block conv(int filters, int kernel, int stride, int groups) {
    return Conv2d.builder()
        .setKernelShape(new Shape(kernel, kernel))
        .setFilters(filters)
        .optStride(new Shape(stride, stride))
        .optPadding(new Shape(kernel / 2, kernel / 2))
        .optGroups(groups)
        .optBias(false)
        .build();
  }

  static Block bn() {
    return BatchNorm.builder().optEpsilon(1e-5f).optMomentum(0.9f).build();
  }

  static Block prelu() {
    return new ChannelPrelu();
  }

  static Block residual(Block main, Block shortcut) {
    return new ParallelBlock(
        l -> new NDList(l.get(0).singletonOrThrow().add(l.get(1).singletonOrThrow())),
        Arrays.asList(main, shortcut));
  }

  static Block head(int d, int channels) {
    return new SequentialBlock()
        .add(bn())
        .add(Dropout.builder().optRate(0f).build())
        .add(Blocks.batchFlattenBlock())
        .add(Linear.builder().setUnits(d).build())
        .add(bn());
  }

  /**
   * Four stride-2 conv stages 112 → 7 (about 66M multiply-adds an image, a seventieth of
   * IResNet-50), then the embedding head.
   *
   * <p>Every width is a multiple of 16 ({@link #CHANNEL_BLOCK}): PyTorch's oneDNN convolution
   * (2.7.1, AVX-512) reorders a weight with {@code C_in} not a multiple of 16 into a channel-padded
   * buffer whose padding it does not zero, so a 24-channel input picked up whatever freed memory
   * held there, and whole output channels came out NaN, depending on the process's allocation
   * history (see {@code ConvChannelPaddingTest}).
   */
  static Block small(int d) {
    SequentialBlock b = new SequentialBlock();
    int[] widths = {32, 48, 96, 128};
    for (int i = 0; i < widths.length; i++) {
      b.add(conv(widths[i], 3, 2, 1)).add(bn()).add(prelu());
      if (i > 0) {
        b.add(conv(widths[i], 3, 1, 1)).add(bn()).add(prelu());
      }
    }
    return b.add(head(d, 128));
  }

  static Block iresnet(int[] layers, int d) {
    SequentialBlock b = new SequentialBlock();
    b.add(conv(64, 3, 1, 1)).add(bn()).add(prelu());
    int in = 64;
    int[] planes = {64, 128, 256, 512};
    for (int stage = 0; stage < 4; stage++) {
      for (int i = 0; i < layers[stage]; i++) {
        int stride = i == 0 ? 2 : 1;
        int out = planes[stage];
        Block main =
            new SequentialBlock()
                .add(bn())
                .add(conv(out, 3, 1, 1))
                .add(bn())
                .add(prelu())
                .add(conv(out, 3, stride, 1))
                .add(bn());
        Block shortcut =
            stride != 1 || in != out
                ? new SequentialBlock().add(conv1x1(out, stride)).add(bn())
                : Blocks.identityBlock();
        b.add(residual(main, shortcut));
        in = out;
      }
    }
    return b.add(head(d, 512));
  }

  static Block conv1x1(int filters, int stride) {
    return Conv2d.builder()
        .setKernelShape(new Shape(1, 1))
        .setFilters(filters)
        .optStride(new Shape(stride, stride))
        .optBias(false)
        .build();
  }

  /** 1×1 expand → depthwise 3×3 (stride) → 1×1 linear projection. */
  static Block depthWise(int out, int stride, int groups) {
    return new SequentialBlock()
        .add(conv1x1(groups, 1))
        .add(bn())
        .add(prelu())
        .add(conv(groups, 3, stride, groups))
        .add(bn())
        .add(prelu())
        .add(conv1x1(out, 1))
        .add(bn());
  }

  static Block mobileFaceNet(int d) {
    SequentialBlock b = new SequentialBlock();
    b.add(conv(64, 3, 2, 1)).add(bn()).add(prelu()); // 56
    b.add(conv(64, 3, 1, 64)).add(bn()).add(prelu());
    b.add(depthWise(64, 2, 128)); // 28
    for (int i = 0; i < 4; i++) {
      b.add(residual(depthWise(64, 1, 128), Blocks.identityBlock()));
    }
    b.add(depthWise(128, 2, 256)); // 14
    for (int i = 0; i < 6; i++) {
      b.add(residual(depthWise(128, 1, 256), Blocks.identityBlock()));
    }
    b.add(depthWise(128, 2, 512)); // 7
    for (int i = 0; i < 2; i++) {
      b.add(residual(depthWise(128, 1, 256), Blocks.identityBlock()));
    }
    b.add(conv1x1(512, 1)).add(bn()).add(prelu());
    b.add(
        Conv2d.builder()
            .setKernelShape(new Shape(7, 7))
            .setFilters(512)
            .optGroups(512)
            .optBias(false)
            .build()); // global depthwise 7×7 → 1×1
    b.add(bn());
    b.add(Blocks.batchFlattenBlock());
    b.add(Linear.builder().setUnits(d).build());
    return b.add(bn());
  }
}
