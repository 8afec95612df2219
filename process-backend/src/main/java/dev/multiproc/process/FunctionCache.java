package dev.multiproc.process;

/**
 * A child's function cache: {@link #SLOTS} slots holding the functions of map jobs, so that a
 * function is sent once per child and chunks name its slot ({@link Msg#FUNCTION}, {@link Msg#CHUNK}).
 *
 * <p>The parent decides what goes where: its {@link PoolSlot} keeps one of these per child and asks
 * {@link #slotFor} before each chunk, which replaces the least recently used slot on a miss. The
 * child keeps one too and only stores what it is sent ({@link #store}) and reads it back
 * ({@link #get}). Each side uses its own half; neither is thread-safe (the parent's is used by the
 * child's dispatcher thread only, the child's by its executor thread only).
 */
final class FunctionCache {

  /** The cache has this many slots; the parent decides what goes where. */
  static final int SLOTS = 8;

  // The parent's side: which job's function each slot holds, and when it was last used.
  private final long[] cachedJobs = new long[SLOTS];
  private final long[] lastUse = new long[SLOTS];
  private long clock;

  // The child's side: the functions (or why one could not be read).
  private final Object[] functions = new Object[SLOTS];

  /** The child's slot holding the job's function: >= 0 if cached, else -(slot to fill) - 1. */
  int slotFor(long job) {
    int victim = 0;
    clock++;
    for (int i = 0; i < cachedJobs.length; i++) {
      if (cachedJobs[i] == job) {
        lastUse[i] = clock;
        return i;
      }
      if (lastUse[i] < lastUse[victim]) {
        victim = i;
      }
    }
    cachedJobs[victim] = job;
    lastUse[victim] = clock;
    return -victim - 1;
  }

  /** Stores what the parent sent for a slot: the function, or the exception saying why it could not be read. */
  void store(int slot, Object function) {
    functions[slot] = function;
  }

  /** What the slot holds. */
  Object get(int slot) {
    return functions[slot];
  }
}
