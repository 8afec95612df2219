package dev.multiproc.examples;

import dev.multiproc.Connection;
import dev.multiproc.Multiproc;
import dev.multiproc.Pipe;
import dev.multiproc.Worker;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/**
 * Ping-pong over a {@code Pipe}, ending with the {@code Pipe} example of Python's
 * {@code multiprocessing} documentation: the child answers each ping, then sends
 * {@code [42, None, 'hello']} and closes its end; the parent then reads end-of-file.
 *
 * <pre>{@code
 * def f(conn):
 *     while (msg := conn.recv()) != 'bye':
 *         conn.send('pong ' + msg.split()[1])
 *     conn.send([42, None, 'hello'])
 *     conn.close()
 *
 * if __name__ == '__main__':
 *     parent_conn, child_conn = Pipe()
 *     p = Process(target=f, args=(child_conn,))
 *     p.start()
 *     for i in range(5):
 *         parent_conn.send(f'ping {i}')
 *         print(parent_conn.recv())
 *     parent_conn.send('bye')
 *     print(parent_conn.recv())   # prints "[42, None, 'hello']"
 *     p.join()
 * }</pre>
 */
public final class PipePingPong {

  private PipePingPong() {}

  /**
   * Runs this example alone; takes the launcher's options ({@code --backend <name>}).
   *
   * @param args the launcher's options
   */
  public static void main(String[] args) {
    Examples.runAlone("pipe-ping-pong", args);
  }

  static void run(PrintStream out, Settings settings) throws InterruptedException {
    Pipe<Object> pipe = Multiproc.pipe();                                  // parent_conn, child_conn = Pipe()
    Connection<Object> parentConn = pipe.left();
    Connection<Object> childConn = pipe.right();
    Worker p = Multiproc.worker(() -> {                                    // def f(conn):
      for (Object msg = childConn.recv(); !msg.equals("bye"); msg = childConn.recv()) {
        childConn.send("pong " + ((String) msg).split(" ")[1]);            //     conn.send('pong ' + ...)
      }
      childConn.send(Arrays.asList(42, null, "hello"));                    //     conn.send([42, None, 'hello'])
      childConn.close();                                                   //     conn.close()
    });
    p.start();                                                             // p.start()
    for (int i = 0; i < 5; i++) {                                          // for i in range(5):
      parentConn.send("ping " + i);                                        //     parent_conn.send(f'ping {i}')
      out.println(parentConn.recv());                                      //     print(parent_conn.recv())
    }
    parentConn.send("bye");                                                // parent_conn.send('bye')
    List<?> last = (List<?>) parentConn.recv();
    out.println(last);                                                     // print(parent_conn.recv())
    try {
      parentConn.recv();
      throw new IllegalStateException("the child's end should be closed");
    } catch (UncheckedIOException e) {
      out.println("then EOF: the child closed its end");                   // EOFError
    }
    p.join();                                                              // p.join()
    out.println("child exited with code " + p.exitCode().orElseThrow());
  }
}
