package dev.multiproc.process;

/**
 * The message types of the parent-child protocol. Every message is {@code type id payload}: a
 * type byte, a varint id (a request, unit or slot id; 0 when unused) and a type-specific payload.
 * Parent to child, a message is sent as {@code int length, message} on the child's stdin; child to
 * parent, as {@link Frames} on its stdout.
 */
final class Msg {

  private Msg() {}

  // ---- parent -> child
  /** Run a Worker's task: payload = the task; the child exits when it ends. */
  static final int RUN_WORKER = 1;
  /** Run a pool's initializer before any unit: payload = the initializer or null. */
  static final int POOL_INIT = 2;
  /** Cache a function: id = cache slot, payload = the function. */
  static final int FUNCTION = 3;
  /** Apply a cached function to a chunk: id = unit, payload = slot, items. */
  static final int CHUNK = 4;
  /** Run a callable: id = unit, payload = the callable. */
  static final int CALL = 5;
  /** Answer a child's request: id = request, payload = status, value. */
  static final int REPLY = 6;
  /** Give back a unit if it has not started: id = unit; answered by UNIT_CANCELLED or by its result. */
  static final int CANCEL_UNIT = 7;
  /**
   * Slots of a bounded queue reserved for the child's puts: id = the queue, payload = how many.
   * Sent before the reply of the put request it goes with.
   */
  static final int CREDIT = 10;
  /** Give back the unspent credits of a queue: id = the queue; answered by CREDIT_BACK. */
  static final int RECLAIM = 11;
  /**
   * Items of a queue lent ahead to the child, which takes them without asking: id = the queue,
   * payload = how many, then each as delivery id, length, value. Sent before the reply of the get
   * request it goes with; the child acknowledges each ({@link #ACK}) as a get takes it.
   */
  static final int LEND = 12;
  /**
   * Answer for the items of a queue lent to the child: id = the queue, payload = 1 to give back
   * those not taken, 0 only to report (the acknowledgements before the answer); answered by GIVE_BACK.
   */
  static final int RECALL = 13;
  /** An end of a pipe was closed: id = the pipe; sends on either end throw from now on. */
  static final int PIPE_BROKEN = 14;

  // ---- child -> parent
  /** The child is ready: id = 0 (the parent knows the pid from its {@code Process}). */
  static final int HELLO = 64;
  /** Bytes the child's code printed to System.out. */
  static final int OUT = 65;
  /** Bytes the child's code printed to System.err. */
  static final int ERR = 66;
  /** The outcome of a chunk: id = unit, payload = nanoseconds it ran, kind, results or failure. */
  static final int RESULTS = 67;
  /** The outcome of a callable: id = unit, payload = nanoseconds it ran, ok flag, value or failure. */
  static final int CALL_RESULT = 68;
  /** The pool's initializer threw: payload = failure. */
  static final int INIT_FAILED = 69;
  /** A unit given back after CANCEL_UNIT, never started: id = unit. */
  static final int UNIT_CANCELLED = 79;
  /** The pool's initializer ran (or there is none): the child takes units now. */
  static final int INIT_OK = 78;
  /** A Worker's task ended: payload = ok flag, failure. */
  static final int WORKER_DONE = 70;
  /** Put on an unbounded queue, no reply: payload = queue, item. */
  static final int QUEUE_PUT = 71;
  /** A queue request with a reply: id = request, payload = op, queue, wait, [item]. */
  static final int QUEUE_OP = 72;
  /** Set an event, no reply: payload = event. */
  static final int EVENT_SET = 73;
  /** Clear an event, no reply: payload = event. */
  static final int EVENT_CLEAR = 74;
  /** An event request with a reply: id = request, payload = op, event, wait. */
  static final int EVENT_OP = 75;
  /** The requesting thread was interrupted: id = request; the parent replies once, as ever. */
  static final int CANCEL = 76;
  /** The item of a get reply, or a lent item, reached its taker: id = the request, or the item's delivery id. */
  static final int ACK = 77;
  /** What the child holds of a queue or event ({@link ProxyRefs}): id = the queue or event, payload = a REF_ op. */
  static final int REF = 80;

  // ---- REF operations
  /** The child made its first live proxy of it. */
  static final int REF_ATTACH = 1;
  /** The collector cleared the child's last proxy of it. */
  static final int REF_DETACH = 2;
  /** A proxy of it went inside a queue item: keep it for good. */
  static final int REF_PIN = 3;

  /**
   * A request on a lock, semaphore, barrier, joinable queue's count, pipe end, value or shared
   * map, with a reply: id = request, payload = kind, op, object, wait, [args]. See {@link HubSync}.
   */
  static final int SYNC_OP = 81;
  /** Put on a bounded queue in a slot reserved by a CREDIT, no reply: payload = queue, item. */
  static final int QUEUE_PUT_CREDITED = 90;
  /** Unspent credits given back after a RECLAIM: id = the queue, payload = how many (maybe 0). */
  static final int CREDIT_BACK = 91;
  /** Child → parent, on the pipe: records wait in the shared-memory {@link Ring}; drain it. */
  static final int DOORBELL = 92;
  /**
   * A joinable queue's {@code taskDone}, no reply: id = the joinable queue. Sent only for an item
   * the child took, so the count cannot be at zero unless another process called it too often.
   */
  static final int TASK_DONE = 94;
  /**
   * A pipe send, no reply: id = the pipe, payload = the end (0 left, 1 right), the item. Only after
   * a send that asked succeeded; a closed pipe answers PIPE_BROKEN.
   */
  static final int PIPE_SEND = 95;
  /**
   * A {@link SlabLock}'s release through the hub, no reply: id = the lock, payload = the lock word
   * released (a long; 0: the child freed it itself, hand it on to a waiter).
   */
  static final int LOCK_RELEASE = 96;
  /**
   * A {@link SlabSemaphore}'s release through the hub, no reply: id = the semaphore, payload = a
   * byte: 1 if a permit is added (else the child added it and the hub only hands it on), 2 if the
   * child uncounted it from its own holdings (else the hub uncounts one it handed the child).
   */
  static final int SEMAPHORE_RELEASE = 97;
  /** The answer to a RECALL: id = the queue, payload = how many lent items come back, their delivery ids (oldest first). */
  static final int GIVE_BACK = 93;

  // ---- queue and event operations
  static final int OP_PUT = 1;
  static final int OP_GET = 2;
  static final int OP_SIZE = 3;
  static final int OP_IS_SET = 4;
  static final int OP_AWAIT = 5;

  // ---- reply statuses
  /** Done; payload = a value (the item of a get, the size, ...). */
  static final int R_VALUE = 1;
  /** Done: true (put added the item, the event is set, ...). */
  static final int R_TRUE = 2;
  /** Done: false (timed out, queue full or empty, event not set). */
  static final int R_FALSE = 3;
  /** Cancelled after a CANCEL: nothing happened. */
  static final int R_CANCELLED = 4;
  /** Failed: payload = a failure. */
  static final int R_ERROR = 5;

  // ---- RESULTS kinds
  static final int RESULTS_ITEMS = 0;
  static final int RESULTS_UNIT_FAILED = 1;

  /** Wait encoding in requests: 0 = forever, otherwise nanoseconds + 1 (1 = do not wait). */
  static long encodeWait(long nanos) {
    return nanos < 0 ? 1 : nanos + 1;
  }

  static final long WAIT_FOREVER = 0;
}
