package dev.multiproc.process;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Byte arrays given back once their bytes are no longer needed, to be written or read into again:
 * memory a JVM has not touched yet costs a page fault per 4 KiB (13.5 us each on the 2-core CI
 * machine), and until a JVM's first collections every new array is such memory. The parent keeps
 * the arrays of answered chunks to encode later ones ({@link ProcessPool}); a child the arrays its
 * chunks' messages were read into ({@link ChildChannel}).
 *
 * <p>Keeps at most {@code count} arrays, each of {@code min} to {@code max} bytes, and hands one
 * out for a request of at least half its length (a far larger one would hold memory a small
 * request does not use). Thread-safe.
 */
final class SpareArrays {

  private final int count;
  private final int min;
  private final int max;
  private final ConcurrentLinkedQueue<byte[]> kept = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();

  SpareArrays(int count, int min, int max) {
    this.count = count;
    this.min = min;
    this.max = max;
  }

  /** An array of at least {@code len} bytes: a kept one that fits, else a new one of exactly {@code len}. */
  byte[] take(int len) {
    if (len >= min && len <= max) {
      byte[] a = kept.poll();
      if (a != null) {
        if (a.length >= len && a.length / 2 <= len) {
          size.decrementAndGet();
          return a;
        }
        kept.offer(a); // fits a later request
      }
    }
    return new byte[len];
  }

  /** Nothing uses {@code a} any more: a later {@link #take} may hand it out. */
  void giveBack(byte[] a) {
    if (a.length < min || a.length > max) {
      return;
    }
    if (size.incrementAndGet() > count) {
      size.decrementAndGet();
      return;
    }
    kept.offer(a);
  }
}
