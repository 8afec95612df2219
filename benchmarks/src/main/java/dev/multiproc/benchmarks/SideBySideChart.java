package dev.multiproc.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The picture of {@code benchmarks/side-by-side.sh}'s table: for each row both sides measured, the
 * ratio multiproc ÷ Python (higher is better: a throughput's ratio, or Python's time over
 * multiproc's), as a bar from 1× (parity) on a logarithmic axis, with issue 9's target where it is
 * a ratio. Drawn by JFreeChart, headless, into a PNG.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.multiproc.benchmarks.SideBySideChart <results> <out.png> [subtitle]},
 * where {@code results} holds the script's {@code RESULT java|python <row> <value> <unit> ...}
 * lines (other lines are ignored). A row measured on one side only is left out.
 */
public final class SideBySideChart {

  /** One row of the table: its key, the label on the chart, and the target ratio (0: none). */
  record Row(String key, String label, double target) {}

  /** The rows in the table's order, as side-by-side.sh labels them. */
  static final List<Row> ROWS = List.of(
      new Row("map-warm", "Pool(2).map, 100,000 ints, warm", 2),
      new Row("map-long", "the same map at its peak (150 maps)", 0),
      new Row("map-first", "first map of a fresh Pool(2)", 1),
      new Row("map1", "map, chunk size 1 (20,000 ints)", 10),
      new Row("map-lists", "map over lists of 3 ints", 0),
      new Row("map-records", "map over records (Python: dataclasses)", 0),
      new Row("imap", "imap, default chunk size 1 (20,000 ints)", 0),
      new Row("submit", "submit().get(), one at a time", 0),
      new Row("queue", "Queue(): child puts 200,000 ints", 0),
      new Row("queue-bounded", "Queue(10,000), ints", 5),
      new Row("queue-to-child", "Queue(): parent puts, a child gets", 0),
      new Row("queue-to-2", "the same, two children get", 0),
      new Row("joinable", "JoinableQueue: a child gets, taskDone()", 0),
      new Row("pipe", "Pipe: a child sends, the parent receives", 0),
      new Row("pipe-to-child", "Pipe: the parent sends, a child receives", 0),
      new Row("queue-1k", "Queue(10,000), 1 KiB byte[]", 3),
      new Row("queue-1m", "Queue(16), 1 MiB byte[]", 1.5),
      new Row("pingpong", "ping-pong over two Queues", 0),
      new Row("pingpong-long", "ping-pong at its steady state", 0),
      new Row("pipe-pingpong", "ping-pong over a Pipe", 0),
      new Row("start-join", "worker start() + join()", 0),
      new Row("start-join-paced", "start() + join(), one a second", 0),
      new Row("script", "a whole short script (open, map, close)", 0));

  private SideBySideChart() {}

