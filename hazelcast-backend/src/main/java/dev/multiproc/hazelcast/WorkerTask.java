package dev.multiproc.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import dev.multiproc.Task;
import java.io.Serial;
import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A {@link dev.multiproc.Worker}'s task on the member that runs it, in one of the member's
 * executor threads; cancelling the call interrupts it.
 *
 * @param name the worker's name
 * @param task the serialized {@link Task}
 */
record WorkerTask(String name, byte[] task) implements Callable<byte[]>, Serializable, HazelcastInstanceAware {

  @Serial private static final long serialVersionUID = 1L;

  @Override
  public void setHazelcastInstance(HazelcastInstance hz) {
    Instances.delivered(hz);
  }

  /** @return null when the task returned, else a serialized {@link Shipping.Failure} */
  @Override
  public byte[] call() {
    Thread me = Thread.currentThread();
    String threadName = me.getName();
    me.setName("multiproc-" + name);
    try {
      ((Task) Shipping.deserialize(task, "the task of worker " + name)).run();
      return null;
    } catch (Throwable t) {
      return Shipping.serialize(Shipping.Failure.of(t), "the failure of worker " + name);
    } finally {
      me.setName(threadName);
    }
  }
}
