package dev.multiproc.thread;

import static org.assertj.core.api.Assertions.assertThat;

import dev.multiproc.Backend;
import dev.multiproc.Pool;
import dev.multiproc.PoolOptions;
import dev.multiproc.spi.BackendConfig;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How far ahead {@code imap} reads its input with Python's chunk size of 1: a few items while items
 * are slow, a wider window (at most 64 items) while they are quick, so that quick items are not
 * held to a round trip per few of them.
 */
@Timeout(60)
class ImapWindowTest {

  /** The most items the input was ever read ahead of the results consumed. */
  private static int mostReadAhead(Pool pool, int consume, dev.multiproc.TaskFunction<Integer, Integer> fn) {
    AtomicInteger pulled = new AtomicInteger();
    Iterator<Integer> endless = new Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Integer next() {
        return pulled.getAndIncrement();
      }
    };
    Iterator<Integer> results = pool.imap(fn, () -> endless);
    int most = pulled.get();
    for (int i = 0; i < consume; i++) {
      assertThat(results.next()).isEqualTo(i);
      most = Math.max(most, pulled.get() - (i + 1));
    }
    return most;
  }

  @Test
  void quickItemsAreReadFurtherAheadThanAFewButNeverMoreThan64() throws Exception {
    try (Backend b = new ThreadBackendProvider().open(BackendConfig.of("thread", Map.of()));
        Pool pool = b.newPool(PoolOptions.builder().workers(2).build())) {
      int most = mostReadAhead(pool, 5_000, x -> x);
      assertThat(most).as("items read ahead of the results consumed").isGreaterThan(4).isLessThanOrEqualTo(64);
    }
  }

  @Test
  void slowItemsAreReadAtMostTwoPerWorkerAhead() throws Exception {
    try (Backend b = new ThreadBackendProvider().open(BackendConfig.of("thread", Map.of()));
        Pool pool = b.newPool(PoolOptions.builder().workers(2).build())) {
      int most = mostReadAhead(pool, 20, x -> {
        Thread.sleep(5); // the work of a slow item
        return x;
      });
      assertThat(most).as("items read ahead of the results consumed").isLessThanOrEqualTo(4);
    }
  }

  /** Items the tasks feed back into the input of their own imap. */
  private static final java.util.concurrent.BlockingQueue<Integer> FED_BACK = new java.util.concurrent.LinkedBlockingQueue<>();

  @Test
  void anInputThatWaitsForTheWorkOfTheItemsBeforeItIsServed() throws Exception {
    FED_BACK.clear();
    FED_BACK.add(0);
    Iterator<Integer> fedBack = new Iterator<>() {
      private int read;

      @Override
      public boolean hasNext() {
        return read < 50;
      }

      @Override
      public Integer next() {
        read++;
        try {
          return FED_BACK.take(); // there only once the task of the item before it has run
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }
    };
    try (Backend b = new ThreadBackendProvider().open(BackendConfig.of("thread", Map.of()));
        Pool pool = b.newPool(PoolOptions.builder().workers(2).build())) {
      Iterator<Integer> results = pool.imap(x -> {
        FED_BACK.put(x + 1);
        return x;
      }, () -> fedBack);
      for (int i = 0; i < 50; i++) {
        assertThat(results.next()).isEqualTo(i);
      }
      assertThat(results.hasNext()).isFalse();
    }
  }
}
