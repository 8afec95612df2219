package dev.multiproc.process;

import dev.multiproc.Backend;
import dev.multiproc.Event;
import dev.multiproc.Multiproc;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import dev.multiproc.spi.BackendConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A parent JVM for {@link ParentDeathIT}: starts a pool whose children run tasks, and workers
 * blocked on a queue, prints {@code CHILDREN <pids>}, then ends as its argument says:
 * {@code wait} (to be killed or sent SIGTERM), {@code return} (main returns), {@code throw} (main
 * throws), {@code exit} (System.exit). With a second argument {@code shared} it uses the shared
 * {@code Multiproc.backend("process")}, closed by its shutdown hook; otherwise a private backend
 * it never closes, whose children must still not outlive it.
 */
public final class ParentMain {

  private ParentMain() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    boolean shared = args.length > 1 && args[1].equals("shared");
    Backend backend = shared ? Multiproc.backend("process")
        : new ProcessBackendProvider().open(BackendConfig.of("process", java.util.Map.of()));
    Queue<Long> pids = backend.newQueue(0);
    Queue<String> never = backend.newQueue(0);
    Event forever = backend.newEvent();
    Pool pool = backend.newPool(PoolOptions.builder().workers(2).build());
    for (int i = 0; i < 2; i++) {
      pool.submit(() -> {
        pids.put(ProcessHandle.current().pid());
        forever.await();
        return null;
      });
    }
    List<Worker> workers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      workers.add(backend.newWorker(() -> {
        pids.put(ProcessHandle.current().pid());
        never.get();
      }, WorkerOptions.builder().daemon(true).build()).start());
    }
    List<Long> all = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      all.add(pids.get(Duration.ofSeconds(60)).orElseThrow());
    }
    System.out.println("CHILDREN " + all.stream().map(String::valueOf).collect(Collectors.joining(" ")));
    System.out.flush();
    switch (mode) {
      case "wait" -> Thread.sleep(Long.MAX_VALUE);
      case "throw" -> throw new IllegalStateException("main fails on purpose");
      case "exit" -> System.exit(5);
      default -> {
        // return with the pool open and the workers blocked
      }
    }
  }
}
