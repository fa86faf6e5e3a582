package dev.facesieve.reports;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.util.Locale;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * The report's charts, drawn by JFreeChart onto JFreeSVG's {@code Graphics2D} and returned as
 * inline {@code <svg>} elements: crisp at any zoom, no script and no network when the page opens.
 */
final class Charts {
  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  static final int WIDTH = 720;
  static final int HEIGHT = 340;
  private static final Color DOMINANT = new Color(0x1f77b4);
  private static final Color OTHER = new Color(0xd62728);
  private static final Color THRESHOLD = new Color(0x2ca02c);
  private static final Color THIRD = new Color(0x9467bd);

  private Charts() {}

  /** Angle to the dominant sub-centre, for faces nearest it and for faces nearest another. */
  static String angleHistogram(long[] dominant, long[] other, double thresholdDeg) {
    XYSeriesCollection data = new XYSeriesCollection();
    data.addSeries(series("nearest the dominant sub-centre", dominant));
    data.addSeries(series("nearest a non-dominant sub-centre", other));
    JFreeChart chart =
        lineChart(data, "angle to the dominant sub-centre (degrees)", "faces per 1° bin");
    XYPlot plot = chart.getXYPlot();
    XYStepRenderer r = new XYStepRenderer();
    r.setSeriesPaint(0, DOMINANT);
    r.setSeriesPaint(1, OTHER);
    r.setSeriesStroke(0, new BasicStroke(1.6f));
    r.setSeriesStroke(1, new BasicStroke(1.6f));
    plot.setRenderer(r);
    fitAngles(plot, new long[][] {dominant, other}, thresholdDeg);
    integerTicks(plot.getRangeAxis());
    plot.addDomainMarker(marker(thresholdDeg, "threshold " + fmt(thresholdDeg) + "°"));
    return svg(chart);
  }

  /**
   * Faces dropped at each threshold, under each policy ({@code subclass} may be null), with the
   * chosen threshold marked.
   */
  static String sweep(
      int[] thresholds, long[] dropPy, long[] strict, long[] subclass, double chosenDeg) {
    XYSeriesCollection data = new XYSeriesCollection();
    data.addSeries(series("drop-py", thresholds, dropPy));
    data.addSeries(series("strict", thresholds, strict));
    if (subclass != null) {
      data.addSeries(series("subclass", thresholds, subclass));
    }
    JFreeChart chart = lineChart(data, "threshold (degrees)", "faces dropped");
    XYPlot plot = chart.getXYPlot();
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
    r.setSeriesPaint(0, DOMINANT);
    r.setSeriesPaint(1, OTHER);
    r.setSeriesPaint(2, THIRD);
    plot.setRenderer(r);
    integerTicks(plot.getRangeAxis());
    plot.addDomainMarker(marker(chosenDeg, "chosen " + fmt(chosenDeg) + "°"));
    return svg(chart);
  }

  /** Precision and recall against ground truth at each threshold, for one policy. */
  static String precisionRecall(int[] thresholds, double[] precision, double[] recall, double at) {
    XYSeriesCollection data = new XYSeriesCollection();
    XYSeries p = new XYSeries("precision");
    XYSeries r = new XYSeries("recall");
    for (int i = 0; i < thresholds.length; i++) {
      p.add(thresholds[i], precision[i]);
      r.add(thresholds[i], recall[i]);
    }
    data.addSeries(p);
    data.addSeries(r);
    JFreeChart chart = lineChart(data, "threshold (degrees)", "against ground truth");
    XYPlot plot = chart.getXYPlot();
    XYLineAndShapeRenderer rr = new XYLineAndShapeRenderer(true, true);
    rr.setSeriesPaint(0, DOMINANT);
    rr.setSeriesPaint(1, OTHER);
    plot.setRenderer(rr);
    plot.getRangeAxis().setRange(0, 1.02);
    plot.addDomainMarker(marker(at, "chosen " + fmt(at) + "°"));
    return svg(chart);
  }

