package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.multiproc.Backend;
import dev.multiproc.MultiprocException;
import dev.multiproc.NotShippableException;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import dev.multiproc.RemoteTaskException;
import dev.multiproc.TaskFailedException;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import dev.multiproc.spi.BackendConfig;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What only the process backend does: output through the channel, remote exceptions, exit codes, bad start-up. */
@Timeout(120)
class ProcessBackendTest {

  private Backend backend;

  private Backend open(Map<String, String> settings) {
    backend = new ProcessBackendProvider().open(BackendConfig.of("process", settings));
    return backend;
  }

  @AfterEach
  void close() {
    if (backend != null) {
      backend.close();
    }
  }

  /** A thread-safe capture of this JVM's System.out while a block runs. */
  private static String captureOut(ThrowingRunnable body) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      body.run();
    } finally {
      System.setOut(original);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** With shared memory, messages go through the ring and only raw bytes and doorbells down the pipe; without, all down the pipe. */
  @ParameterizedTest(name = "shared-memory={0}")
  @ValueSource(booleans = {true, false})
  void tenThousandPrintedLinesAndRawBytesOnFd1ArriveIntactWhileResultsStayCorrect(boolean sharedMemory) throws Exception {
    Backend b = open(Map.of("shared-memory", Boolean.toString(sharedMemory)));
    String[] out = new String[1];
    List<Integer> results;
    try (Pool pool = b.newPool(PoolOptions.builder().workers(1).build())) {
      @SuppressWarnings({"unchecked", "rawtypes"}) // a generic array, only to carry the result out of the lambda
      List<Integer>[] holder = new List[1];
      out[0] = captureOut(() -> holder[0] = pool.map(i -> {
        for (int line = 0; line < 100; line++) {
          System.out.println("item " + i + " line " + line + " " + "x".repeat(line));
        }
        // Straight to file descriptor 1, past System.out: with binary noise, a zero byte and a
        // fake frame start in it.
        FileOutputStream raw = new FileOutputStream(FileDescriptor.out);
        raw.write(("RAW " + i + " \u0000MP\u0001\u00ff noise\n").getBytes(StandardCharsets.ISO_8859_1));
        raw.flush();
        return i * 3;
      }, IntStream.range(0, 100).boxed().toList(), 7));
      results = holder[0];
    }
    assertThat(results).isEqualTo(IntStream.range(0, 100).map(i -> i * 3).boxed().toList());
    String text = out[0];
    for (int i = 0; i < 100; i++) {
      for (int line = 0; line < 100; line++) {
        assertThat(text).contains("item " + i + " line " + line + " " + "x".repeat(line) + System.lineSeparator());
      }
      assertThat(text).contains("RAW " + i + " \u0000MP\u0001\u00ff noise\n".replace('\u00ff', '\ufffd'));
    }
    assertThat(text.lines().filter(l -> l.startsWith("item ")).count()).isEqualTo(10_000);
  }

  @Test
  void aTaskReadingSystemInSeesAnEmptyStreamAndTheChannelKeepsWorking() throws Exception {
    Backend b = open(Map.of());
    try (Pool pool = b.newPool(PoolOptions.builder().workers(1).build())) {
      // The child's stdin is the parent's command channel: a task reading System.in (as a Python
      // child reads sys.stdin, which is /dev/null there) must neither block nor take its bytes.
      List<String> read = pool.map(i -> {
        int first = System.in.read();
        String line = new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).readLine();
        return i + ":" + first + ":" + line;
      }, IntStream.range(0, 20).boxed().toList(), 1);
      assertThat(read).isEqualTo(IntStream.range(0, 20).mapToObj(i -> i + ":-1:null").toList());
      assertThat(pool.map(i -> i * 2, List.of(1, 2, 3))).containsExactly(2, 4, 6);
    }
  }

  /** The shared-memory files of this JVM's children that exist now. */
  private static List<Path> ringFiles() throws java.io.IOException {
    Path shm = Path.of("/dev/shm");
    Path dir = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    try (var files = Files.list(dir)) {
      String mine = "multiproc-ring-" + ProcessHandle.current().pid() + "-";
      return files.filter(f -> f.getFileName().toString().startsWith(mine)).toList();
    }
  }

  @Test
  void childrenReuseTheRingsOfChildrenThatAreGoneAndNoneOutlivesTheBackend() throws Exception {
    Backend b = open(Map.of());
    try (Pool pool = b.newPool(PoolOptions.builder().workers(2).build())) {
      assertThat(pool.map(i -> i + 1, List.of(1, 2, 3))).containsExactly(2, 3, 4);
      assertThat(ringFiles()).as("one per child").hasSize(2);
    }
    for (int i = 0; i < 8; i++) { // one after another, each maybe from a spare
      Worker w = b.newWorker(() -> System.out.println("from a worker"), WorkerOptions.defaults());
      w.start();
      w.join();
    }
    assertThat(ringFiles()).as("the pool's two, reused by the workers and the spare, at most one more")
        .hasSizeLessThanOrEqualTo(3);
    b.close();
    assertThat(ringFiles()).as("spares' included").isEmpty();
  }

  /** Cannot be serialized: it holds a thread. */
  static final class Unshippable extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient Object ok = null;
    final Thread thread = Thread.currentThread();

    Unshippable(String message) {
      super(message);
    }
  }

  @Test
  void anExceptionThatCannotBeSerializedReachesTheCallerAsRemoteTaskException() throws Exception {
    Backend b = open(Map.of());
    try (Pool pool = b.newPool(PoolOptions.builder().workers(1).build())) {
      assertThatThrownBy(() -> pool.map(i -> {
        if (i == 2) {
          throw new Unshippable("cannot ship me");
        }
        return i;
      }, List.of(0, 1, 2, 3)))
          .isInstanceOf(TaskFailedException.class)
          .hasMessageContaining("item 2")
          .cause()
          .isInstanceOf(RemoteTaskException.class)
          .hasMessage(Unshippable.class.getName() + ": cannot ship me")
          .satisfies(e -> {
            RemoteTaskException r = (RemoteTaskException) e;
            assertThat(r.remoteClassName()).isEqualTo(Unshippable.class.getName());
            assertThat(r.getStackTrace()).anySatisfy(f -> assertThat(f.getClassName()).isEqualTo(ProcessBackendTest.class.getName()));
            assertThat(r.getStackTrace()).anySatisfy(f -> assertThat(f.getClassName()).isEqualTo(ChildExecutor.class.getName()));
          });
      CompletableFuture<Object> f = pool.submit(() -> {
        throw new Unshippable("from submit");
      });
      assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class).cause().isInstanceOf(RemoteTaskException.class)
          .hasMessage(Unshippable.class.getName() + ": from submit");
    }
  }

  @Test
  void workerExitCodesFollowPython() throws Exception {
    Backend b = open(Map.of());
    Queue<String> q = b.newQueue(0);
    Queue<String> never = b.newQueue(0);
    Worker exits3 = b.newWorker(() -> System.exit(3), WorkerOptions.defaults()).start();
    Worker throwing = b.newWorker(() -> {
      throw new IllegalStateException("boom");
    }, WorkerOptions.defaults()).start();
    Worker terminated = b.newWorker(() -> {
      q.put("started");
      never.get();
    }, WorkerOptions.defaults()).start();
    Worker killed = b.newWorker(() -> {
      q.put("started");
      Thread.sleep(Long.MAX_VALUE);
    }, WorkerOptions.defaults()).start();
    assertThat(q.get(Duration.ofSeconds(60))).contains("started");
    assertThat(q.get(Duration.ofSeconds(60))).contains("started");
    long pid = terminated.pid().orElseThrow();
    assertThat(ProcessHandle.of(pid)).isPresent();
    terminated.terminate();
    killed.kill();
    for (Worker w : List.of(exits3, throwing, terminated, killed)) {
      assertThat(w.join(Duration.ofSeconds(60))).isTrue();
    }
    assertThat(exits3.exitCode()).hasValue(3);
    assertThat(throwing.exitCode()).hasValue(1);
    assertThat(throwing.failure()).get().isInstanceOf(IllegalStateException.class);
    assertThat(throwing.failure().get()).hasMessage("boom");
    assertThat(terminated.exitCode()).hasValue(-15);
    assertThat(killed.exitCode()).hasValue(-9);
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void whatCannotBeSentFailsTheCallBeforeAnythingIsSent() {
    Backend b = open(Map.of());
    Thread notSerializable = new Thread(() -> {});
    try (Pool pool = b.newPool(PoolOptions.builder().workers(1).build())) {
      assertThatThrownBy(() -> pool.map(x -> notSerializable.getName() + x, List.of(1)))
          .isInstanceOf(NotShippableException.class)
          .hasMessageContaining("cannot send the function to a child process: java.lang.Thread is not serializable")
          .hasMessageContaining("Path: function -> arg$1 (java.lang.Thread)");
      assertThatThrownBy(() -> pool.map(x -> x, List.of(1, new Object())))
          .isInstanceOf(NotShippableException.class)
          .hasMessageContaining("item 1");
      assertThat(pool.submit(() -> notSerializable)).failsWithin(Duration.ZERO)
          .withThrowableOfType(ExecutionException.class).havingCause().isInstanceOf(NotShippableException.class);
      assertThat(pool.map(x -> x + 1, List.of(1, 2))).containsExactly(2, 3);
      assertThatThrownBy(() -> pool.map(x -> x == 2 ? new Object() : x, List.of(1, 2, 3)))
          .isInstanceOf(NotShippableException.class)
          .hasMessageContaining("result of this item")
          .hasMessageContaining("java.lang.Object is not serializable");
    }
    assertThatThrownBy(() -> b.newWorker(() -> notSerializable.start(), WorkerOptions.defaults()).start())
        .isInstanceOf(NotShippableException.class)
        .hasMessageContaining("cannot send the task");
  }

  @Test
  void aJavaThatDoesNotExistFailsWithTheSettingToFix() {
    Backend b = open(Map.of("java", "/no/such/java"));
    assertThatThrownBy(() -> b.newPool(PoolOptions.builder().workers(1).build()))
        .isInstanceOf(MultiprocException.class)
        .hasMessageContaining("/no/such/java")
        .hasMessageContaining("multiproc.process.java");
  }

  @Test
  void aBadJvmOptionFailsWithTheChildsStderr() {
    Backend b = open(Map.of("jvm-options", "-XX:+NoSuchOptionAtAll"));
    assertThatThrownBy(() -> b.newWorker(() -> {}, WorkerOptions.defaults()).start())
        .isInstanceOf(MultiprocException.class)
        .hasMessageContaining("exited with code 1 before it was ready")
        .hasMessageContaining("fix multiproc.process.jvm-options (-XX:+NoSuchOptionAtAll)")
        .hasMessageContaining("-XX:+NoSuchOptionAtAll")
        .hasMessageContaining("Unrecognized VM option 'NoSuchOptionAtAll'");
  }

  @Test
  void aClassPathWithoutOurClassesFailsWithTheChildsStderr(@TempDir Path empty) throws Exception {
    Files.createDirectories(empty);
    Backend b = open(Map.of("class-path", empty.toString()));
    assertThatThrownBy(() -> b.newPool(PoolOptions.builder().workers(2).build()))
        .isInstanceOf(MultiprocException.class)
        .hasMessageContaining("Could not find or load main class " + ChildMain.class.getName())
        .hasMessageContaining("multiproc.process.class-path");
  }
}
