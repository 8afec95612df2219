package dev.multiproc.process;

import dev.multiproc.Task;
import dev.multiproc.TaskCallable;
import dev.multiproc.TaskFunction;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What a spare child does while it waits to be adopted: it ships a few lambdas through the codec
 * and back, so that the first task it receives finds serialization, lambda deserialization and
 * the codec's fast paths loaded and linked (cold, the first lambda costs a child ~40 ms), and the
 * atomics of its ring's mailbox ({@link Ring#warmMailbox}) set up; and it
 * looks up the logger {@code System.exit} consults ({@code java.lang.Runtime}, since JDK 21), so
 * that a Worker's exit does not set up the logging stack (10-30 ms) between the task's end and
 * {@code join()}, nor link the lambda that lookup uses again at the exit. Runs on a daemon thread of low priority; best effort, and never seen by the parent.
 */
final class ChildWarmup extends Thread {

  private ChildWarmup() {
    super("multiproc-child-warm-up");
    setDaemon(true);
    setPriority(MIN_PRIORITY);
  }

  /** Starts warming up this child if the parent asked for it (spares). */
  static void startIfAsked() {
    if (Boolean.getBoolean(ProcessSettings.WARM_PROPERTY)) {
      new ChildWarmup().start();
    }
  }

  @Override
  public void run() {
    try {
      int[] runs = new int[1];
      Task task = () -> runs[0]++;
      TaskCallable<Integer> call = () -> runs[0];
      TaskFunction<Integer, Integer> f = x -> x + runs[0];
      ((Task) roundTrip(task)).run();
      ((TaskCallable<?>) roundTrip(call)).call();
      Object[] items = Codec.readArray(new Buf.In(encodeArray(new Object[] {1, 2, 3})));
      @SuppressWarnings("unchecked")
      TaskFunction<Object, Object> g = (TaskFunction<Object, Object>) roundTrip(f);
      for (Object item : items) {
        g.apply(item);
      }
      roundTrip("text");
      roundTrip(new byte[8]);
      Ring.warmMailbox();
      System.getLogger("java.lang.Runtime").isLoggable(System.Logger.Level.DEBUG);
      // System.exit's own lookup of that logger merges java.util.logging's configuration through a
      // lambda in CopyOnWriteArrayList.retainAll: linking that call site cold costs the exit 1.5-2 ms.
      new CopyOnWriteArrayList<>().retainAll(List.of());
    } catch (Throwable e) {
      // warming up is best effort: the real task will report any real problem
    }
  }

  private static Object roundTrip(Object value) {
    return Codec.decodeValue(Codec.encodeValue(value, "warm-up value"));
  }

  private static byte[] encodeArray(Object[] a) {
    Buf b = new Buf(64);
    Codec.writeArray(a, "warm-up item", 0, b);
    return b.toByteArray();
  }
}
