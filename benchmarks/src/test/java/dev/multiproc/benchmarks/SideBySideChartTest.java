package dev.multiproc.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** side-by-side.sh's chart: the ratios it computes from RESULT lines, and a real PNG of them. */
class SideBySideChartTest {

  private static final List<String> RESULTS = List.of(
      "== map-warm",
      "RESULT java map-warm 2270000.0 items/s   best of 5 after 2 warm-ups; rounds: [...]",
      "RESULT python map-warm 5910000.0 items/s   best of 5",
      "RESULT java pingpong 157.0 us   median of 5",
      "RESULT python pingpong 94.2 us   median of 5",
      "RESULT java start-join 132.8 ms   median",
      "RESULT python start-join 16.0 ms   fork",
      "RESULT python start-join-spawn 113.7 ms   spawn",
      "RESULT java queue-1m 419.0 MB/s   median of 3",
      "RESULT java floor-rtt 23.0 us   no Python side");

  @Test
  void ratiosAreHigherIsBetterAndOnlyForRowsMeasuredOnBothSides() {
    Map<String, Double> ratios = SideBySideChart.ratios(RESULTS);

    assertThat(ratios).containsOnlyKeys("map-warm", "pingpong", "start-join");
    assertThat(List.copyOf(ratios.keySet())).as("the table's order").containsExactly("map-warm", "pingpong", "start-join");
    assertThat(ratios.get("map-warm")).isCloseTo(2.27 / 5.91, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(ratios.get("pingpong")).as("a time: Python's over multiproc's").isCloseTo(94.2 / 157.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(ratios.get("start-join")).as("against fork").isCloseTo(16.0 / 132.8, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void aBrokenResultLineIsNamed() {
    assertThatThrownBy(() -> SideBySideChart.ratios(List.of("RESULT java map-warm fast items/s")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RESULT java map-warm fast items/s");
  }

  @Test
  void writesAPngWithABarPerRow(@TempDir Path tmp) throws Exception {
    Path png = tmp.resolve("chart/side-by-side.png");

    SideBySideChart.write(SideBySideChart.ratios(RESULTS), "a test, 2 cores", png);

    assertThat(png).isRegularFile();
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image).as("a PNG the JDK can read").isNotNull();
    assertThat(image.getWidth()).isEqualTo(900);
    assertThat(image.getHeight()).isEqualTo(120 + 42 * 3);
    assertThat(Files.size(png)).isGreaterThan(5_000);
    // The bars' colour is there: the chart drew data, not only a frame.
    int bar = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xffffff) == 0x3b6ea8) {
          bar++;
        }
      }
    }
    assertThat(bar).as("pixels of the bars' colour").isGreaterThan(1_000);
  }
}
