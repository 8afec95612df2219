package dev.multiproc.examples;

import dev.multiproc.Lock;
import dev.multiproc.Multiproc;
import dev.multiproc.Value;
import dev.multiproc.Worker;
import java.io.PrintStream;

/**
 * The classic lock-protected shared counter: two processes, one adding 5 a hundred times and one
 * subtracting 5 a hundred times, to a {@code Value} that starts at 500. {@code total.value += 5}
 * reads and then writes, so without the lock updates would be lost; with it the total ends at 500.
 *
 * <pre>{@code
 * from multiprocessing import Process, Value, Lock
 *
 * def add_500_lock(total, lock):
 *     for i in range(100):
 *         lock.acquire()
 *         total.value += 5
 *         lock.release()
 *
 * def sub_500_lock(total, lock):
 *     for i in range(100):
 *         with lock:
 *             total.value -= 5
 *
 * if __name__ == '__main__':
 *     total = Value('i', 500)
 *     lock = Lock()
 *     add = Process(target=add_500_lock, args=(total, lock))
 *     sub = Process(target=sub_500_lock, args=(total, lock))
 *     add.start(); sub.start()
 *     add.join(); sub.join()
 *     print(total.value)
 * }</pre>
 */
public final class SharedCounter {

  private SharedCounter() {}

  /**
   * Runs this example alone; takes the launcher's options ({@code --backend <name>}).
   *
   * @param args the launcher's options
   */
  public static void main(String[] args) {
    Examples.runAlone("shared-counter", args);
  }

  static void run(PrintStream out, Settings settings) throws InterruptedException {
    Value total = Multiproc.value(500);                                    // total = Value('i', 500)
    Lock lock = Multiproc.lock();                                          // lock = Lock()
    Worker add = Multiproc.worker(() -> {                                  // def add_500_lock(total, lock):
      for (int i = 0; i < 100; i++) {                                      //     for i in range(100):
        lock.acquire();                                                    //         lock.acquire()
        try {
          total.set(total.get() + 5);                                      //         total.value += 5
        } finally {
          lock.release();                                                  //         lock.release()
        }
      }
    });
    Worker sub = Multiproc.worker(() -> {                                  // def sub_500_lock(total, lock):
      for (int i = 0; i < 100; i++) {                                      //     for i in range(100):
        try (Lock.Held h = lock.hold()) {                                  //         with lock:
          total.set(total.get() - 5);                                      //             total.value -= 5
        }
      }
    });
    add.start();                                                           // add.start()
    sub.start();                                                           // sub.start()
    add.join();                                                            // add.join()
    sub.join();                                                            // sub.join()
    for (Worker w : new Worker[] {add, sub}) {
      if (w.exitCode().orElse(1) != 0) {
        throw new IllegalStateException(w.name() + " failed", w.failure().orElse(null));
      }
    }
    out.println(total.get());                                              // print(total.value)
    out.println("(500, plus 5 a hundred times, minus 5 a hundred times, each under the lock: no update lost)");
  }
}
