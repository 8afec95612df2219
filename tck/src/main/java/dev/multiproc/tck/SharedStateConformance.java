package dev.multiproc.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.multiproc.Pool;
import dev.multiproc.SharedMap;
import dev.multiproc.TaskFailedException;
import dev.multiproc.Value;
import dev.multiproc.Worker;
import dev.multiproc.WorkerOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link Value} and {@link SharedMap} contracts: every operation, atomic updates from
 * contending workers counting exactly, {@code compute} (absent, removal, failures), and a
 * snapshot that is a copy.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class SharedStateConformance extends ConformanceSuite {

  /** For a backend that runs this suite alone: override {@link #provider()}. */
  protected SharedStateConformance() {}

  SharedStateConformance(ConformanceHooks kit) {
    super(kit);
  }

  @Test
  @DisplayName("a Value gets, sets, adds and compares-and-sets")
  void valueOperations() {
    Value v = backend().newValue(5);
    assertThat(v.get()).isEqualTo(5);
    v.set(-3);
    assertThat(v.addAndGet(10)).isEqualTo(7);
    assertThat(v.getAndAdd(3)).isEqualTo(7);
    assertThat(v.get()).isEqualTo(10);
    assertThat(v.compareAndSet(9, 1)).isFalse();
    assertThat(v.compareAndSet(10, Long.MAX_VALUE)).isTrue();
    assertThat(v.get()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  @DisplayName("workers adding to one Value count exactly")
  void valueUnderContention() throws Exception {
    Value v = backend().newValue(0);
    Value cas = backend().newValue(0);
    int n = 200 * scale();
    try (Pool pool = pool(2)) {
      pool.map(i -> {
        v.addAndGet(1);
        for (long c = cas.get(); !cas.compareAndSet(c, c + 2); c = cas.get()) {
          // retry: another worker changed it
        }
        return v.getAndAdd(0);
      }, range(0, n), 1);
    }
    int each = 100 * scale();
    List<Worker> workers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      workers.add(backend().newWorker(() -> {
        for (int k = 0; k < each; k++) {
          v.getAndAdd(-1);
        }
      }, WorkerOptions.defaults()).start());
    }
    for (Worker w : workers) {
      assertThat(w.join(patience())).isTrue();
      assertThat(w.exitCode()).as("%s", w.failure()).hasValue(0);
    }
    assertThat(v.get()).isEqualTo(n - 2L * each);
    assertThat(cas.get()).isEqualTo(2L * n);
  }

  @Test
  @DisplayName("a SharedMap puts, gets, removes, counts and refuses nulls; a snapshot is a copy")
  void mapOperations() {
    SharedMap<String, Integer> m = backend().newSharedMap();
    assertThat(m.get("a")).isNull();
    assertThat(m.put("a", 1)).isNull();
    assertThat(m.put("a", 2)).isEqualTo(1);
    assertThat(m.putIfAbsent("a", 3)).isEqualTo(2);
    assertThat(m.putIfAbsent("b", 4)).isNull();
    assertThat(m.containsKey("b")).isTrue();
    assertThat(m.size()).isEqualTo(2);
    Map<String, Integer> snap = m.snapshot();
    assertThat(snap).containsExactlyInAnyOrderEntriesOf(Map.of("a", 2, "b", 4));
    snap.put("c", 5);
    assertThat(m.containsKey("c")).as("the snapshot is a copy").isFalse();
    assertThat(m.remove("a")).isEqualTo(2);
    assertThat(m.remove("a")).isNull();
    assertThat(m.containsKey("a")).isFalse();
    m.clear();
    assertThat(m.size()).isZero();
    assertThat(m.snapshot()).isEmpty();
    assertThatNullPointerException().isThrownBy(() -> m.put(null, 1));
    assertThatNullPointerException().isThrownBy(() -> m.put("x", null));
    assertThatNullPointerException().isThrownBy(() -> m.get(null));
    assertThatNullPointerException().isThrownBy(() -> m.compute("x", null));
  }

  @Test
  @DisplayName("compute receives null when absent, a null result removes, a failure changes nothing")
  void compute() {
    SharedMap<String, Integer> m = backend().newSharedMap();
    assertThat(m.compute("k", old -> old == null ? 1 : old + 1)).isEqualTo(1);
    assertThat(m.compute("k", old -> old == null ? 1 : old + 1)).isEqualTo(2);
    assertThat(m.compute("k", old -> null)).isNull();
    assertThat(m.containsKey("k")).isFalse();
    assertThat(m.compute("absent", old -> null)).isNull();
    m.put("k", 7);
    assertThatThrownBy(() -> m.compute("k", old -> {
      throw new IOException("disk");
    })).isInstanceOf(TaskFailedException.class).hasCauseInstanceOf(IOException.class);
    assertThatThrownBy(() -> m.compute("k", old -> {
      throw new IllegalArgumentException("bad");
    })).isInstanceOf(IllegalArgumentException.class);
    assertThat(m.get("k")).isEqualTo(7);
  }

  @Test
  @DisplayName("workers counting into a SharedMap with compute count exactly; their puts are seen")
  void mapAcrossWorkers() throws Exception {
    SharedMap<String, Integer> m = backend().newSharedMap();
    int n = 200 * scale();
    try (Pool pool = pool(2)) {
      pool.map(i -> {
        m.compute("w" + (i % 4), old -> old == null ? 1 : old + 1);
        m.put("item-" + i, i);
        return i;
      }, range(0, n), 1);
    }
    for (int k = 0; k < 4; k++) {
      assertThat(m.get("w" + k)).as("count of w%s", k).isEqualTo(n / 4);
    }
    assertThat(m.size()).isEqualTo(4 + n);
    assertThat(m.get("item-" + (n - 1))).isEqualTo(n - 1);
    Worker w = backend().newWorker(() -> m.put("from-worker", m.size()), WorkerOptions.defaults()).start();
    assertThat(w.join(patience())).isTrue();
    assertThat(m.get("from-worker")).isEqualTo(4 + n);
  }
}
