package dev.multiproc.process;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The child's writer of messages to its parent: every message goes through {@link #send}, from
 * any thread. With a {@link Ring} (the usual case) a message is copied into shared memory, and the
 * pipe carries only the ring's doorbell; without one, it is written to stdout as frames ({@link
 * Frames}).
 *
 * <p>Pipe writes are flat-combined: a sending thread appends its frames to a shared buffer and, unless
 * another thread is already writing, writes the buffer itself in pipe-atomic pieces. A send
 * returns once its bytes are in the pipe, so a queue item put by a child that is killed the next
 * moment still reaches the parent; under load many messages share one write.
 */
final class FrameWriter {

  private final OutputStream rawOut;
  /** The shared-memory lane to the parent, or null: then every message is written to the pipe. */
  private final Ring ring;

  private final ReentrantLock writeLock = new ReentrantLock();
  private final Condition written = writeLock.newCondition();
  private Outbox outbox = new Outbox();
  private final Frames.Encoder encoder = new Frames.Encoder(); // guarded by writeLock
  private final Buf header = new Buf(16); // guarded by writeLock
  private Outbox spare = new Outbox();
  private boolean writing;
  private long appended;
  private long done;

  /**
   * @param rawOut the pipe to the parent (file descriptor 1); the JVM halts if a write to it fails
   * @param ring the ring to the parent, or null for none
   */
  FrameWriter(OutputStream rawOut, Ring ring) {
    this.rawOut = rawOut;
    this.ring = ring;
  }

  /** Frames waiting to be written, with the offset where each ends. */
  private static final class Outbox {
    final Buf bytes = new Buf(Frames.MAX_WIRE * 2);
    int[] ends = new int[64];
    int frames;

    void clear() {
      bytes.size = 0;
      frames = 0;
    }
  }

  /**
   * Sends a message; returns once it is written to the pipe.
   *
   * @param payload the payload, or null for none
   */
  void send(int type, long id, Buf payload) {
    send(type, id, payload, true);
  }

  /**
   * Sends a message the parent need not read at once (an acknowledgement): with a ring it is
   * published without waking the parent's reader, and read with the next message that does, or
   * when the child's output ends; without one it is sent as any other.
   */
  void sendLazily(int type, long id, Buf payload) {
    send(type, id, payload, false);
  }

  /**
   * @return true if the parent has read (and handled) every message sent so far: only with a ring,
   *     whose reader publishes how far it has read; false without one
   */
  boolean allRead() {
    return ring != null && ring.readUpTo(ring.published()); // what this thread wrote is published: no lock
  }

  boolean hasRing() {
    return ring != null;
  }

  /** @return the ring to the parent, or null */
  Ring ring() {
    return ring;
  }

  /**
   * Sends a message (id 0) as {@link #send} does.
   *
   * @return where it ends on the ring, for {@link #readUpTo}; 0 without a ring
   */
  long sendMarked(int type, Buf payload) {
    writeLock.lock(); // reentrant: held across the send, so no other message comes between
    try {
      send(type, 0, payload, true);
      return ring == null ? 0 : ring.written();
    } finally {
      writeLock.unlock();
    }
  }

  /** @return true if the parent has read (and handled) the messages up to {@code mark} ({@link #sendMarked}); false without a ring */
  boolean readUpTo(long mark) {
    return ring != null && ring.readUpTo(mark);
  }

