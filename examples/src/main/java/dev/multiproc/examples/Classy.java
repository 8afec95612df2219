package dev.multiproc.examples;

import dev.multiproc.Multiproc;
import dev.multiproc.Queue;
import dev.multiproc.Worker;
import java.io.PrintStream;

/**
 * The seed's "classy way": the same sender and receiver, owned by an object that holds the queue
 * and starts the sender in its constructor.
 */
public final class Classy {

  private Classy() {}

  /**
   * Runs this example alone; takes the launcher's options ({@code --backend <name>}).
   *
   * @param args the launcher's options
   */
  public static void main(String[] args) {
    Examples.runAlone("classy", args);
  }

  static void run(PrintStream out, Settings settings) throws InterruptedException {
    A a = new A(settings.interval().toMillis());                           // a = A()
    a.run(out);                                                            // a.run()
  }

  /** {@code class A}. */
  static final class A {
    private final Queue<Integer> q;
    private final Worker p;
    private final long pause;

    A(long pause) {                                                        // def __init__(self):
      this.pause = pause;
      this.q = Multiproc.queue();                                          //     self.q = Queue()
      // The task travels to its worker (serialized, like Python's pickling) and A cannot: capture the queue, not `this`.
      Queue<Integer> q = this.q;
      this.p = Multiproc.worker(() -> {                                    //     def sender():
        int x = 0;                                                         //         x = 0
        while (true) {                                                     //         while True:
          q.put(x);                                                        //             self.q.put(x)
          x += 1;                                                          //             x += 1
          Thread.sleep(pause);                                             //             time.sleep(0.5)
        }
      });                                                                  //     self.p = Process(target=sender)
      this.p.start();                                                      //     self.p.start()
    }

    void run(PrintStream out) throws InterruptedException {                // def run(self):
      try {
        for (int i = 0; i < 10; i++) {                                     //     for _ in range(10):
          int x = Received.get(q, p);                                      //         x = self.q.get()
          out.println(x);                                                  //         print(x)
          Thread.sleep(pause);                                             //         time.sleep(0.5)
        }
      } finally {
        p.terminate();                                                     //     self.p.terminate()
        p.join();
      }
      out.println("sender terminated (exit code " + p.exitCode().orElseThrow() + ")");
    }
  }
}