  /**
   * The "another person" cut: angles from non-dominant sub-classes to their class's dominant one
   * beside angles from classes to their nearest other class, each as shares of its own total (so
   * that a few hundred classes compare with many thousand sub-classes), the cut marked.
   */
  static String personCut(long[] sameClassSubclass, long[] nearestOtherClass, double cutDeg) {
    XYSeriesCollection data = new XYSeriesCollection();
    data.addSeries(shares("sub-class to its class's dominant sub-class", sameClassSubclass));
    data.addSeries(shares("class to its nearest other class", nearestOtherClass));
    JFreeChart chart = lineChart(data, "angle between centroids (degrees)", "share per 1° bin");
    XYPlot plot = chart.getXYPlot();
    XYStepRenderer r = new XYStepRenderer();
    r.setSeriesPaint(0, DOMINANT);
    r.setSeriesPaint(1, OTHER);
    r.setSeriesStroke(0, new BasicStroke(1.6f));
    r.setSeriesStroke(1, new BasicStroke(1.6f));
    plot.setRenderer(r);
    fitAngles(plot, new long[][] {sameClassSubclass, nearestOtherClass}, cutDeg);
    plot.addDomainMarker(marker(cutDeg, "another person > " + fmt(cutDeg) + "°"));
    return svg(chart);
  }

  /**
   * The duplicate-identity cut: angles between the two halves of one class's person (the same
   * person twice) beside angles from classes to their nearest other class, each as shares of its
   * own total, the cut marked: classes closer than it are one person.
   */
  static String duplicateCut(long[] splitHalf, long[] nearestOtherClass, double cutDeg) {
    XYSeriesCollection data = new XYSeriesCollection();
    data.addSeries(shares("two halves of one class's person", splitHalf));
    data.addSeries(shares("class to its nearest other class", nearestOtherClass));
    JFreeChart chart = lineChart(data, "angle between centroids (degrees)", "share per 1° bin");
    XYPlot plot = chart.getXYPlot();
    XYStepRenderer r = new XYStepRenderer();
    r.setSeriesPaint(0, DOMINANT);
    r.setSeriesPaint(1, OTHER);
    r.setSeriesStroke(0, new BasicStroke(1.6f));
    r.setSeriesStroke(1, new BasicStroke(1.6f));
    plot.setRenderer(r);
    fitAngles(plot, new long[][] {splitHalf, nearestOtherClass}, cutDeg);
    plot.addDomainMarker(marker(cutDeg, "one person < " + fmt(cutDeg) + "°"));
    return svg(chart);
  }

  /**
   * The near-duplicate cut: each face's angle to the nearest other face of its class, the cut
   * marked: faces closer than it are copies of one picture.
   */
  static String nearDuplicateCut(long[] nearestFace, double cutDeg) {
    XYSeriesCollection data = new XYSeriesCollection();
    data.addSeries(series("face to the nearest other face of its class", nearestFace));
    JFreeChart chart = lineChart(data, "angle (degrees)", "faces per 1° bin");
    XYPlot plot = chart.getXYPlot();
    XYStepRenderer r = new XYStepRenderer();
    r.setSeriesPaint(0, DOMINANT);
    r.setSeriesStroke(0, new BasicStroke(1.6f));
    plot.setRenderer(r);
    fitAngles(plot, new long[][] {nearestFace}, cutDeg);
    integerTicks(plot.getRangeAxis());
    plot.addDomainMarker(marker(cutDeg, "copy < " + fmt(cutDeg) + "°"));
    return svg(chart);
  }

  /**
   * The outlier cut: leave-one-out angles of faces to their sub-class's centroid, with the median
   * and the cut marked.
   */
  static String faceCut(long[] faceDeg, double medianDeg, double cutDeg) {
    XYSeriesCollection data = new XYSeriesCollection();
    data.addSeries(series("face to its sub-class's centroid", faceDeg));
    JFreeChart chart = lineChart(data, "angle (degrees)", "faces per 1° bin");
    XYPlot plot = chart.getXYPlot();
    XYStepRenderer r = new XYStepRenderer();
    r.setSeriesPaint(0, DOMINANT);
    r.setSeriesStroke(0, new BasicStroke(1.6f));
    plot.setRenderer(r);
    fitAngles(plot, new long[][] {faceDeg}, cutDeg, medianDeg);
    integerTicks(plot.getRangeAxis());
    if (Double.isFinite(medianDeg)) {
      ValueMarker m = marker(medianDeg, "median " + fmt(medianDeg) + "°");
      m.setPaint(Color.GRAY);
      m.setLabelPaint(Color.DARK_GRAY);
      m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
      m.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
      plot.addDomainMarker(m);
    }
    plot.addDomainMarker(marker(cutDeg, "outlier > " + fmt(cutDeg) + "°"));
    return svg(chart);
  }

