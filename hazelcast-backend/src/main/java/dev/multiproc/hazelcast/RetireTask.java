package dev.multiproc.hazelcast;

import java.io.Serial;
import java.io.Serializable;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Ends pool workers' threads on the member it is sent to (the pool closed, or the worker reached
 * {@code maxTasksPerWorker}). Idle threads of unknown workers end by themselves after a while.
 *
 * @param workerIds the workers
 */
record RetireTask(List<String> workerIds) implements Callable<Boolean>, Serializable {

  @Serial private static final long serialVersionUID = 1L;

  @Override
  public Boolean call() {
    MemberWorkers.retire(workerIds);
    return Boolean.TRUE;
  }
}
