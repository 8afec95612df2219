package dev.multiproc.hazelcast;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.map.IMap;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What a backend does when a member of its cluster leaves (killed, crashed, shut down): Hazelcast
 * itself frees the {@code IMap} locks the member held (its Locks and RLocks, see
 * {@link HazelcastLock}); this gives back the Semaphore permits taken there
 * ({@link HazelcastSemaphore#releaseHeldBy}), breaks a Barrier a party waited at there
 * ({@link HazelcastBarrier#breakFor}) and closes the Pipe ends used there
 * ({@link HazelcastConnection#closeUsedBy}), each said at DEBUG, so that no one waits forever on a
 * JVM that is gone. Only the backend that made the handles (whose sync map it is) does this, on a
 * daemon thread of its own (never on Hazelcast's event thread), by a scan of its sync map made at
 * once and once more {@link #SECOND_SWEEP_NANOS} later, for an acquire or arrival the member sent
 * just before it died and that landed after the first scan. A client that leaves is not covered: a
 * client is the JVM that made the backend, and its handles go with it.
 */
final class MemberLoss implements MembershipListener {

  private static final System.Logger LOG = System.getLogger("dev.multiproc.hazelcast");

  /** When the second scan runs after the first. */
  static final long SECOND_SWEEP_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final HazelcastBackend backend;
  private final String syncMap;

  MemberLoss(HazelcastBackend backend, String syncMap) {
    this.backend = backend;
    this.syncMap = syncMap;
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    // nothing to do
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    if (backend.isClosed()) {
      return;
    }
    String holder = event.getMember().getUuid().toString();
    String member = event.getMember().getAddress() + " (" + holder + ")";
    backend.threads().newPlatformThread("multiproc-hazelcast-member-loss", true, () -> {
      sweep(holder, member);
      long until = System.nanoTime() + SECOND_SWEEP_NANOS;
      while (!backend.isClosed() && System.nanoTime() < until) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // a delay before the second scan, not a synchronisation
      }
      sweep(holder, member);
    }).start();
  }

  private void sweep(String holder, String member) {
    if (backend.isClosed()) {
      return;
    }
    try {
      IMap<String, Object> m = backend.instance().getMap(syncMap);
      List<String> keys = new ArrayList<>(m.keySet());
      for (String key : keys) {
        if (HazelcastSemaphore.isSemaphore(key)) {
          long n = HazelcastSemaphore.releaseHeldBy(m, key, holder);
          if (n > 0) {
            LOG.log(Level.DEBUG, () -> "member " + member + " left holding " + n + " permit(s) of Semaphore{" + key
                + "}; released them for the others");
          }
        } else if (HazelcastBarrier.isBarrier(key)) {
          if (HazelcastBarrier.breakFor(m, key, holder)) {
            LOG.log(Level.DEBUG, () -> "member " + member + " left while a party waited at Barrier{" + key
                + "}; broke it for the others");
          }
        } else if (HazelcastConnection.isUsersOfAnEnd(key)) {
          if (HazelcastConnection.closeUsedBy(m, key, holder)) {
            LOG.log(Level.DEBUG, () -> "member " + member + " left; closed the end of Pipe " + key
                + " it used, which now reads as closed after what it sent");
          }
        }
      }
    } catch (RuntimeException e) {
      if (!backend.isClosed()) {
        LOG.log(Level.WARNING, "could not release what member " + member + " held on leaving the cluster: " + e
            + "; waiters on its Semaphores, Barriers or Pipes may have to time out", e);
      }
    }
  }
}
