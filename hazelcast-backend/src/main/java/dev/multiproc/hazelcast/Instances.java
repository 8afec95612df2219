package dev.multiproc.hazelcast;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the {@link HazelcastInstance} a handle or task should use in this JVM: the one of its
 * backend when that backend is open here (the JVM that made the handle), else the member a task
 * was delivered to ({@link com.hazelcast.core.HazelcastInstanceAware}), else a running member of
 * the cluster in this JVM.
 */
final class Instances {

  private static final Map<String, HazelcastBackend> BACKENDS = new ConcurrentHashMap<>();
  private static final Map<String, HazelcastInstance> MEMBERS = new ConcurrentHashMap<>();

  private Instances() {}

  static void opened(HazelcastBackend b) {
    BACKENDS.put(b.id(), b);
  }

  static void closed(HazelcastBackend b) {
    BACKENDS.remove(b.id(), b);
  }

  /** @return the open backend of that id in this JVM, or null */
  static HazelcastBackend backend(String backendId) {
    return BACKENDS.get(backendId);
  }

  /** A task arrived on {@code hz}: remember it as this JVM's member of its cluster. */
  static void delivered(HazelcastInstance hz) {
    if (hz != null) {
      MEMBERS.put(hz.getConfig().getClusterName(), hz);
    }
  }

  /**
   * @param backendId the backend that made the handle
   * @param clusterName its cluster
   * @return the instance to use here
   * @throws IllegalStateException if this JVM has none (the backend is closed, or this is not a member)
   */
  static HazelcastInstance resolve(String backendId, String clusterName) {
    HazelcastBackend b = BACKENDS.get(backendId);
    if (b != null) {
      return b.instance();
    }
    HazelcastInstance hz = MEMBERS.get(clusterName);
    if (hz != null && hz.getLifecycleService().isRunning()) {
      return hz;
    }
    for (HazelcastInstance m : Hazelcast.getAllHazelcastInstances()) {
      if (m.getLifecycleService().isRunning() && m.getConfig().getClusterName().equals(clusterName)) {
        return m;
      }
    }
    throw new IllegalStateException("a handle of the hazelcast backend was used in a JVM (pid " + ProcessHandle.current().pid()
        + ") with no running member of cluster '" + clusterName + "' and no open backend that made it: the backend is closed,"
        + " or the handle was sent somewhere that is not a member of that cluster");
  }
}
