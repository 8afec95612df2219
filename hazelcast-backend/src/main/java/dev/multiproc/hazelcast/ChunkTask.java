package dev.multiproc.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import java.io.Serial;
import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * One executor call: a chunk of a {@code map} (or one {@code submit}) for one pool worker, run on
 * the member it is sent to by that worker's thread there ({@link MemberWorkers}). Function, items
 * and task travel as bytes serialized in the caller's JVM; the reply is a serialized
 * {@link MemberWorkers.Reply}.
 *
 * @param backendId the backend of the pool
 * @param workerId the pool worker, unique in the cluster; its first chunk on a member starts it there
 * @param workerName the worker's thread name on the member
 * @param initializer the pool's serialized initializer, or null
 * @param function the serialized map function, or null for a submit
 * @param items the serialized {@code Object[]} of items, or null for a submit
 * @param callable the serialized callable of a submit, or null
 * @param firstIndex the index of the chunk's first item, for messages
 */
record ChunkTask(String backendId, String workerId, String workerName, byte[] initializer, byte[] function, byte[] items,
    byte[] callable, long firstIndex) implements Callable<byte[]>, Serializable, HazelcastInstanceAware {

  @Serial private static final long serialVersionUID = 1L;

  @Override
  public void setHazelcastInstance(HazelcastInstance hz) {
    Instances.delivered(hz);
  }

  @Override
  public byte[] call() throws InterruptedException {
    return MemberWorkers.run(this);
  }
}
