package dev.multiproc.engine;

import dev.multiproc.MultiprocException;
import dev.multiproc.NotShippableException;
import dev.multiproc.TaskFunction;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The job of one {@code imap} or {@code imapUnordered}: the iterator itself. It reads its input lazily
 * on the consumer's thread and keeps a bounded window of chunks in flight.
 *
 * <p>When the input cannot go on (its iterator throws, it holds a null, an item cannot be shipped,
 * the pool stopped accepting work), the items read before are still handed out; the iterator
 * yields their results first and then throws that exception itself, as is, once, and ends: Python's
 * {@code imap} reports an input iterator's exception at its position in the same way. An
 * {@link Error} from the input is not held back.
 */
final class IterJob<T, R> extends Job implements Iterator<R> {

  /** An outcome of one item: its value, or the exception to throw for it. */
  private record Outcome(Object value, RuntimeException failure) {}

  // Touched by the consumer thread only.
  private final Iterator<? extends T> source;
  private final int chunk;
  private final boolean ordered;
  /** The window while items are slow, or not known yet: {@code max(4, 2 * workers)} chunks. */
  private final int slowWindow;
  /** The window while items are quick: at least {@link #QUICK_WINDOW} items. */
  private final int quickWindow;
  private long nextIndex;
  private long nextSequence;
  private boolean sourceDone;
  private RuntimeException feedError;

  // Shared with the executors: guarded by jobLock.
  private final ReentrantLock jobLock = new ReentrantLock();
  private final Condition changed = jobLock.newCondition();
  private final ArrayDeque<Outcome> ready = new ArrayDeque<>();
  private final Map<Long, Outcome[]> doneUnits = new HashMap<>();
  private long yieldSequence;
  private int inFlight;
  /**
   * When a result last arrived, or the job started: the first result's wait counts too, so that the
   * first results of several workers arriving together cannot make slow items look quick.
   */
  private long lastArrival = System.nanoTime();
  /** A moving average of a worker's time per item, as results arrive; negative until one has. */
  private double itemNanos = -1;
  private RuntimeException terminal;
  /**
   * Set once the consumer gave up (interrupted): read by the pool under its own lock, which must not
   * take {@code jobLock} (the consumer holds {@code jobLock} while it calls into the pool).
   */
  private volatile boolean gaveUp;

  IterJob(AbstractPool pool, TaskFunction<?, ?> fn, Iterator<? extends T> source, int chunk, boolean ordered) {
    super(pool, fn);
    this.source = source;
    this.chunk = chunk;
    this.ordered = ordered;
    this.slowWindow = chunk * Math.max(4, 2 * pool.options.workers());
    this.quickWindow = Math.max(slowWindow, QUICK_WINDOW);
  }

  /**
   * How many items an iterator may have running or waiting to be consumed while its items are
   * quick. Python's default chunk size for {@code imap} is 1, and a window of a few single items is
   * a few round trips to a worker per several items: a child JVM's round trip is tens of
   * microseconds, so {@code imap} of 100,000 quick items ran at 11-17 k items/s on the process
   * backend (Python: 15-18 k/s) with 4 items out, 38-131 k/s with 64 (benchmarks/RESULTS.md).
   */
  static final int QUICK_WINDOW = 64;

  /**
   * Items are quick while results come back faster than this per item of a worker's time: then a
   * {@code close()} waiting for the work an abandoned iterator had handed out waits at most
   * {@code QUICK_WINDOW} of them, tens of milliseconds.
   */
  static final long QUICK_ITEM_NANOS = 1_000_000;

  /** The window now. Holds jobLock. */
  private int window() {
    return itemNanos >= 0 && itemNanos < QUICK_ITEM_NANOS ? quickWindow : slowWindow;
  }

