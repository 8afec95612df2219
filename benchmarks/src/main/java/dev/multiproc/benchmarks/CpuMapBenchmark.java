package dev.multiproc.benchmarks;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code Pool.map} of trivial CPU tasks: the engine's own cost per item. The score is items per
 * second ({@value #ITEMS} items per map). {@code chunk} 0 is Python's default
 * ({@code ceil(n / (4 * workers))}, here 12,500 items per task); {@code chunk} 1 makes every item a
 * task of its own, so the score is the per-task overhead. The pool has one worker per core.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(CpuMapBenchmark.ITEMS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CpuMapBenchmark {

  static final int ITEMS = 100_000;

  @Param({"thread", "virtual-thread", Mapper.JUC_FIXED, Mapper.JUC_VIRTUAL})
  public String backend;

  @Param({"0", "1"})
  public int chunk;

  private Mapper mapper;
  private List<Integer> items;

  @Setup(Level.Trial)
  public void setUp() {
    mapper = Mapper.open(backend, Runtime.getRuntime().availableProcessors());
    items = IntStream.range(0, ITEMS).boxed().toList();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    mapper.close();
  }

  @Benchmark
  public List<Integer> map() throws Exception {
    return mapper.map(CpuMapBenchmark::mix, items, chunk);
  }

  /** A few nanoseconds of arithmetic (a MurmurHash3 finalizer). */
  static Integer mix(Integer item) {
    int h = item;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    return h ^ (h >>> 16);
  }
}
