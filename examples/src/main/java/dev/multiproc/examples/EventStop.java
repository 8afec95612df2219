package dev.multiproc.examples;

import dev.multiproc.Event;
import dev.multiproc.Multiproc;
import dev.multiproc.Queue;
import dev.multiproc.Worker;
import java.io.PrintStream;

/**
 * The seed's threading version of the sender-receiver: threads have no {@code terminate()}, so the
 * sender checks an event each round, and the receiver sets it and joins the sender: a graceful
 * stop, on every backend.
 */
public final class EventStop {

  private EventStop() {}

  /**
   * Runs this example alone; takes the launcher's options ({@code --backend <name>}).
   *
   * @param args the launcher's options
   */
  public static void main(String[] args) {
    Examples.runAlone("event-stop", args);
  }

  static void run(PrintStream out, Settings settings) throws InterruptedException {
    A a = new A(settings.interval().toMillis());                           // a = A()
    a.run(out);                                                            // a.run()
  }

  /** {@code class A}. */
  static final class A {
    private final Queue<Integer> q;
    private final Event exitEvent;
    private final Worker p;
    private final long pause;

    A(long pause) {                                                        // def __init__(self):
      this.pause = pause;
      this.q = Multiproc.queue();                                          //     self.q = Queue()
      this.exitEvent = Multiproc.event();                                  //     self.exit_event = Event()
      // The task travels to its worker (serialized, like Python's pickling) and A cannot: capture the handles, not `this`.
      Queue<Integer> q = this.q;
      Event exitEvent = this.exitEvent;
      this.p = Multiproc.worker(() -> {                                    //     def sender():
        int x = 0;                                                         //         x = 0
        while (true) {                                                     //         while True:
          // threading does not have a terminate() or kill(), so we manually handle the exit
          if (exitEvent.isSet()) {                                         //             if self.exit_event.is_set():
            break;                                                         //                 break
          }
          q.put(x);                                                        //             self.q.put(x)
          x += 1;                                                          //             x += 1
          Thread.sleep(pause);                                             //             time.sleep(0.5)
        }
      });                                                                  //     self.p = Thread(target=sender)
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
        exitEvent.set();                                                   //     self.exit_event.set()
        p.join();                                                          //     self.p.join()
      }
      out.println("exit event set; sender stopped by itself (exit code " + p.exitCode().orElseThrow() + ")");
    }
  }
}
