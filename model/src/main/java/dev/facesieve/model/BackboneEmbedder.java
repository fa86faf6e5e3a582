package dev.facesieve.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A backbone trained by FaceSieve, loaded from a model directory's {@code backbone.params}. */
public final class BackboneEmbedder implements Embedder {
  private final NDManager manager;
  private final Block block;
  private final Preprocessing pre;
  private final int dimension;

  private BackboneEmbedder(NDManager manager, Block block, Preprocessing pre, int dimension) {
    this.manager = manager;
    this.block = block;
    this.pre = pre;
    this.dimension = dimension;
  }

  /** Loads backbone {@code name} with embedding size {@code d} from {@code params}. */
  public static BackboneEmbedder load(Path params, String name, int d, Preprocessing pre)
      throws IOException {
    NDManager m = NDManager.newBaseManager();
    Block b = Backbones.create(name, d);
    b.initialize(m, DataType.FLOAT32, new Shape(1, 3, pre.size(), pre.size()));
    try (DataInputStream in = new DataInputStream(Files.newInputStream(params))) {
      b.loadParameters(m, in);
    } catch (MalformedModelException e) {
      m.close();
      throw new IOException(
          params + ": not parameters of a " + name + " backbone: " + e.getMessage(), e);
    }
    return new BackboneEmbedder(m, b, pre, d);
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public Preprocessing preprocessing() {
    return pre;
  }

  @Override
  public float[][] embed(BufferedImage[] images) {
    try (NDManager sub = manager.newSubManager()) {
      NDArray x = pre.toTensor(sub, images, null);
      NDArray f = block.forward(new ParameterStore(sub, false), new NDList(x), false).head();
      return Embedder.splitRows(f.normalize(2, 1, 1e-12).toFloatArray(), images.length);
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
