package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Values in shared memory ({@link ValueSlab}): shared with children, slots reused, a full slab falls back to the hub. */
@Timeout(120)
class ValueSlabTest extends WithProcessBackend {

  @Test
  void childrenChangeTheParentsValueInSharedMemory() throws Exception {
    Value v = backend.newValue(5);
    assertThat(v).isInstanceOf(SlabValue.class);
    try (Pool pool = backend.newPool(PoolOptions.builder().workers(2).build())) {
      List<Integer> items = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        items.add(i);
      }
      pool.map(i -> {
        for (int k = 0; k < 1000; k++) {
          v.addAndGet(1);
        }
        return v.get();
      }, items, 1);
      assertThat(v.get()).as("every add of both children counted").isEqualTo(5 + 40_000);
      assertThat(pool.submit(() -> v.compareAndSet(40_005, -1) + " " + v.getAndAdd(2)).get()).isEqualTo("true -1");
      assertThat(v.get()).isEqualTo(1);
    }
  }

  @Test
  void aReleasedValuesSlotIsZeroedAndReused() {
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < ValueSlab.SLOTS; i++) {
        Value v = backend.newValue(round);
        assertThat(v.get()).isEqualTo(round);
        v.addAndGet(100);
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (backend.hub().held() > 0 && System.nanoTime() < deadline) {
        System.gc();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
      assertThat(backend.hub().held()).isZero();
    }
    assertThat(backend.newValue(7)).as("a slot came back").isInstanceOf(SlabValue.class);
  }

  @Test
  void aFullSlabFallsBackToTheHub() {
    List<Value> live = new ArrayList<>();
    for (int i = 0; i < ValueSlab.SLOTS; i++) {
      live.add(backend.newValue(i));
    }
    Value extra = backend.newValue(9);
    assertThat(extra).isInstanceOf(ProcessSync.PValue.class);
    assertThat(extra.addAndGet(1)).isEqualTo(10);
    assertThat(live.get(ValueSlab.SLOTS - 1).get()).isEqualTo(ValueSlab.SLOTS - 1);
  }

  @Test
  void theSlabFileIsDeletedWhenTheBackendCloses() {
    SlabValue v = (SlabValue) backend.newValue(1);
    Path file = Path.of(v.path());
    assertThat(file).exists();
    backend.close();
    assertThat(Files.exists(file)).isFalse();
    assertThat(v.addAndGet(1)).as("the handle keeps its mapping").isEqualTo(2);
  }
}