  /**
   * Hands more input to the pool while the window allows, a chunk at a time, each handed over
   * before the next is read (an input may wait for the work of the items before it). A wide
   * (quick) window is topped up once half of it is free rather than a chunk per result consumed:
   * the units then reach a child together. Consumer thread only.
   */
  void feed() {
    jobLock.lock();
    try {
      int window = window();
      if (window > slowWindow && inFlight > window / 2) {
        return;
      }
    } finally {
      jobLock.unlock();
    }
    while (!sourceDone && feedError == null) {
      jobLock.lock();
      try {
        if (inFlight + chunk > window()) {
          return;
        }
      } finally {
        jobLock.unlock();
      }
      List<Object> items = new ArrayList<>(chunk);
      try {
        while (items.size() < chunk && source.hasNext()) {
          T item = source.next();
          if (item == null) {
            feedError = new NullPointerException("item " + (nextIndex + items.size()) + " is null; a pool refuses null items");
            break;
          }
          items.add(item);
        }
      } catch (RuntimeException e) {
        // As Python's imap: the input's own exception, at its position, after the results before it.
        feedError = e;
      }
      if (items.size() < chunk && feedError == null) {
        sourceDone = true;
      }
      if (items.isEmpty()) {
        return;
      }
      Object[] chunkItems = items.toArray();
      WorkUnit unit = new WorkUnit(this, nextSequence, nextIndex, chunkItems, 0, chunkItems.length, null);
      try {
        unit.attachment = pool.prepareItems(chunkItems, 0, chunkItems.length, nextIndex);
      } catch (NotShippableException e) {
        feedError = e;
        return;
      }
      jobLock.lock();
      try {
        inFlight += items.size();
      } finally {
        jobLock.unlock();
      }
      try {
        pool.enqueue(List.of(unit));
      } catch (RejectedExecutionException e) {
        jobLock.lock();
        try {
          inFlight -= items.size();
        } finally {
          jobLock.unlock();
        }
        feedError = e;
        return;
      }
      nextSequence++;
      nextIndex += items.size();
    }
  }

  @Override
  void unitDone(WorkUnit u, Object[] results, Throwable[] failures) {
    Outcome[] outcomes = new Outcome[results.length];
    for (int i = 0; i < results.length; i++) {
      Throwable f = failures == null ? null : failures[i];
      outcomes[i] = new Outcome(results[i], f == null ? null : itemFailure(u.firstIndex + i, f));
    }
    arrived(u, outcomes);
  }

  @Override
  void unitFailed(WorkUnit u, Throwable failure) {
    if (failure instanceof CancellationException c) {
      jobLock.lock();
      try {
        terminal = c;
        changed.signalAll();
      } finally {
        jobLock.unlock();
      }
      return;
    }
    Outcome[] outcomes = new Outcome[u.size()];
    for (int i = 0; i < outcomes.length; i++) {
      outcomes[i] = new Outcome(null, forItem(u.firstIndex + i, failure));
    }
    arrived(u, outcomes);
  }

  @Override
  boolean abandoned() {
    return gaveUp;
  }

  private void arrived(WorkUnit u, Outcome[] outcomes) {
    jobLock.lock();
    try {
      long now = System.nanoTime();
      double perItem = (double) (now - lastArrival) * pool.options.workers() / outcomes.length;
      lastArrival = now;
      itemNanos = itemNanos < 0 ? perItem : 0.75 * itemNanos + 0.25 * perItem;
      if (ordered) {
        doneUnits.put(u.sequence, outcomes);
      } else {
        ready.addAll(Arrays.asList(outcomes));
      }
      changed.signalAll();
    } finally {
      jobLock.unlock();
    }
  }

  /** Moves the next unit in input order, if it has arrived, to {@code ready}. Holds jobLock. */
  private void advance() {
    if (ordered && ready.isEmpty()) {
      Outcome[] next = doneUnits.remove(yieldSequence);
      if (next != null) {
        yieldSequence++;
        ready.addAll(Arrays.asList(next));
      }
    }
  }

  @Override
  public boolean hasNext() {
    while (true) {
      feed();
      jobLock.lock();
      try {
        if (terminal != null) {
          throw terminal;
        }
        advance();
        if (!ready.isEmpty()) {
          return true;
        }
        if (inFlight == 0 && (sourceDone || feedError != null)) {
          return feedError != null;
        }
        changed.await();
      } catch (InterruptedException e) {
        terminal = new MultiprocException("interrupted while waiting for the next result; queued work was cancelled", e);
        gaveUp = true;
        pool.removePending(this);
        pool.unitsAbandoned();
        Thread.currentThread().interrupt();
        throw terminal;
      } finally {
        jobLock.unlock();
      }
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public R next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Outcome o;
    jobLock.lock();
    try {
      o = ready.poll();
      if (o != null) {
        inFlight--;
      }
    } finally {
      jobLock.unlock();
    }
    if (o == null) {
      RuntimeException e = feedError;
      feedError = null;
      sourceDone = true;
      throw e;
    }
    if (o.failure() != null) {
      throw o.failure();
    }
    return (R) o.value();
  }
}
