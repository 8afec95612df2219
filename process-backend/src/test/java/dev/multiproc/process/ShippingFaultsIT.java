package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.multiproc.Backend;
import dev.multiproc.NotShippableException;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Queue;
import dev.multiproc.RemoteTaskException;
import dev.multiproc.Worker;
import dev.multiproc.WorkerDiedException;
import dev.multiproc.WorkerOptions;
import dev.multiproc.spi.BackendConfig;
import java.io.File;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the conformance kit cannot reach (issue 10): classes that exist in the children only, and a
 * child that dies while it reads a task. A result, queue item or exception whose class the parent
 * lacks fails only its call, with a message naming the class, on the same worker, 20 times in a
 * row; a child that exits while reading its task fails that task with
 * {@link WorkerDiedException} and is replaced.
 */
@Timeout(180)
class ShippingFaultsIT {

  private static final int REPEATS = 20;

  @TempDir static Path childOnly;

  private Backend backend;

  /** Compiles two classes into a directory that only the children get on their class path. */
  @BeforeAll
  static void compileChildOnlyClasses() throws IOException {
    Path src = Files.createDirectories(childOnly.resolve("src/parity"));
    Files.writeString(src.resolve("OnlyInChild.java"), """
        package parity;
        public class OnlyInChild implements java.io.Serializable {
          private static final long serialVersionUID = 1L;
          public final int n;
          public OnlyInChild(int n) { this.n = n; }
        }
        """);
    Files.writeString(src.resolve("OnlyInChildException.java"), """
        package parity;
        public class OnlyInChildException extends RuntimeException {
          private static final long serialVersionUID = 1L;
          public OnlyInChildException(String message) { super(message); }
        }
        """);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac).as("a JDK with javac").isNotNull();
    int rc = javac.run(null, null, null, "-d", childOnly.resolve("classes").toString(),
        src.resolve("OnlyInChild.java").toString(), src.resolve("OnlyInChildException.java").toString());
    assertThat(rc).as("javac exit code").isZero();
  }

  private Backend open() {
    String classPath = System.getProperty("java.class.path") + File.pathSeparator + childOnly.resolve("classes");
    backend = new ProcessBackendProvider().open(BackendConfig.of("process", Map.of("class-path", classPath)));
    return backend;
  }

  @AfterEach
  void close() {
    if (backend != null) {
      backend.close();
    }
  }

  /** An instance of a class only the children have. */
  static Object childOnly(int n) throws Exception {
    return Class.forName("parity.OnlyInChild").getConstructor(int.class).newInstance(n);
  }

  @Test
  void aResultWhoseClassTheParentLacksFailsOnlyItsCallTwentyTimesOnTheSameWorker() throws Exception {
    Backend b = open();
    try (Pool pool = b.newPool(PoolOptions.builder().workers(1).build())) {
      long pid = pool.submit(() -> ProcessHandle.current().pid()).get(60, TimeUnit.SECONDS);
      for (int i = 0; i < REPEATS; i++) {
        int n = i;
        Throwable submitted = catchThrowable(() -> pool.submit(() -> childOnly(n)).get(60, TimeUnit.SECONDS));
        assertThat(submitted).isInstanceOf(ExecutionException.class);
        assertThat(submitted.getCause()).isInstanceOf(NotShippableException.class)
            .hasMessageStartingWith("cannot read the task's result in the parent: class parity.OnlyInChild is not on the class path.");
        Throwable mapped = catchThrowable(() -> pool.map(x -> x == 2 ? childOnly(x) : x, List.of(0, 1, 2, 3), 1));
        assertThat(mapped).isInstanceOf(NotShippableException.class)
            .hasMessageStartingWith("cannot read the result of item 2 in the parent: class parity.OnlyInChild");
      }
      assertThat(pool.submit(() -> ProcessHandle.current().pid()).get(60, TimeUnit.SECONDS))
          .as("the same child after %s unreadable results", REPEATS).isEqualTo(pid);
    }
  }

  @Test
  void aQueueItemWhoseClassTheParentLacksFailsThatGetAndIsTakenOff() throws Exception {
    Backend b = open();
    Queue<Object> q = b.newQueue(0);
    Worker w = b.newWorker(() -> {
      q.put(childOnly(1));
      q.put("after");
    }, WorkerOptions.defaults()).start();
    assertThat(w.join(Duration.ofSeconds(60))).isTrue();
    assertThat(w.exitCode()).hasValue(0);
    assertThat(catchThrowable(q::get)).isInstanceOf(NotShippableException.class)
        .hasMessageContaining("cannot read the queue item in the parent (the item was taken off the queue): class parity.OnlyInChild");
    assertThat(q.get()).isEqualTo("after");
  }

  @Test
  void anExceptionWhoseClassTheParentLacksArrivesAsARemoteTaskException() throws Exception {
    Backend b = open();
    try (Pool pool = b.newPool(PoolOptions.builder().workers(1).build())) {
      Throwable thrown = catchThrowable(() -> pool.submit(() -> {
        throw (RuntimeException) Class.forName("parity.OnlyInChildException").getConstructor(String.class).newInstance("only here");
      }).get(60, TimeUnit.SECONDS));
      assertThat(thrown.getCause()).isInstanceOfSatisfying(RemoteTaskException.class, e -> {
        assertThat(e.remoteClassName()).isEqualTo("parity.OnlyInChildException");
        assertThat(e.remoteMessage()).isEqualTo("only here");
      });
      assertThat(pool.submit(() -> 1).get(60, TimeUnit.SECONDS)).isEqualTo(1);
    }
    Worker w = b.newWorker(() -> {
      throw (RuntimeException) Class.forName("parity.OnlyInChildException").getConstructor(String.class).newInstance("in a worker");
    }, WorkerOptions.defaults()).start();
    assertThat(w.join(Duration.ofSeconds(60))).isTrue();
    assertThat(w.exitCode()).hasValue(1);
    assertThat(w.failure()).get().isInstanceOfSatisfying(RemoteTaskException.class,
        e -> assertThat(e.remoteClassName()).isEqualTo("parity.OnlyInChildException"));
  }

  /** Halts the JVM that reads it, if that JVM is a child of the process backend. */
  static final class HaltOnRead implements Serializable {
    @Serial private static final long serialVersionUID = 1L;

    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      if (ChildChannel.current != null) {
        Runtime.getRuntime().halt(3);
      }
    }
  }

  @Test
  void aChildThatDiesWhileReadingItsTaskFailsItWithWorkerDiedExceptionAndIsReplaced() throws Exception {
    Backend b = open();
    try (Pool pool = b.newPool(PoolOptions.builder().workers(1).build())) {
      HaltOnRead poison = new HaltOnRead();
      Throwable thrown = catchThrowable(() -> pool.submit(() -> poison.hashCode()).get(60, TimeUnit.SECONDS));
      assertThat(thrown.getCause()).isInstanceOfSatisfying(WorkerDiedException.class,
          e -> assertThat(e.exitCode()).hasValue(3));
      assertThat(pool.map(x -> x + 1, List.of(1, 2, 3))).containsExactly(2, 3, 4);
    }
  }
}
