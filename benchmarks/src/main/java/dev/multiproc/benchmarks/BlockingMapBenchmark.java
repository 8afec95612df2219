package dev.multiproc.benchmarks;

import dev.multiproc.TaskFunction;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code Pool.map} of tasks that block: {@code tasks} items, each sleeping {@code sleepMillis}
 * (standing in for I/O), one item per task ({@code chunkSize} 1, as one maps blocking work). The
 * pool is made once per trial, so this is the cost of a map, not of starting workers.
 *
 * <p>Pool sizes: 100, a usual size for a platform-thread pool doing I/O (the floor is then
 * {@code tasks / 100 * sleepMillis} = 1 s); 10,000, one worker per task (floor {@code sleepMillis}
 * = 10 ms), the size virtual threads make cheap and that costs 10,000 OS threads on {@code thread}.
 * The ideal time is the floor; the score says how far from it each backend and baseline is.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BlockingMapBenchmark {

  @Param({"thread", "virtual-thread", Mapper.JUC_FIXED, Mapper.JUC_VIRTUAL})
  public String backend;

  @Param({"100", "10000"})
  public int workers;

  @Param("10000")
  public int tasks;

  @Param("10")
  public int sleepMillis;

  private Mapper mapper;
  private List<Integer> items;
  private TaskFunction<Integer, Integer> sleep;

  @Setup(Level.Trial)
  public void setUp() {
    mapper = Mapper.open(backend, workers);
    items = IntStream.range(0, tasks).boxed().toList();
    long millis = sleepMillis;
    sleep = i -> {
      Thread.sleep(millis);
      return i;
    };
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    mapper.close();
  }

  @Benchmark
  public List<Integer> map() throws Exception {
    return mapper.map(sleep, items, 1);
  }
}
