package dev.facesieve.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.Pair;
import dev.facesieve.model.ArcFaceLoss;
import dev.facesieve.model.Backbones;
import dev.facesieve.model.Margin;
import dev.facesieve.model.MomentumSgd;
import dev.facesieve.model.PartialFc;
import dev.facesieve.model.SubCenterArcFace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Training-step throughput of FaceSieve's DJL code: forward, backward and SGD update on random
 * tensors (no data loading), printed as one JSON line.
 *
 * <pre>
 * backbone NAME CLASSES BATCH WARMUP STEPS      # backbone + sub-center head
 * head CLASSES BATCH SAMPLE_RATE WARMUP STEPS   # head only on 512-d features
 * </pre>
 */
public final class TrainBenchmark {
  public static void main(String[] a) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    boolean head = a[0].equals("head");
    String name = head ? "head-only" : a[1];
    int o = head ? 1 : 2;
    int classes = Integer.parseInt(a[o]);
    int batch = Integer.parseInt(a[o + 1]);
    double rate = head ? Double.parseDouble(a[o + 2]) : 1.0;
    int warm = Integer.parseInt(a[head ? o + 3 : o + 2]);
    int steps = Integer.parseInt(a[head ? o + 4 : o + 3]);
    int d = 512;
    int k = 3;
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(1);
      Block backbone = null;
      List<Parameter> params = new ArrayList<>();
      if (!head) {
        backbone = Backbones.create(name, d);
        backbone.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        backbone.initialize(m, DataType.FLOAT32, new Shape(2, 3, 112, 112));
        for (Pair<String, Parameter> p : backbone.getParameters()) {
          params.add(p.getValue());
        }
      }
      SubCenterArcFace h =
          SubCenterArcFace.builder()
              .setClasses(classes)
              .setEmbeddingSize(d)
              .optSubCenters(k)
              .build();
      h.setInitializer(new NormalInitializer(0.01f), Parameter.Type.WEIGHT);
      h.initialize(m, DataType.FLOAT32, new Shape(2, d));
      // as the Trainer does: under Partial FC the head is updated row-sparse
      if (rate >= 1) {
        params.add(h.weight());
      }
      MomentumSgd sgd =
          new MomentumSgd(m, params, rate < 1 ? List.of(h.weight()) : List.of(), 0.9, 5e-4);
      ArcFaceLoss loss = new ArcFaceLoss(Margin.arcFace(64, 0.5));
      ParameterStore ps = new ParameterStore(m, false);
      SplittableRandom r = new SplittableRandom(7);
      long t0 = 0;
      for (int s = 0; s < warm + steps; s++) {
        if (s == warm) {
          t0 = System.nanoTime();
        }
        try (NDManager sub = m.newSubManager()) {
          NDArray x =
              head
                  ? sub.randomNormal(new Shape(batch, d))
                  : sub.randomNormal(new Shape(batch, 3, 112, 112));
          int[] labels = new int[batch];
          for (int i = 0; i < batch; i++) {
            labels[i] = r.nextInt(classes);
          }
          long[] target = new long[batch];
          long[] subset = rate < 1 ? PartialFc.sample(labels, classes, rate, r) : null;
          for (int i = 0; i < batch; i++) {
            target[i] =
                subset == null ? labels[i] : java.util.Arrays.binarySearch(subset, labels[i]);
          }
          PartialFc.Rows rows = subset == null ? null : PartialFc.gather(h, subset, sub);
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray f = head ? x : backbone.forward(ps, new NDList(x), true).head();
            NDList in =
                subset == null ? new NDList(f) : new NDList(f, sub.create(subset), rows.rows());
            NDArray cos = h.forward(ps, in, true).head();
            gc.backward(loss.evaluate(new NDList(sub.create(target)), new NDList(cos)));
          }
          sgd.update(0.01);
          if (rows != null) {
            sgd.updateRows(h.weight(), rows.rows(), rows.index(), 0.01);
          }
        }
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "{\"impl\": \"facesieve-djl\", \"net\": \"%s\", \"classes\": %d, \"batch\": %d, "
              + "\"sample_rate\": %s, \"steps\": %d, \"images_per_s\": %.2f, \"steps_per_s\": %.3f,"
              + " \"peak_rss_mb\": %d, \"threads\": %d}%n",
          name,
          classes,
          batch,
          rate,
          steps,
          steps * batch / secs,
          steps / secs,
          peakRssMb(),
          Runtime.getRuntime().availableProcessors());
    }
  }

  /** VmHWM of this process (Linux), in MiB; native PyTorch memory included. */
  static long peakRssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (Exception e) {
      return -1;
    }
    return -1;
  }
}