  /**
   * Writes the chart.
   *
   * @param args the results file, the PNG to write, and optionally a subtitle (date, machine)
   * @throws IOException if the results cannot be read or the image written
   */
  public static void main(String[] args) throws IOException {
    if (args.length < 2 || args.length > 3) {
      System.err.println("Usage: SideBySideChart <results file with RESULT lines> <out.png> [subtitle]");
      System.exit(2);
    }
    Map<String, Double> ratios = ratios(Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8));
    if (ratios.isEmpty()) {
      System.err.println("SideBySideChart: no row of " + args[0] + " was measured on both sides; no chart written.");
      System.exit(1);
    }
    write(ratios, args.length == 3 ? args[2] : "", Path.of(args[1]));
  }

  /**
   * The ratio multiproc ÷ Python of each row measured on both sides, in the table's order. For a
   * time ({@code us}, {@code ms}) it is Python's over multiproc's; for {@code start-join} Python's
   * {@code fork}.
   *
   * @param lines the script's output; lines not starting with {@code RESULT} are ignored
   * @return row key to ratio
   * @throws IllegalArgumentException on a {@code RESULT} line that does not parse, naming it
   */
  static Map<String, Double> ratios(List<String> lines) {
    Map<String, Double> java = new LinkedHashMap<>();
    Map<String, Double> python = new LinkedHashMap<>();
    Map<String, String> units = new LinkedHashMap<>();
    for (String line : lines) {
      if (!line.startsWith("RESULT ")) {
        continue;
      }
      String[] f = line.trim().split("\\s+");
      if (f.length < 5 || !(f[1].equals("java") || f[1].equals("python"))) {
        throw new IllegalArgumentException("not a 'RESULT java|python <row> <value> <unit>' line: " + line);
      }
      double value;
      try {
        value = Double.parseDouble(f[3]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a number in: " + line, e);
      }
      (f[1].equals("java") ? java : python).put(f[2], value);
      units.put(f[2], f[4]);
    }
    Map<String, Double> ratios = new LinkedHashMap<>();
    for (Row row : ROWS) {
      Double j = java.get(row.key());
      Double p = python.get(row.key());
      if (j == null || p == null || j <= 0 || p <= 0) {
        continue;
      }
      String unit = units.get(row.key());
      boolean lowerIsBetter = unit.equals("us") || unit.equals("ms");
      ratios.put(row.key(), lowerIsBetter ? p / j : j / p);
    }
    return ratios;
  }

  /**
   * Draws the ratios as a PNG.
   *
   * @param ratios row key to ratio, as {@link #ratios} gives
   * @param subtitle a line under the title (date, machine); may be empty
   * @param png where to write
   * @throws IOException if the file cannot be written
   */
  static void write(Map<String, Double> ratios, String subtitle, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    DefaultCategoryDataset bars = new DefaultCategoryDataset();
    DefaultCategoryDataset targets = new DefaultCategoryDataset();
    double low = 1;
    double high = 1;
    for (Row row : ROWS) {
      Double r = ratios.get(row.key());
      if (r == null) {
        continue;
      }
      bars.addValue(r, "multiproc ÷ Python (higher is better)", row.label());
      targets.addValue(row.target() > 0 ? row.target() : null, "issue 9's target, where it is a ratio", row.label());
      low = Math.min(low, r);
      high = Math.max(high, Math.max(r, row.target()));
    }

    LogAxis axis = new LogAxis("ratio (log scale; 1× = as fast as Python)");
    axis.setBase(2); // a tick at every doubling: ..., 0.25×, 0.5×, 1×, 2×, 4×, ...
    axis.setTickUnit(new NumberTickUnit(1));
    axis.setSmallestValue(1e-3);
    axis.setRange(low / 1.6, high * 1.6);
    axis.setNumberFormatOverride(new java.text.DecimalFormat("0.###'×'"));

    BarRenderer renderer = new BarRenderer();
    renderer.setBase(1); // bars grow from parity: right of it multiproc is faster, left of it slower
    renderer.setBarPainter(new StandardBarPainter());
    renderer.setShadowVisible(false);
    renderer.setSeriesPaint(0, new Color(0x3b6ea8));
    renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new java.text.DecimalFormat("0.00'×'")));
    renderer.setDefaultItemLabelsVisible(true);

    CategoryPlot plot = new CategoryPlot(bars, new CategoryAxis(), axis, renderer);
    plot.setOrientation(PlotOrientation.HORIZONTAL);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);

    LineAndShapeRenderer targetRenderer = new LineAndShapeRenderer(false, true);
    targetRenderer.setSeriesPaint(0, new Color(0xc0392b));
    targetRenderer.setSeriesShape(0, new java.awt.geom.Rectangle2D.Double(-1.5, -9, 3, 18));
    plot.setDataset(1, targets);
    plot.setRenderer(1, targetRenderer);

    ValueMarker parity = new ValueMarker(1, Color.BLACK, new BasicStroke(1.5f));
    parity.setLabel("Python");
    parity.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
    parity.setLabelTextAnchor(TextAnchor.TOP_LEFT);
    plot.addRangeMarker(parity, Layer.FOREGROUND);

    JFreeChart chart = new JFreeChart("multiproc's process backend against Python's multiprocessing",
        new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    if (!subtitle.isBlank()) {
      chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
    }
    Path parent = png.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 120 + 42 * bars.getColumnCount());
  }
}