  /** How many classes drop what share of their faces, in 5% bins. */
  static String classDropRates(long[] bins) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (int i = 0; i < bins.length; i++) {
      data.addValue(bins[i], "classes", (i * 5) + "%");
    }
    JFreeChart chart =
        ChartFactory.createBarChart(
            null,
            "share of the class's faces dropped (5% bins)",
            "classes",
            data,
            PlotOrientation.VERTICAL,
            false,
            false,
            false);
    chart.setBackgroundPaint(Color.WHITE);
    var plot = chart.getCategoryPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(new Color(0xdddddd));
    BarRenderer r = (BarRenderer) plot.getRenderer();
    r.setBarPainter(new StandardBarPainter());
    r.setShadowVisible(false);
    r.setSeriesPaint(0, DOMINANT);
    plot.getDomainAxis().setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
    integerTicks(plot.getRangeAxis());
    return svg(chart);
  }

  /** Counts take whole-number ticks only: no "0.5 faces" on an axis of a few faces. */
  static void integerTicks(ValueAxis axis) {
    axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
  }

  /**
   * Fits an angle axis to the 1° bins that hold anything and to the marked angles, padded by 5° and
   * rounded out to multiples of 5° within 0–180°, so the data use the chart's width.
   */
  static void fitAngles(XYPlot plot, long[][] bins, double... marks) {
    double[] r = angleRange(bins, marks);
    plot.getDomainAxis().setRange(r[0], r[1]);
  }

  /** The range {@link #fitAngles} sets: {@code {low, high}} in degrees. */
  static double[] angleRange(long[][] bins, double... marks) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (long[] b : bins) {
      for (int i = 0; i < b.length; i++) {
        if (b[i] != 0) {
          lo = Math.min(lo, i);
          hi = Math.max(hi, i + 1);
        }
      }
    }
    for (double m : marks) {
      if (Double.isFinite(m)) {
        lo = Math.min(lo, m);
        hi = Math.max(hi, m);
      }
    }
    if (lo > hi) {
      return new double[] {0, 180};
    }
    return new double[] {
      Math.max(0, Math.floor((lo - 5) / 5) * 5), Math.min(180, Math.ceil((hi + 5) / 5) * 5)
    };
  }

  private static XYSeries series(String name, long[] counts) {
    XYSeries s = new XYSeries(name);
    for (int i = 0; i < counts.length; i++) {
      s.add(i, counts[i]);
    }
    return s;
  }

  private static XYSeries shares(String name, long[] counts) {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    XYSeries s = new XYSeries(name);
    for (int i = 0; i < counts.length; i++) {
      s.add(i, total == 0 ? 0.0 : counts[i] / (double) total);
    }
    return s;
  }

  private static XYSeries series(String name, int[] x, long[] y) {
    XYSeries s = new XYSeries(name);
    for (int i = 0; i < x.length; i++) {
      s.add(x[i], y[i]);
    }
    return s;
  }

  private static ValueMarker marker(double x, String label) {
    ValueMarker m =
        new ValueMarker(
            x,
            THRESHOLD,
            new BasicStroke(
                1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {6f, 4f}, 0f));
    m.setLabel(label);
    m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
    m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
    m.setLabelPaint(THRESHOLD.darker());
    return m;
  }

  /** An XY line chart with a legend on white, light grid lines, no title. */
  private static JFreeChart lineChart(XYSeriesCollection data, String xLabel, String yLabel) {
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            null, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
    chart.setBackgroundPaint(Color.WHITE);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xdddddd));
    plot.setRangeGridlinePaint(new Color(0xdddddd));
    return chart;
  }

  private static String svg(JFreeChart chart) {
    SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
    chart.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
    return g.getSVGElement();
  }

  static String fmt(double v) {
    // one decimal at most: a histogram edge like 26.200000000000003 reads 26.2
    return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
  }
}