  private void send(int type, long id, Buf payload, boolean wake) {
    int payloadSize = payload == null ? 0 : payload.size;
    writeLock.lock();
    try {
      if (ring != null) {
        // Shared memory: a copy, and a doorbell on the pipe only if the parent's reader sleeps.
        header.size = 0;
        header.writeByte(type).writeVarLong(id);
        ring.write(header, payload, wake);
        return;
      }
      if (payloadSize + 11 <= Frames.MAX_FRAGMENT) {
        // The common case, one frame: encoded straight from the header and the payload.
        header.size = 0;
        header.writeByte(type).writeVarLong(id);
        encoder.begin(outbox.bytes, Frames.FIRST | Frames.LAST, header.size + payloadSize + 4);
        encoder.put(header.bytes, 0, header.size);
        if (payloadSize > 0) {
          encoder.put(payload.bytes, 0, payloadSize);
        }
        encoder.end();
        endFrame();
      } else {
        // A message in pieces, cut from the header and the payload where they are (no copy of the
        // whole): the first says how long the whole is, so the parent allocates it once.
        header.size = 0;
        header.writeByte(type).writeVarLong(id);
        int total = header.size + payloadSize;
        Buf length = new Buf(8).writeVarLong(total);
        int off = 0;
        while (off < total) {
          int room = off == 0 ? Frames.MAX_FRAGMENT - length.size : Frames.MAX_FRAGMENT;
          int n = Math.min(room, total - off);
          encoder.begin(outbox.bytes, (off == 0 ? Frames.FIRST : 0) | (off + n == total ? Frames.LAST : 0),
              n + (off == 0 ? length.size : 0) + 4);
          if (off == 0) {
            encoder.put(length.bytes, 0, length.size);
          }
          int h = Math.max(0, Math.min(header.size, off + n) - off); // header bytes in this piece
          if (h > 0) {
            encoder.put(header.bytes, off, h);
          }
          int p = off + h - header.size; // where this piece's payload bytes start
          if (n - h > 0) {
            encoder.put(payload.bytes, p, n - h);
          }
          encoder.end();
          endFrame();
          off += n;
        }
      }
      long mine = ++appended;
      if (writing) {
        while (done < mine) {
          written.awaitUninterruptibly();
        }
        return;
      }
      writing = true;
      try {
        while (outbox.frames > 0) {
          Outbox batch = outbox;
          outbox = spare;
          long upTo = appended;
          writeLock.unlock();
          try {
            writeOut(batch);
          } finally {
            writeLock.lock();
          }
          batch.clear();
          spare = batch;
          done = upTo;
          written.signalAll();
        }
      } finally {
        writing = false;
      }
    } finally {
      writeLock.unlock();
    }
  }

  /** Records where the frame just encoded into the outbox ends. Holds writeLock. */
  private void endFrame() {
    if (outbox.frames == outbox.ends.length) {
      outbox.ends = java.util.Arrays.copyOf(outbox.ends, outbox.frames * 2);
    }
    outbox.ends[outbox.frames++] = outbox.bytes.size;
  }

  /** Writes whole frames in pieces of at most PIPE_BUF bytes, each one write call. */
  private void writeOut(Outbox batch) {
    byte[] b = batch.bytes.bytes;
    int start = 0;
    int last = 0;
    try {
      for (int i = 0; i < batch.frames; i++) {
        if (batch.ends[i] - start > Frames.MAX_WIRE) {
          rawOut.write(b, start, last - start);
          start = last;
        }
        last = batch.ends[i];
      }
      rawOut.write(b, start, last - start);
    } catch (IOException e) {
      // The parent is gone: nobody reads us any more.
      Runtime.getRuntime().halt(0);
    }
  }

  /** {@code System.out} / {@code System.err} of the child: bytes go to the parent as frames. */
  static final class UserStream extends OutputStream {
    private final FrameWriter writer;
    private final int type;
    private final Buf pending = new Buf(512);

    UserStream(FrameWriter writer, int type) {
      this.writer = writer;
      this.type = type;
    }

    @Override
    public void write(int b) {
      pending.writeByte(b);
      if (pending.size >= 8192) {
        flush();
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      pending.writeBytes(b, off, len);
      if (pending.size >= 8192) {
        flush();
      }
    }

    @Override
    public void flush() {
      if (pending.size > 0) {
        writer.send(type, 0, pending);
        pending.size = 0;
      }
    }
  }
}
