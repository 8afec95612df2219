package dev.multiproc.process;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * The queues, events and toolbox objects this child holds proxies of ({@link ChildQueue},
 * {@link ChildEvent}, {@link ChildSync}; one id space in the hub), told
 * to the parent so that its {@link Hub} keeps them while this child may still use them, and lets
 * them go after.
 *
 * <p>The first live proxy of a queue or event sends {@code REF ATTACH}, before the proxy is handed
 * to anyone (so before any request through it, and before the answer to the unit that brought it).
 * Once the collector has cleared every proxy of it, {@link #flush} sends {@code REF DETACH}. Only
 * the executor calls {@code flush}, between units: a result that carries a proxy is written before
 * that proxy's DETACH, so the parent never lets go of a queue it is about to read back. ATTACH and
 * DETACH are sent under one lock, so the parent sees them in the order they were decided. A child
 * that runs no pool units (a Worker's) never sends DETACH: the parent lets go of its proxies when it
 * ends. A proxy that goes inside a queue item sends {@code REF PIN} ({@link #pin}).
 */
final class ProxyRefs {

  private final FrameWriter out;
  /** Told each id this child holds no proxy of any more, to drop what it kept for it. */
  private final LongConsumer detached;
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<Long, int[]> live = new HashMap<>(); // guarded by lock: proxies not yet cleared, per id
  private final Set<ProxyRef> refs = new HashSet<>(); // guarded by lock: keeps the refs reachable
  private final ReferenceQueue<Object> cleared = new ReferenceQueue<>();

  ProxyRefs(FrameWriter out, LongConsumer detached) {
    this.out = out;
    this.detached = detached;
  }

  /** A proxy of a queue or event, counted off once the collector cleared it. */
  private static final class ProxyRef extends WeakReference<Object> {
    final long id;

    ProxyRef(Object proxy, long id, ReferenceQueue<Object> queue) {
      super(proxy, queue);
      this.id = id;
    }
  }

  /** A proxy of queue or event {@code id} was made here; any thread. */
  void created(Object proxy, long id) {
    lock.lock();
    try {
      refs.add(new ProxyRef(proxy, id, cleared));
      int[] n = live.get(id);
      if (n == null) {
        live.put(id, new int[] {1});
        send(id, Msg.REF_ATTACH);
      } else {
        n[0]++;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Tells the parent which queues and events this child holds no proxy of any more. Executor thread, between units. */
  void flush() {
    Reference<?> r = cleared.poll();
    if (r == null) {
      return;
    }
    lock.lock();
    try {
      for (; r != null; r = cleared.poll()) {
        ProxyRef p = (ProxyRef) r;
        refs.remove(p);
        int[] n = live.get(p.id);
        if (--n[0] == 0) {
          live.remove(p.id);
          detached.accept(p.id);
          send(p.id, Msg.REF_DETACH);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** A proxy of {@code id} goes inside a queue item: the parent keeps that queue or event for good. */
  void pin(long id) {
    send(id, Msg.REF_PIN);
  }

  private void send(long id, int op) {
    out.send(Msg.REF, id, new Buf(1).writeByte(op));
  }
}
