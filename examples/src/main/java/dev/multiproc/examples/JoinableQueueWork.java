package dev.multiproc.examples;

import dev.multiproc.JoinableQueue;
import dev.multiproc.Multiproc;
import dev.multiproc.Value;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The producer/consumer program of Python's {@code queue} documentation, on a
 * {@code JoinableQueue} shared with worker processes: the main program puts the work, the workers
 * mark each item done, {@code q.join()} waits for all of it, and a {@code None} per worker stops
 * them.
 *
 * <pre>{@code
 * def worker():
 *     while True:
 *         item = q.get()
 *         if item is None:
 *             break
 *         do_work(item)
 *         q.task_done()
 *
 * q = JoinableQueue()
 * threads = []
 * for i in range(num_worker_threads):
 *     t = Process(target=worker)
 *     t.start()
 *     threads.append(t)
 *
 * for item in source():
 *     q.put(item)
 *
 * q.join()  # block until all tasks are done
 *
 * for i in range(num_worker_threads):
 *     q.put(None)
 * for t in threads:
 *     t.join()
 * }</pre>
 *
 * Java queues refuse null items, so the stop signal is -1; {@code do_work} adds the item's square
 * to a shared {@code Value}, which the main program prints once {@code join()} returns.
 */
public final class JoinableQueueWork {

  private JoinableQueueWork() {}

  /**
   * Runs this example alone; takes the launcher's options ({@code --backend <name>}).
   *
   * @param args the launcher's options
   */
  public static void main(String[] args) {
    Examples.runAlone("joinable-queue", args);
  }

  static final int STOP = -1;

  static void run(PrintStream out, Settings settings) throws InterruptedException {
    int numWorkerThreads = 2;
    JoinableQueue<Integer> q = Multiproc.joinableQueue();                  // q = JoinableQueue()
    Value sumOfSquares = Multiproc.value(0);
    List<Worker> threads = new ArrayList<>();                              // threads = []
    for (int i = 0; i < numWorkerThreads; i++) {                           // for i in range(num_worker_threads):
      Worker t = Multiproc.worker(() -> {                                  //     def worker():
        while (true) {                                                     //         while True:
          int item = q.get();                                              //             item = q.get()
          if (item == STOP) {                                              //             if item is None:
            break;                                                         //                 break
          }
          sumOfSquares.addAndGet((long) item * item);                      //             do_work(item)
          q.taskDone();                                                    //             q.task_done()
        }
      }, WorkerOptions.builder().name("consumer-" + i).build());
      t.start();                                                           //     t.start()
      threads.add(t);                                                      //     threads.append(t)
    }
    for (int item = 1; item <= 100; item++) {                              // for item in source():
      q.put(item);                                                         //     q.put(item)
    }
    q.join();                                                              // q.join()
    out.println("all 100 items done: sum of squares " + sumOfSquares.get() + " (expected 338350)");
    for (int i = 0; i < numWorkerThreads; i++) {                           // for i in range(num_worker_threads):
      q.put(STOP);                                                         //     q.put(None)
    }
    for (Worker t : threads) {                                             // for t in threads:
      t.join();                                                            //     t.join()
      out.println(t.name() + " stopped (exit code " + t.exitCode().orElseThrow() + ")");
    }
  }
}
