package dev.facesieve.datasets.input;

import dev.facesieve.datasets.NoiseKind;
import dev.facesieve.datasets.SourceRef;
import javax.annotation.Nullable;

/**
 * A labelled image as read from an input, before it is decoded and checked.
 *
 * @param truth ground-truth noise kind when known
 * @param trueIdentity the identity the image really shows when the ground truth names it
 * @param trueDuplicateOf the id of the face this image copies, when the ground truth says so
 */
public record RawFace(
    String id,
    int label,
    String identity,
    byte[] image,
    SourceRef source,
    @Nullable float[] landmarks,
    @Nullable NoiseKind truth,
    @Nullable String trueIdentity,
    @Nullable String trueDuplicateOf) {}
