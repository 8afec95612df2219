package dev.multiproc.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.multiproc.Connection;
import dev.multiproc.Queue;
import java.io.EOFException;
import java.io.Serial;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One end of a Pipe of the hazelcast backend: it receives from one {@link HazelcastQueue}
 * ({@code IQueue}) and sends to another, the other end the other way round. Whether each end is
 * closed is an entry of the backend's sync map ({@code <pipe>:left}, {@code <pipe>:right}), so a
 * close made in any JVM is seen in all. A blocked {@code recv} waits on its queue in slices of
 * {@link #SLICE}, checking between them whether either end was closed.
 *
 * <p>The members and clients (UUIDs) that used an end ({@code send}, {@code recv}, {@code poll})
 * are on record in {@code <pipe>:<end>:users}, noted by each copy of the handle on its first use:
 * when one of them leaves the cluster, {@link MemberLoss} closes that end ({@link #closeUsedBy}),
 * so the other end reads what it sent and then EOF, as on the process backend.
 */
final class HazelcastConnection<T> extends SyncHandle implements Connection<T> {

  @Serial private static final long serialVersionUID = 1L;

  /** The longest a blocked {@code recv} goes without checking whether an end was closed. */
  private static final Duration SLICE = Duration.ofMillis(100);

  private final String side;
  private final String otherSide;
  private final Queue<T> in;
  private final Queue<T> out;
  /** Whether this copy of the handle put its JVM's member or client on record as a user of its end. */
  private transient volatile boolean noted;

  HazelcastConnection(HazelcastInstance hz, String backendId, String cluster, String map, String key, boolean left,
      Queue<T> in, Queue<T> out) {
    super(hz, backendId, cluster, map, key);
    this.side = left ? "left" : "right";
    this.otherSide = left ? "right" : "left";
    this.in = in;
    this.out = out;
  }

  private boolean closed(IMap<String, Object> m, String which) {
    return m.containsKey(key + ":" + which);
  }

  /** Puts this JVM's member or client on record as a user of this end, once per copy of the handle. */
  private void noteUser() {
    if (noted) {
      return;
    }
    String me = hz().getLocalEndpoint().getUuid().toString();
    String users = key + ":" + side + ":users";
    once(m -> {
      while (true) {
        Object v = m.get(users);
        if (v == null) {
          if (m.putIfAbsent(users, me) == null) {
            return Boolean.TRUE;
          }
        } else if (Arrays.asList(((String) v).split(" ")).contains(me) || m.replace(users, v, v + " " + me)) {
          return Boolean.TRUE;
        }
      }
    });
    noted = true;
  }

  /**
   * Closes the end whose users are on record at {@code usersKey} if member or client
   * {@code holder} is one of them.
   *
   * @return whether it closed it (false if it was closed already, or not used there)
   */
  static boolean closeUsedBy(IMap<String, Object> m, String usersKey, String holder) {
    Object v = m.get(usersKey);
    if (v == null || !Arrays.asList(((String) v).split(" ")).contains(holder)) {
      return false;
    }
    return m.putIfAbsent(usersKey.substring(0, usersKey.length() - ":users".length()), 1L) == null;
  }

  /** @return whether {@code key} in the sync map lists the users of a pipe's end */
  static boolean isUsersOfAnEnd(String key) {
    return key.startsWith("pipe.") && key.endsWith(":users");
  }

  @Override
  public void send(T item) {
    Objects.requireNonNull(item, "item");
    noteUser();
    if (once(m -> closed(m, side) || closed(m, otherSide))) {
      throw new IllegalStateException("send on " + this + ": " + (once(m -> closed(m, side)) ? "this end" : "the other end")
          + " is closed");
    }
    if (!out.tryPut(item)) {
      throw new IllegalStateException("send on " + this + ": the pipe's queue refused the item");
    }
  }

  @Override
  public T recv() throws InterruptedException {
    return receive(Long.MAX_VALUE).orElseThrow();
  }

  @Override
  public Optional<T> recv(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    return receive(timeout.toNanos());
  }

  private Optional<T> receive(long nanos) throws InterruptedException {
    long deadline = nanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + Math.max(0, nanos);
    noteUser();
    while (true) {
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted in recv on " + this);
      }
      boolean[] flags = once(m -> new boolean[] {closed(m, side), closed(m, otherSide)});
      if (flags[0]) {
        throw new IllegalStateException("recv on " + this + ": this end is closed");
      }
      Optional<T> item = in.tryGet();
      if (item.isPresent()) {
        return item;
      }
      if (flags[1]) {
        throw new UncheckedIOException(new EOFException("recv on " + this + ": the other end is closed and nothing is left"));
      }
      long left = nanos == Long.MAX_VALUE ? SLICE.toNanos() : deadline - System.nanoTime();
      if (left <= 0) {
        return Optional.empty();
      }
      item = in.get(Duration.ofNanos(Math.min(left, SLICE.toNanos())));
      if (item.isPresent()) {
        return item;
      }
    }
  }

  @Override
  public boolean poll() {
    noteUser();
    boolean[] flags = once(m -> new boolean[] {closed(m, side), closed(m, otherSide)});
    if (flags[0]) {
      throw new IllegalStateException("poll on " + this + ": this end is closed");
    }
    return in.size() > 0 || flags[1];
  }

  @Override
  public void close() {
    once(m -> m.putIfAbsent(key + ":" + side, 1L) == null);
  }

  @Override
  public String toString() {
    return "Connection{" + key + ", " + side + "}";
  }
}
