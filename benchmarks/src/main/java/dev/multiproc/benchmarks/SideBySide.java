package dev.multiproc.benchmarks;

import dev.multiproc.Backend;
import dev.multiproc.Connection;
import dev.multiproc.JoinableQueue;
import dev.multiproc.Multiproc;
import dev.multiproc.Pipe;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import dev.multiproc.TaskFunction;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * The process backend's side of the side-by-side comparison with Python's {@code multiprocessing}
 * ({@code benchmarks/python/mp_side_by_side.py} does the same work with the same names and sizes;
 * {@code benchmarks/side-by-side.sh} runs both and prints the table). Each measurement prints one
 * line {@code RESULT <name> <value> <unit>   <detail>}.
 *
 * <ul>
 *   <li>{@code map-warm}: {@code Pool(2).map(x -> x * x, 100,000 ints)}, default chunks, best of 5
 *       after 2 warm-up maps (items/s)
 *   <li>{@code map-first}: the first map of a fresh {@code Pool(2)}, median of 5 fresh pools (items/s)
 *   <li>{@code map1}: {@code Pool(2).map} of 20,000 ints with chunk size 1, best of 5 after 2 (items/s)
 *   <li>{@code map-lists}: {@code Pool(2).map(l -> l.get(0) + l.get(1) + l.get(2), 100,000 List.of(i, i + 1, i + 2))},
 *       default chunks, best of 5 after 2 (items/s)
 *   <li>{@code map-records}: {@code Pool(2).map(p -> new Point(p.y(), p.x(), p.name()), 100,000 Points)}, a
 *       record of two ints and a string (Python: a dataclass), best of 5 after 2 (items/s)
 *   <li>{@code imap}: {@code Pool(2).imap(x -> x * x, 20,000 ints)} with the default chunk size (1, as
 *       Python's), consumed to the end; best of 5 after 2 (items/s)
 *   <li>{@code submit}: {@code Pool(2).submit(() -> 1).get()}, one at a time: 5 rounds of 2,000 on
 *       one pool, the median round (µs per round trip)
 *   <li>{@code queue}: an unbounded {@code Queue}, a child puts 200,000 ints, the parent gets them;
 *       median of 3 rounds (items/s)
 *   <li>{@code queue-bounded}: the same through {@code Queue(10,000)} (items/s)
 *   <li>{@code queue-to-child}: the other way: the parent puts 200,000 ints on a {@code Queue()}, a
 *       child gets them; each of 3 rounds timed until the child has all (items/s)
 *   <li>{@code queue-to-2}: the same with two children getting, a task queue's usual shape (items/s)
 *   <li>{@code pipe}: a child sends 200,000 ints on a {@code Pipe} end, the parent receives them;
 *       3 rounds on one pipe and child (items/s)
 *   <li>{@code pipe-to-child}: the other way: the parent sends 200,000 ints, a child receives them;
 *       each of 3 rounds timed until the child's sum arrives (items/s)
 *   <li>{@code joinable}: the parent puts 200,000 ints on a {@code JoinableQueue()}, a child gets each
 *       and calls {@code taskDone()}; each of 3 rounds timed until the parent's {@code join()} returns (items/s)
 *   <li>{@code queue-1k}: {@code Queue(10,000)}, 100,000 random 1 KiB {@code byte[]} items (items/s)
 *   <li>{@code queue-1m}: {@code Queue(16)}, 256 random 1 MiB {@code byte[]} items a round (MB/s)
 *   <li>{@code pingpong}: two queues, parent → child → parent, 5 × 2,000 round trips after 500 (µs)
 *   <li>{@code pingpong-long}: the same at its steady state: the last 5 of 20 × 2,000 round trips (µs)
 *   <li>{@code pipe-pingpong}: a {@code Pipe}, the parent sends on one end, a child echoes from the
 *       other: 5 × 2,000 round trips after 500 (µs)
 *   <li>{@code start-join}: {@code newWorker(() -> {}).start(); join()}, median of 10 after one (ms)
 *   <li>{@code start-join-paced}: the same with a second's pause (untimed) before each (ms)
 *   <li>floors, no library involved ({@link FloorMain}): {@code floor-jvm-start} a bare JVM's
 *       start-and-echo (ms), {@code floor-jvm-exit} its start and exit (ms), {@code floor-pipe-msgs}
 *       a child writing 200,000 messages of 20 bytes, one write each (messages/s),
 *       {@code floor-pipe-mb} a child writing 256 MiB in 1 MiB writes (MB/s), {@code floor-pipe-4k}
 *       the same in 4 KiB writes (the frame channel's PIPE_BUF pieces) (MB/s), {@code floor-rtt} a
 *       one-byte round trip through a child's stdin and stdout (µs)
 * </ul>
 *
 * Usage: {@code java -cp benchmarks.jar dev.multiproc.benchmarks.SideBySide [what...]} (default all).
 * The library's measurements show their rounds on stderr ({@link Progress}), drawn between the
 * timed rounds, never during one; stdout has only the {@code RESULT} lines.
 */
public final class SideBySide {

  /**
   * The queue rows' payloads, in a class of their own: a task's lambda is rebuilt in the child by
   * this class's {@code $deserializeLambda$}, which initializes it, and 1 MiB of random bytes made
   * there cost every worker and every pool child 10-20 ms that no user program would pay.
   */
  private static final class Payloads {
    static final byte[] KIB = random(1024, 1);
    static final byte[] MIB = random(1 << 20, 2);
  }

  private SideBySide() {}

  @FunctionalInterface
  private interface Measurement {
    void run(Backend backend) throws Exception;
  }

  private static Map<String, Measurement> measurements() {
    Map<String, Measurement> m = new LinkedHashMap<>();
    m.put("map-warm", b -> mapWarm(b, "map-warm", 100_000, 0));
    m.put("map-first", b -> mapFirst(b, 100_000));
    m.put("map-long", b -> mapLong(b, 100_000, 150));
    m.put("map1", b -> mapWarm(b, "map1", 20_000, 1));
    m.put("map-lists", b -> mapObjects(b, "map-lists", IntStream.range(0, 100_000).mapToObj(i -> List.of(i, i + 1, i + 2)).toList(),
        l -> l.get(0) + l.get(1) + l.get(2), 3 * 99_999 + 3));
    m.put("map-records", b -> mapObjects(b, "map-records", IntStream.range(0, 100_000).mapToObj(i -> new Point(i, -i, "p" + i)).toList(),
        p -> new Point(p.y(), p.x(), p.name()), new Point(-99_999, 99_999, "p99999")));
    m.put("imap", b -> imap(b, 20_000));
    m.put("submit", b -> submit(b, 5, 2_000));
    m.put("queue", b -> queue(b, "queue", 0, 200_000, null, 3));
    m.put("queue-bounded", b -> queue(b, "queue-bounded", 10_000, 200_000, null, 3));
    m.put("queue-to-child", b -> queueToChildren(b, "queue-to-child", 1, 200_000, 3));
    m.put("queue-to-2", b -> queueToChildren(b, "queue-to-2", 2, 200_000, 3));
    m.put("joinable", b -> joinable(b, 200_000, 3));
    m.put("pipe", b -> pipe(b, 200_000, 3));
    m.put("pipe-to-child", b -> pipeToChild(b, 200_000, 3));
    m.put("queue-1k", b -> queue(b, "queue-1k", 10_000, 100_000, Payloads.KIB, 3));
    m.put("queue-1m", b -> queue(b, "queue-1m", 16, 256, Payloads.MIB, 3));
    m.put("pingpong", b -> pingPong(b, "pingpong", 5));
    m.put("pingpong-long", b -> pingPong(b, "pingpong-long", 20));
    m.put("pipe-pingpong", b -> pipePingPong(b, 5));
    m.put("start-join", b -> startJoin(b, "start-join", 0));
    m.put("start-join-paced", b -> startJoin(b, "start-join-paced", 1000));
    m.put("script", b -> script());
    m.put("floor-jvm-start", b -> floorJvm("floor-jvm-start", "echo"));
    m.put("floor-jvm-exit", b -> floorJvm("floor-jvm-exit", "exit"));
    m.put("floor-pipe-msgs", b -> floorPipe("floor-pipe-msgs", 200_000, 20));
    m.put("floor-pipe-mb", b -> floorPipe("floor-pipe-mb", 256, 1 << 20));
    m.put("floor-pipe-4k", b -> floorPipe("floor-pipe-4k", 65_536, 4096));
    m.put("floor-rtt", b -> floorRtt());
    return m;
  }

  /**
   * Runs the measurements.
   *
   * @param args the measurements to run (default all)
   * @throws Exception if a measurement fails
   */
  public static void main(String[] args) throws Exception {
    Map<String, Measurement> all = measurements();
    List<String> what = args.length > 0 ? Arrays.asList(args) : List.copyOf(all.keySet());
    for (String w : what) {
      if (!all.containsKey(w)) {
        throw new IllegalArgumentException("unknown measurement " + w + "; use one of " + all.keySet());
      }
    }
    try (Backend backend = Multiproc.open("process")) {
      for (String w : what) {
        all.get(w).run(backend);
      }
    }
  }

  private static void mapWarm(Backend backend, String name, int n, int chunk) {
    List<Integer> items = IntStream.range(0, n).boxed().toList();
    double[] rates = new double[7];
    try (Pool pool = backend.newPool(PoolOptions.builder().workers(2).build()); Progress progress = Progress.of(name, rates.length)) {
      for (int r = 0; r < rates.length; r++) {
        rates[r] = map(pool, items, chunk);
        progress.step();
      }
    }
    double best = Arrays.stream(rates, 2, rates.length).max().orElseThrow();
    report(name, best, "items/s", "best of 5 after 2 warm-ups; " + rounds(rates));
  }

  /** An item of {@code map-records}: Python's side maps a dataclass of the same fields. */
  public record Point(int x, int y, String name) implements java.io.Serializable {}

  /** {@code Pool(2).map(fn, items)}, default chunks, best of 5 after 2; {@code last} is fn of the last item. */
  private static <T, R> void mapObjects(Backend backend, String name, List<T> items, TaskFunction<T, R> fn, R last) {
    int n = items.size();
    double[] rates = new double[7];
    try (Pool pool = backend.newPool(PoolOptions.builder().workers(2).build()); Progress progress = Progress.of(name, rates.length)) {
      for (int r = 0; r < rates.length; r++) {
        long t0 = System.nanoTime();
        List<R> out = pool.map(fn, items);
        rates[r] = n / ((System.nanoTime() - t0) / 1e9);
        if (!out.get(n - 1).equals(last)) {
          throw new AssertionError("wrong result");
        }
        progress.step();
      }
    }
    double best = Arrays.stream(rates, 2, rates.length).max().orElseThrow();
    report(name, best, "items/s", "best of 5 after 2 warm-ups; " + rounds(rates));
  }

  private static void imap(Backend backend, int n) {
    List<Integer> items = IntStream.range(0, n).boxed().toList();
    double[] rates = new double[7];
    try (Pool pool = backend.newPool(PoolOptions.builder().workers(2).build()); Progress progress = Progress.of("imap", rates.length)) {
      for (int r = 0; r < rates.length; r++) {
        long t0 = System.nanoTime();
        long last = -1;
        for (Iterator<Integer> it = pool.imap(x -> x * x, items); it.hasNext(); ) {
          last = it.next();
        }
        rates[r] = n / ((System.nanoTime() - t0) / 1e9);
        if (last != (long) (n - 1) * (n - 1)) {
          throw new AssertionError("wrong result");
        }
        progress.step();
      }
    }
    double best = Arrays.stream(rates, 2, rates.length).max().orElseThrow();
    report("imap", best, "items/s", "best of 5 after 2 warm-ups; " + rounds(rates));
  }

  private static void submit(Backend backend, int rounds, int n) throws Exception {
    double[] us = new double[rounds];
    try (Pool pool = backend.newPool(PoolOptions.builder().workers(2).build()); Progress progress = Progress.of("submit", rounds)) {
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          if (pool.submit(() -> 1).get() != 1) {
            throw new AssertionError("wrong result");
          }
        }
        us[r] = (System.nanoTime() - t0) / 1e3 / n;
        progress.step();
      }
    }
    report("submit", median(us), "us", "median of " + rounds + " x " + n + " round trips; " + rounds(us));
  }

  /** The warm map once both sides are at their peak: {@code maps} maps on one pool, median of the last 20. */
  private static void mapLong(Backend backend, int n, int maps) {
    List<Integer> items = IntStream.range(0, n).boxed().toList();
    double[] rates = new double[maps];
    try (Pool pool = backend.newPool(PoolOptions.builder().workers(2).build())) {
      for (int r = 0; r < rates.length; r++) {
        rates[r] = map(pool, items, 0);
      }
    }
    double[] last = Arrays.copyOfRange(rates, maps - 20, maps);
    report("map-long", median(last), "items/s", "median of the last 20 of " + maps + " maps on one pool; " + rounds(last));
  }

  private static void mapFirst(Backend backend, int n) {
    List<Integer> items = IntStream.range(0, n).boxed().toList();
    double[] rates = new double[5];
    try (Progress progress = Progress.of("map-first", rates.length)) {
      for (int r = 0; r < rates.length; r++) {
        try (Pool pool = backend.newPool(PoolOptions.builder().workers(2).build())) {
          rates[r] = map(pool, items, 0);
        }
        progress.step();
      }
    }
    report("map-first", median(rates), "items/s", "median of 5 fresh pools; " + rounds(rates));
  }

  private static double map(Pool pool, List<Integer> items, int chunk) {
    int n = items.size();
    long t0 = System.nanoTime();
    List<Integer> out = chunk == 0 ? pool.map(x -> x * x, items) : pool.map(x -> x * x, items, chunk);
    double rate = n / ((System.nanoTime() - t0) / 1e9);
    if (out.get(n - 1) != (n - 1) * (n - 1)) {
      throw new AssertionError("wrong result");
    }
    return rate;
  }

  /**
   * One producer child puts {@code rounds * n} items ({@code ints}, or {@code item} again and
   * again); each round times the parent getting {@code n}.
   */
  private static void queue(Backend backend, String name, int maxSize, int n, byte[] item, int rounds)
      throws Exception {
    Queue<Object> q = backend.newQueue(maxSize);
    int total = rounds * n;
    Worker w = backend.newWorker(() -> {
      for (int i = 0; i < total; i++) {
        q.put(item == null ? (Object) i : item);
      }
    }, WorkerOptions.defaults()).start();
    double[] rates = new double[rounds];
    long sum = 0;
    try (Progress progress = Progress.of(name, rounds)) {
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          Object o = q.get();
          sum += item == null ? (Integer) o : check((byte[]) o, item);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        rates[r] = item != null && item.length >= 1 << 20 ? (double) n * item.length / 1e6 / seconds : n / seconds;
        progress.step();
      }
    }
    w.join();
    long expected = item == null ? (long) total * (total - 1) / 2 : (long) total * item.length;
    if (sum != expected || w.exitCode().orElse(-1) != 0) {
      throw new AssertionError("lost items or the producer failed: " + w);
    }
    String unit = item != null && item.length >= 1 << 20 ? "MB/s" : "items/s";
    report(name, median(rates), unit, "median of " + rounds + "; " + rounds(rates));
  }

  /**
   * The parent puts {@code n} ints a round on a {@code Queue()} that {@code consumers} children get
   * from, then one end mark per child; a round ends when every child has said how many it took (a
   * child that took its mark takes nothing more until told to go on).
   */
  private static void queueToChildren(Backend backend, String name, int consumers, int n, int rounds)
      throws Exception {
    Queue<Integer> q = backend.newQueue(0);
    Queue<long[]> took = backend.newQueue(0);
    Queue<Integer> go = backend.newQueue(0);
    List<Worker> workers = new ArrayList<>();
    for (int c = 0; c < consumers; c++) {
      workers.add(backend.newWorker(() -> {
        long count = 0;
        long sum = 0;
        for (int x = q.get(); x != -1; x = q.get()) {
          if (x == -2) { // end of a round: report, and take no more until every child has
            took.put(new long[] {count, sum});
            count = 0;
            sum = 0;
            go.get();
          } else {
            count++;
            sum += x;
          }
        }
      }, WorkerOptions.defaults()).start());
    }
    double[] rates = new double[rounds];
    try (Progress progress = Progress.of(name, rounds)) {
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          q.put(i);
        }
        for (int c = 0; c < consumers; c++) {
          q.put(-2);
        }
        long count = 0;
        long sum = 0;
        for (int c = 0; c < consumers; c++) {
          long[] t = took.get();
          count += t[0];
          sum += t[1];
        }
        rates[r] = n / ((System.nanoTime() - t0) / 1e9);
        if (count != n || sum != (long) n * (n - 1) / 2) {
          throw new AssertionError("lost or duplicated items: " + count);
        }
        for (int c = 0; c < consumers; c++) {
          go.put(0);
        }
        progress.step();
      }
    }
    for (int c = 0; c < consumers; c++) {
      q.put(-1);
    }
    for (Worker w : workers) {
      w.join();
    }
    report(name, median(rates), "items/s", "median of " + rounds + "; " + rounds(rates));
  }

  /** A child sends {@code rounds * n} ints on a pipe; each round times the parent receiving {@code n}. */
  private static void pipe(Backend backend, int n, int rounds) throws Exception {
    Pipe<Integer> pipe = backend.newPipe();
    Connection<Integer> theirs = pipe.left();
    int total = rounds * n;
    Worker w = backend.newWorker(() -> {
      for (int i = 0; i < total; i++) {
        theirs.send(i);
      }
    }, WorkerOptions.defaults()).start();
    Connection<Integer> mine = pipe.right();
    double[] rates = new double[rounds];
    long sum = 0;
    try (Progress progress = Progress.of("pipe", rounds)) {
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          sum += mine.recv();
        }
        rates[r] = n / ((System.nanoTime() - t0) / 1e9);
        progress.step();
      }
    }
    w.join();
    if (sum != (long) total * (total - 1) / 2 || w.exitCode().orElse(-1) != 0) {
      throw new AssertionError("lost items or the sender failed: " + w);
    }
    report("pipe", median(rates), "items/s", "median of " + rounds + "; " + rounds(rates));
  }

  /** The parent sends {@code n} ints a round on a pipe end, a child receives them; timed until the child's sum arrives. */
  private static void pipeToChild(Backend backend, int n, int rounds) throws Exception {
    Pipe<Integer> pipe = backend.newPipe();
    Connection<Integer> theirs = pipe.right();
    Queue<Long> sums = backend.newQueue(0);
    Worker w = backend.newWorker(() -> {
      for (int r = 0; r < rounds; r++) {
        long sum = 0;
        for (int i = 0; i < n; i++) {
          sum += theirs.recv();
        }
        sums.put(sum);
      }
    }, WorkerOptions.defaults()).start();
    Connection<Integer> mine = pipe.left();
    double[] rates = new double[rounds];
    try (Progress progress = Progress.of("pipe-to-child", rounds)) {
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          mine.send(i);
        }
        long sum = sums.get();
        rates[r] = n / ((System.nanoTime() - t0) / 1e9);
        if (sum != (long) n * (n - 1) / 2) {
          throw new AssertionError("lost items: " + sum);
        }
        progress.step();
      }
    }
    w.join();
    report("pipe-to-child", median(rates), "items/s", "median of " + rounds + "; " + rounds(rates));
  }

  /** The parent puts {@code n} ints a round on a joinable queue that a child drains with {@code taskDone()}; timed to {@code join()}. */
  private static void joinable(Backend backend, int n, int rounds) throws Exception {
    JoinableQueue<Integer> q = backend.newJoinableQueue(0);
    Worker w = backend.newWorker(() -> {
      while (true) {
        int x = q.get();
        q.taskDone();
        if (x < 0) {
          return;
        }
      }
    }, WorkerOptions.defaults()).start();
    double[] rates = new double[rounds];
    try (Progress progress = Progress.of("joinable", rounds)) {
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          q.put(i);
        }
        q.join();
        rates[r] = n / ((System.nanoTime() - t0) / 1e9);
        progress.step();
      }
    }
    q.put(-1);
    w.join();
    if (w.exitCode().orElse(-1) != 0) {
      throw new AssertionError("the consumer failed: " + w);
    }
    report("joinable", median(rates), "items/s", "median of " + rounds + "; " + rounds(rates));
  }

  /** The length, after checking a few bytes of the copy against the original. */
  private static long check(byte[] got, byte[] sent) {
    if (got.length != sent.length || got[0] != sent[0] || got[got.length / 2] != sent[sent.length / 2]
        || got[got.length - 1] != sent[sent.length - 1]) {
      throw new AssertionError("item corrupted");
    }
    return got.length;
  }

  /** One round trip with a child, item {@code i} there and back. */
  @FunctionalInterface
  private interface RoundTrip {
    void run(int i) throws Exception;
  }

  /**
   * Times round trips: 500 to warm up, then {@code rounds} of 2,000.
   *
   * @return the mean of each round, µs per round trip
   */
  private static double[] roundTrips(String name, int rounds, RoundTrip trip) throws Exception {
    for (int i = 0; i < 500; i++) {
      trip.run(i);
    }
    double[] us = new double[rounds];
    try (Progress progress = Progress.of(name, us.length)) {
      for (int r = 0; r < us.length; r++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < 2000; i++) {
          trip.run(i);
        }
        us[r] = (System.nanoTime() - t0) / 2000 / 1e3;
        progress.step();
      }
    }
    return us;
  }

  /**
   * Round trips parent → child → parent over two queues ({@link #roundTrips}), reporting the
   * median of the last five (all of them for 5: the cold start included).
   */
  private static void pingPong(Backend backend, String name, int rounds) throws Exception {
    Queue<Integer> a = backend.newQueue(0);
    Queue<Integer> b = backend.newQueue(0);
    Worker w = backend.newWorker(() -> {
      while (true) {
        int x = a.get();
        if (x < 0) {
          return;
        }
        b.put(x);
      }
    }, WorkerOptions.defaults()).start();
    double[] us = roundTrips(name, rounds, i -> {
      a.put(i);
      if (b.get() != i) {
        throw new AssertionError("out of order");
      }
    });
    a.put(-1);
    w.join();
    double[] last = java.util.Arrays.copyOfRange(us, rounds - 5, rounds);
    report(name, median(last), "us", (rounds == 5 ? "median of 5 x 2,000 round trips; "
        : "median of the last 5 of " + rounds + " x 2,000 round trips; ") + rounds(us));
  }

  /** The same over a {@code Pipe}: the parent sends on one end, a child echoes from the other. */
  private static void pipePingPong(Backend backend, int rounds) throws Exception {
    Pipe<Integer> pipe = backend.newPipe();
    Connection<Integer> here = pipe.left();
    Connection<Integer> there = pipe.right();
    Worker w = backend.newWorker(() -> {
      while (true) {
        int x = there.recv();
        if (x < 0) {
          return;
        }
        there.send(x);
      }
    }, WorkerOptions.defaults()).start();
    double[] us = roundTrips("pipe-pingpong", rounds, i -> {
      here.send(i);
      if (here.recv() != i) {
        throw new AssertionError("out of order");
      }
    });
    here.send(-1);
    w.join();
    report("pipe-pingpong", median(us), "us", "median of " + rounds + " x 2,000 round trips; " + rounds(us));
  }

  /** Ten workers that do nothing, each started and joined, {@code pauseMillis} apart (untimed). */
  private static void startJoin(Backend backend, String name, int pauseMillis) throws Exception {
    backend.newWorker(() -> { }, WorkerOptions.defaults()).start().join(); // the CDS archive exists from here on
    double[] ms = new double[10];
    try (Progress progress = Progress.of(name, ms.length)) {
      for (int r = 0; r < ms.length; r++) {
        Thread.sleep(pauseMillis); // a program that starts a worker now and then, not in a loop
        long t0 = System.nanoTime();
        Worker w = backend.newWorker(() -> { }, WorkerOptions.defaults()).start();
        w.join();
        ms[r] = (System.nanoTime() - t0) / 1e6;
        if (w.exitCode().orElse(-1) != 0) {
          throw new AssertionError("worker failed: " + w);
        }
        progress.step();
      }
    }
    report(name, median(ms), "ms", "median of 10 after one, " + pauseMillis + " ms apart; " + rounds(ms));
  }

  /** A whole short script ({@link ShortScript}) in a fresh JVM, start to exit: median of 5 after one. */
  private static void script() throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    double[] ms = new double[5];
    for (int r = -1; r < ms.length; r++) {
      long t0 = System.nanoTime();
      Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ShortScript.class.getName())
          .inheritIO().start();
      if (p.waitFor() != 0) {
        throw new IOException("the script failed: exit " + p.exitValue());
      }
      if (r >= 0) {
        ms[r] = (System.nanoTime() - t0) / 1e6;
      }
    }
    report("script", median(ms), "ms", "median of 5 after one; " + rounds(ms));
  }

  // ------------------------------------------------------------------ floors

  private static Process floor(String... args) throws IOException {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<String> command = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        FloorMain.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  private static void floorJvm(String name, String mode) throws Exception {
    double[] ms = new double[10];
    for (int r = -1; r < ms.length; r++) {
      long t0 = System.nanoTime();
      Process p = floor(mode);
      if (mode.equals("echo")) {
        p.getOutputStream().write('x');
        p.getOutputStream().flush();
        if (p.getInputStream().read() != 'x') {
          throw new IOException("no echo");
        }
      } else {
        p.waitFor();
      }
      if (r >= 0) {
        ms[r] = (System.nanoTime() - t0) / 1e6;
      }
      p.waitFor();
    }
    report(name, median(ms), "ms", "median of 10; " + rounds(ms));
  }

  private static void floorPipe(String name, int count, int size) throws Exception {
    double[] rates = new double[3];
    byte[] buf = new byte[1 << 16];
    for (int r = 0; r < rates.length; r++) {
      Process p = floor("write", Integer.toString(count), Integer.toString(size));
      long bytes = 0;
      long t0 = 0;
      try (InputStream in = p.getInputStream()) {
        int n = in.read(buf);
        t0 = System.nanoTime(); // from the first message on: the JVM's start is not the pipe's
        while (n > 0) {
          bytes += n;
          n = in.read(buf);
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      p.waitFor();
      if (bytes != (long) count * size) {
        throw new AssertionError("the floor lost bytes");
      }
      rates[r] = size >= 4096 ? bytes / 1e6 / seconds : count / seconds;
    }
    report(name, median(rates), size >= 4096 ? "MB/s" : "messages/s", "median of 3; " + rounds(rates));
  }

  private static void floorRtt() throws Exception {
    Process p = floor("echo-loop");
    OutputStream out = p.getOutputStream();
    InputStream in = p.getInputStream();
    for (int i = 0; i < 500; i++) {
      out.write(i);
      out.flush();
      in.read();
    }
    double[] us = new double[5];
    for (int r = 0; r < us.length; r++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < 2000; i++) {
        out.write(i);
        out.flush();
        if (in.read() < 0) {
          throw new IOException("the echo child ended");
        }
      }
      us[r] = (System.nanoTime() - t0) / 2000 / 1e3;
    }
    out.close();
    p.waitFor();
    report("floor-rtt", median(us), "us", "median of 5 x 2,000 round trips; " + rounds(us));
  }

  // ------------------------------------------------------------------ helpers

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[(sorted.length - 1) / 2];
  }

  private static String rounds(double[] values) {
    List<String> all = new ArrayList<>();
    for (double v : values) {
      all.add(v >= 100 ? String.format("%.0f", v) : String.format("%.1f", v));
    }
    return "rounds: " + all;
  }

  private static void report(String name, double value, String unit, String detail) {
    System.out.printf("RESULT %s %.1f %s   %s%n", name, value, unit, detail);
  }
}
