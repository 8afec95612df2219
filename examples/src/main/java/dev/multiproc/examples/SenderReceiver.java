package dev.multiproc.examples;

import dev.multiproc.Multiproc;
import dev.multiproc.Queue;
import dev.multiproc.Worker;
import java.io.PrintStream;

/**
 * The seed's "sender-receiver model with Queue": a background worker puts 0, 1, 2, ... on a queue
 * every 0.5 s; the foreground takes ten, prints them, and terminates the sender, which would
 * otherwise run forever.
 */
public final class SenderReceiver {

  private SenderReceiver() {}

  /**
   * Runs this example alone; takes the launcher's options ({@code --backend <name>}).
   *
   * @param args the launcher's options
   */
  public static void main(String[] args) {
    Examples.runAlone("sender-receiver", args);
  }

  /** {@code def sender(q)}: runs in the worker; gets the queue and the pause as plain arguments. */
  static void sender(Queue<Integer> q, long pauseMillis) throws InterruptedException {
    int x = 0;                                                             // x = 0
    while (true) {                                                         // while True:
      q.put(x);                                                            //     q.put(x)
      x += 1;                                                              //     x += 1
      Thread.sleep(pauseMillis);                                           //     time.sleep(0.5)
    }
  }

  static void run(PrintStream out, Settings settings) throws InterruptedException {
    long pause = settings.interval().toMillis();
    Queue<Integer> q = Multiproc.queue();                                  // q = Queue()
    Worker p = Multiproc.worker(() -> sender(q, pause));                   // p = Process(target=sender, args=(q,))
    p.start();                                                             // p.start()
    try {
      for (int i = 0; i < 10; i++) {                                       // for _ in range(10):
        int x = Received.get(q, p);                                        //     x = q.get()
        out.println(x);                                                    //     print(x)
        Thread.sleep(pause);                                               //     time.sleep(0.5)
      }
    } finally {
      p.terminate();                                                       // p.terminate()
      p.join();                                                            // (and wait until it is gone)
    }
    out.println("sender terminated (exit code " + p.exitCode().orElseThrow() + ")");
  }
}
