package dev.facesieve.model;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * What a run trains on: a backbone FaceSieve trains from scratch, or a frozen ONNX embedder under
 * which only the head is trained. Parsed once from the {@code --backbone} string.
 *
 * <p>{@link #toString()} gives back that string ({@code small}, {@code onnx:<file>}): it is part of
 * {@link TrainConfig#toString()}, which {@code facesieve run} hashes into its stage keys.
 */
public sealed interface BackboneSpec permits BackboneSpec.Trained, BackboneSpec.FrozenOnnx {
  /** The prefix of a frozen ONNX embedder's spec. */
  String ONNX_PREFIX = "onnx:";

  /**
   * Parses {@code onnx:<file>} or a name from {@link Backbones#NAMES}.
   *
   * @throws IllegalArgumentException for an unknown name
   */
  static BackboneSpec parse(String spec) {
    return spec.startsWith(ONNX_PREFIX)
        ? new FrozenOnnx(Path.of(spec.substring(ONNX_PREFIX.length())))
        : new Trained(spec);
  }

  /**
   * The ArcFace preprocessing a model gets when it declares none: RGB for trained backbones, BGR
   * for ONNX exports like the shared MobileFaceNet.
   */
  Preprocessing defaultPreprocessing();

  /** The value of {@code model.json}'s {@code architecture.backbone}. */
  String architectureName();

  /** A backbone trained with the head; a name from {@link Backbones#NAMES}. */
  record Trained(String name) implements BackboneSpec {
    public Trained {
      checkArgument(
          Arrays.asList(Backbones.NAMES).contains(name),
          "unknown backbone '%s'; one of %s or onnx:<file>",
          name,
          Arrays.toString(Backbones.NAMES));
    }

    @Override
    public Preprocessing defaultPreprocessing() {
      return Preprocessing.ARCFACE;
    }

    @Override
    public String architectureName() {
      return name;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** A frozen pretrained embedder: only the head is trained, on cached embeddings. */
  record FrozenOnnx(Path file) implements BackboneSpec {
    @Override
    public Preprocessing defaultPreprocessing() {
      return Preprocessing.ARCFACE_BGR;
    }

    @Override
    public String architectureName() {
      return "onnx";
    }

    @Override
    public String toString() {
      return ONNX_PREFIX + file;
    }
  }
}
