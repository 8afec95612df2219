package dev.multiproc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import org.junit.jupiter.api.Test;

/** The messages and accessors of the exceptions multiproc defines. */
class ExceptionsTest {

  @Test
  void taskFailedOnAnItem() {
    IllegalStateException cause = new IllegalStateException("boom");
    TaskFailedException e = TaskFailedException.ofItem(7, cause);
    assertThat(e).hasMessage("task failed on item 7: java.lang.IllegalStateException: boom").hasCause(cause);
    assertThat(e.itemIndex()).hasValue(7);
    assertThat(e).isInstanceOf(MultiprocException.class).isInstanceOf(RuntimeException.class);
    assertThat(new TaskFailedException("no item", cause, -1).itemIndex()).isEmpty();
  }

  @Test
  void workerDiedForAnItem() {
    RuntimeException cause = new RuntimeException("killed");
    WorkerDiedException died = new WorkerDiedException("worker pool-2 died with exit code -9", -9, -1, cause);
    assertThat(died.exitCode()).hasValue(-9);
    assertThat(died.itemIndex()).isEmpty();
    WorkerDiedException forItem = died.forItem(12);
    assertThat(forItem).hasMessage("item 12: worker pool-2 died with exit code -9").hasCause(cause);
    assertThat(forItem.exitCode()).hasValue(-9);
    assertThat(forItem.itemIndex()).hasValue(12);
    assertThat(new WorkerDiedException("gone", null, -1, null).exitCode()).isEmpty();
  }

  @Test
  void remoteTaskExceptionReadsLikeTheOriginal() {
    StackTraceElement[] trace = {new StackTraceElement("com.example.Job", "run", "Job.java", 42)};
    RemoteTaskException e = new RemoteTaskException("com.example.BadThing", "bad input", trace, null);
    assertThat(e).hasToString("com.example.BadThing: bad input").hasMessage("com.example.BadThing: bad input");
    assertThat(e.remoteClassName()).isEqualTo("com.example.BadThing");
    assertThat(e.remoteMessage()).isEqualTo("bad input");
    assertThat(e.getStackTrace()).containsExactly(trace);
    trace[0] = null;
    assertThat(e.getStackTrace()[0]).as("the trace was copied").isNotNull();
    RemoteTaskException bare = new RemoteTaskException("com.example.Silent", null, new StackTraceElement[0], e);
    assertThat(bare).hasToString("com.example.Silent").hasMessage("com.example.Silent").hasCause(e);
    assertThat(bare.remoteMessage()).isNull();
    assertThatNullPointerException().isThrownBy(() -> new RemoteTaskException(null, "m", new StackTraceElement[0], null));
  }
}
