package dev.multiproc.examples;

import dev.multiproc.Multiproc;
import dev.multiproc.Pool;
import java.io.PrintStream;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The seed's "simple data-parallel" program: {@code Pool(8).map(f, range(1024))}, closed the
 * explicit way and the {@code with} way, then with return values.
 *
 * <p>The functions are static methods passed as method references: serializable, capturing
 * nothing, so a backend can ship them to other JVMs.
 */
public final class PoolMap {

  static final int WORKERS = 8;
  static final int ITEMS = 1024;

  private PoolMap() {}

  /**
   * Runs this example alone; takes the launcher's options ({@code --backend <name>}).
   *
   * @param args the launcher's options
   */
  public static void main(String[] args) {
    Examples.runAlone("pool-map", args);
  }

  static void run(PrintStream out, Settings settings) {
    List<Integer> xs = IntStream.range(0, ITEMS).boxed().toList();        // list(range(1024))

    // method 1
    Pool p = Multiproc.pool(WORKERS);                                      // p = Pool(8)
    List<Long> done;
    try {
      done = p.map(PoolMap::doSomeThing, xs);                              // p.map(f, list(range(1024)))
    } finally {
      p.close();                                                           // p.close(); p.join()
    }
    out.println("method 1: p = Pool(8); p.map(f, range(1024)); p.close() -> f ran on " + done.size() + " items");

    // method 2
    try (Pool p2 = Multiproc.pool(WORKERS)) {                              // with Pool(8) as p:
      done = p2.map(PoolMap::doSomeThing, xs);                             //     p.map(f, list(range(1024)))
    }
    out.println("method 2: with Pool(8) as p: p.map(f, range(1024))      -> f ran on " + done.size() + " items");

    // with return values
    List<Integer> res;
    try (Pool p3 = Multiproc.pool(WORKERS)) {                              // with Pool(8) as p:
      res = p3.map(PoolMap::f, xs);                                        //     res = p.map(f, list(range(1024)))
    }
    check(res, xs);
    out.println("with return values: res = p.map(f, range(1024))");
    out.println("res: " + abbreviate(res) + "  (" + res.size() + " results, each equal to its input, in order)");
  }

  /** {@code def f(x): do_some_thing(x)}: some CPU work per item; its result is not used. */
  static long doSomeThing(Integer x) {
    long h = x;
    for (int i = 0; i < 10_000; i++) {
      h = h * 31 + i;
    }
    return h;
  }

  /** {@code def f(x): return x}. */
  static Integer f(Integer x) {
    return x;
  }

  /** Fails unless {@code res} is exactly {@code expected}: the seed's {@code # res: [0, 1, 2, ..., 1023]}. */
  private static void check(List<Integer> res, List<Integer> expected) {
    if (res.size() != expected.size()) {
      throw new IllegalStateException("map returned " + res.size() + " results for " + expected.size() + " items");
    }
    for (int i = 0; i < res.size(); i++) {
      if (!expected.get(i).equals(res.get(i))) {
        throw new IllegalStateException("map's result " + i + " is " + res.get(i) + ", expected " + expected.get(i));
      }
    }
  }

  /** Python's way of showing a long list in a comment: {@code [0, 1, 2, ..., 1023]}. */
  static String abbreviate(List<?> xs) {
    if (xs.size() <= 4) {
      return xs.toString();
    }
    return "[" + xs.get(0) + ", " + xs.get(1) + ", " + xs.get(2) + ", ..., " + xs.get(xs.size() - 1) + "]";
  }
}
