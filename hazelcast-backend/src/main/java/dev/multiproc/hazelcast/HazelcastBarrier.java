package dev.multiproc.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.multiproc.Barrier;
import java.io.Serial;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeoutException;

/**
 * A Barrier of the hazelcast backend: its state is a {@code String}
 * {@code "<generation>,<waiting>,<broken 0|1>,<last reset generation>,<waiters>"} in the backend's
 * sync map, changed by compare-and-set; {@code <waiters>} names, space-separated, the member or
 * client (UUID) of each party waiting in this generation. The last party to arrive starts the next
 * generation; a party waits until the generation moves on (passed, unless that generation was reset:
 * broken) or its generation is broken (by {@code abort}, a timeout, an interrupted party, or the
 * departure of a member a party waited on: {@link #breakFor}, run by {@link MemberLoss}, so the
 * others get {@link BrokenBarrierException} instead of waiting forever).
 */
final class HazelcastBarrier extends SyncHandle implements Barrier {

  @Serial private static final long serialVersionUID = 1L;

  private final int parties;

  HazelcastBarrier(HazelcastInstance hz, String backendId, String cluster, String map, String key, int parties) {
    super(hz, backendId, cluster, map, key);
    this.parties = parties;
  }

  static String initial() {
    return "0,0,0,-1,";
  }

  private record State(long gen, int count, boolean broken, long resetGen, String waiters) {
    static State of(Object v) {
      String[] p = ((String) v).split(",", -1);
      return new State(Long.parseLong(p[0]), Integer.parseInt(p[1]), p[2].equals("1"), Long.parseLong(p[3]),
          p.length > 4 ? p[4] : "");
    }

    String text() {
      return gen + "," + count + "," + (broken ? 1 : 0) + "," + resetGen + "," + waiters;
    }

    boolean waitedOnBy(String holder) {
      return !waiters.isEmpty() && Arrays.asList(waiters.split(" ")).contains(holder);
    }

    State asBroken() {
      return new State(gen, count, true, resetGen, waiters);
    }
  }

  @Override
  public int await() throws InterruptedException, BrokenBarrierException {
    try {
      return doAwait(Long.MAX_VALUE);
    } catch (TimeoutException e) {
      throw new AssertionError("no timeout", e);
    }
  }

  @Override
  public int await(Duration timeout) throws InterruptedException, BrokenBarrierException, TimeoutException {
    Objects.requireNonNull(timeout, "timeout");
    return doAwait(timeout.toNanos());
  }

  private int doAwait(long nanos) throws InterruptedException, BrokenBarrierException, TimeoutException {
    if (Thread.interrupted()) {
      breakIt();
      throw new InterruptedException("interrupted before waiting at " + this);
    }
    String me = hz().getLocalEndpoint().getUuid().toString();
    // arrive: [generation, index], or null if broken
    long[] arrival = once(m -> {
      while (true) {
        Object v = m.get(key);
        State s = State.of(v);
        if (s.broken) {
          return null;
        }
        State next = s.count + 1 == parties ? new State(s.gen + 1, 0, false, s.resetGen, "")
            : new State(s.gen, s.count + 1, false, s.resetGen, s.waiters.isEmpty() ? me : s.waiters + " " + me);
        if (m.replace(key, v, next.text())) {
          return new long[] {s.gen, s.count};
        }
      }
    });
    if (arrival == null) {
      throw new BrokenBarrierException(this + " is broken");
    }
    int index = (int) arrival[1];
    if (index + 1 == parties) {
      return index;
    }
    long gen = arrival[0];
    Integer outcome; // 1 passed, 0 broken
    try {
      outcome = waitFor(m -> {
        State s = State.of(m.get(key));
        if (s.gen > gen) {
          return s.resetGen == gen ? 0 : 1;
        }
        return s.broken ? 0 : null;
      }, nanos);
    } catch (InterruptedException e) {
      breakIt();
      throw e;
    }
    if (outcome == null) {
      breakIt();
      throw new TimeoutException("timed out waiting at " + this + "; it is broken now");
    }
    if (outcome == 0) {
      throw new BrokenBarrierException(this + " was broken (aborted, reset, or a party timed out or was interrupted)");
    }
    return index;
  }

  private void breakIt() {
    once(m -> {
      while (true) {
        Object v = m.get(key);
        State s = State.of(v);
        if (s.broken || m.replace(key, v, s.asBroken().text())) {
          return Boolean.TRUE;
        }
      }
    });
  }

  /**
   * Breaks the barrier at {@code key} if a party of member or client {@code holder} waits at it.
   *
   * @return whether it did
   */
  static boolean breakFor(IMap<String, Object> m, String key, String holder) {
    while (true) {
      Object v = m.get(key);
      if (v == null) {
        return false;
      }
      State s = State.of(v);
      if (s.broken || !s.waitedOnBy(holder)) {
        return false;
      }
      if (m.replace(key, v, s.asBroken().text())) {
        return true;
      }
    }
  }

  /** @return whether {@code key} in the sync map is a barrier's */
  static boolean isBarrier(String key) {
    return key.startsWith("barrier.");
  }

  @Override
  public void reset() {
    once(m -> {
      while (true) {
        Object v = m.get(key);
        State s = State.of(v);
        State next = s.count == 0 && !s.broken ? s : new State(s.gen + 1, 0, false, s.gen, "");
        if (next == s || m.replace(key, v, next.text())) {
          return Boolean.TRUE;
        }
      }
    });
  }

  @Override
  public void abort() {
    breakIt();
  }

  @Override
  public boolean isBroken() {
    return once(m -> State.of(m.get(key)).broken);
  }

  @Override
  public int parties() {
    return parties;
  }

  @Override
  public int waiting() {
    return once(m -> {
      State s = State.of(m.get(key));
      return s.broken ? 0 : s.count;
    });
  }

  @Override
  public String toString() {
    return "Barrier{" + key + ", parties " + parties + "}";
  }
}
