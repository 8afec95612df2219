package dev.multiproc.process;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.zip.CRC32;

/**
 * The framing of the child-to-parent channel (the child's stdout), built so that bytes written
 * straight to file descriptor 1 (native code, {@code FileDescriptor.out}, JVM warnings) can never
 * break it and are never lost.
 *
 * <p>A message is cut into fragments of at most {@link #MAX_FRAGMENT} bytes. Each fragment travels
 * as one frame on the wire: {@code 00 'M' 'P' cobs(flags fragment crc32) 00}. COBS encoding leaves
 * no zero byte inside a frame, so a frame is found by its zero delimiters and checked by its CRC;
 * anything else is the child's raw output. A whole frame is at most {@link #MAX_WIRE} bytes, no
 * more than Linux's {@code PIPE_BUF}, and the child writes frames only in single {@code write}
 * calls of at most that size: the kernel keeps such writes contiguous, so stray writes by other
 * code land between frames, never inside one.
 *
 * <p>Both directions work on runs, not bytes: the encoder copies the stretches between zero bytes
 * with {@code System.arraycopy}, the parser finds zero bytes eight at a time and decodes a frame
 * straight from the read buffer when it lies there whole (the usual case).
 */
final class Frames {

  /** Bytes a frame may take on the wire: Linux's PIPE_BUF, the atomic pipe write size. */
  static final int MAX_WIRE = 4096;

  /** Bytes of a message a frame carries. */
  static final int MAX_FRAGMENT = 3990;

  static final int FIRST = 1;
  static final int LAST = 2;

  private static final byte M = 'M';
  private static final byte P = 'P';

  private Frames() {}

  /**
   * Appends one frame carrying {@code len} bytes of {@code src} to {@code out}.
   *
   * @param flags {@link #FIRST} and/or {@link #LAST}
   */
  static void encode(int flags, byte[] src, int off, int len, Buf out) {
    Encoder e = new Encoder();
    e.begin(out, flags, len + 4);
    e.put(src, off, len);
    e.end();
  }

  /**
   * Encodes one frame straight into an output buffer from pieces (a header, a payload), with no
   * copy in between: COBS and the CRC run over the pieces as they come. One per writer; reused.
   */
  static final class Encoder {
    private final CRC32 crc = new CRC32();
    private Buf out;
    private int codePos;
    private int code;

    /** Starts a frame that will carry at most {@code maxLength} bytes after the flags. */
    void begin(Buf out, int flags, int maxLength) {
      this.out = out;
      out.ensure(maxLength + maxLength / 254 + 16);
      out.bytes[out.size++] = 0;
      out.bytes[out.size++] = M;
      out.bytes[out.size++] = P;
      codePos = out.size++;
      code = 1;
      crc.reset();
      crc.update(flags);
      stuff((byte) flags);
    }

    void put(byte[] b, int off, int len) {
      crc.update(b, off, len);
      // Long runs: the zero search eight bytes a step. Short ones (most messages): a byte loop, so
      // that a child that never sends a large message never sets up the word view.
      boolean wordwise = len >= 512;
      byte[] dst = out.bytes;
      int o = out.size;
      int end = off + len;
      int i = off;
      while (i < end) {
        // copy the run up to the next zero, or until this COBS block is full
        int limit = Math.min(end, i + 0xFF - code);
        int z = wordwise ? indexOfZero(b, i, limit) : byteIndexOfZero(b, i, limit);
        int run = z - i;
        System.arraycopy(b, i, dst, o, run);
        o += run;
        code += run;
        i = z;
        if (code == 0xFF || i < end) { // a full block, or b[i] == 0: close the block
          dst[codePos] = (byte) code;
          codePos = o++;
          code = 1;
          if (z < limit) {
            i++; // the zero is the block's end, not data
          }
        }
      }
      out.size = o;
    }

    void put(int b) {
      crc.update(b);
      stuff((byte) b);
    }

    /** Ends the frame: the CRC, the last COBS code, the closing zero. */
    void end() {
      int c = (int) crc.getValue();
      stuff((byte) (c >>> 24));
      stuff((byte) (c >>> 16));
      stuff((byte) (c >>> 8));
      stuff((byte) c);
      out.bytes[codePos] = (byte) code;
      out.bytes[out.size++] = 0;
      out = null;
    }

    private void stuff(byte b) {
      byte[] dst = out.bytes;
      if (b == 0) {
        dst[codePos] = (byte) code;
        codePos = out.size++;
        code = 1;
      } else {
        dst[out.size++] = b;
        if (++code == 0xFF) {
          dst[codePos] = (byte) code;
          codePos = out.size++;
          code = 1;
        }
      }
    }
  }

  /** Decodes COBS {@code src[off, off+len)} into {@code dst}; returns the length, or -1 if malformed. */
  static int cobsDecode(byte[] src, int off, int len, byte[] dst) {
    int i = off;
    int end = off + len;
    int o = 0;
    while (i < end) {
      int code = src[i++] & 0xFF;
      if (code == 0 || i + code - 1 > end) {
        return -1;
      }
      System.arraycopy(src, i, dst, o, code - 1);
      i += code - 1;
      o += code - 1;
      if (code < 0xFF && i < end) {
        dst[o++] = 0;
      }
    }
    return o;
  }

  /** Eight bytes of an array as one long, for the zero search; apart so that a child never makes it. */
  private static final class Words {
    static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  }

  /** The index of the first zero byte in {@code b[from, to)}, or {@code to}: a byte a step. */
  static int byteIndexOfZero(byte[] b, int from, int to) {
    int i = from;
    while (i < to && b[i] != 0) {
      i++;
    }
    return i;
  }

  /** The index of the first zero byte in {@code b[from, to)}, or {@code to}: eight bytes a step. */
  static int indexOfZero(byte[] b, int from, int to) {
    int i = from;
    for (; i + 8 <= to; i += 8) {
      long v = (long) Words.LONGS.get(b, i);
      long zeros = (v - 0x0101010101010101L) & ~v & 0x8080808080808080L; // the lowest flag is the first zero
      if (zeros != 0) {
        return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (b[i] == 0) {
        return i;
      }
    }
    return to;
  }

  /** What a {@link Parser} finds in the stream. */
  interface Sink {
    /** Bytes that are not part of any frame: the child's raw output, in order. */
    void raw(byte[] b, int off, int len);

    /** A frame that passed its CRC check: its flags and fragment. */
    void frame(int flags, byte[] b, int off, int len);
  }

  /**
   * Splits the byte stream of a child's stdout into frames and raw output. Raw bytes are passed
   * on as soon as they cannot be the start of a frame; bytes that look like the start of a frame
   * are held until the frame ends or proves false (at most {@link #MAX_WIRE} bytes, or until the
   * next zero byte), then passed on as raw. Not thread-safe: one reader thread feeds it.
   */
  static final class Parser {
    private static final int RAW = 0;
    private static final int MAYBE = 1;
    private static final int FRAME = 2;

    private final Sink sink;
    private final byte[] hold = new byte[MAX_WIRE + 1];
    private final byte[] decoded = new byte[MAX_WIRE];
    private final CRC32 crc = new CRC32();
    private int held;
    private int state = RAW;

    Parser(Sink sink) {
      this.sink = sink;
    }

    void feed(byte[] b, int off, int len) {
      int i = off;
      int end = off + len;
      while (i < end) {
        switch (state) {
          case RAW -> {
            int z = indexOfZero(b, i, end);
            if (z > i) {
              sink.raw(b, i, z - i);
            }
            i = z < end ? candidate(b, z, end) : end;
          }
          case MAYBE -> {
            hold[held++] = b[i++];
            if (held == 2 && hold[1] != M || held == 3 && hold[2] != P) {
              reject();
            } else if (held == 3) {
              state = FRAME;
            }
          }
          default -> {
            int room = hold.length - held;
            int z = indexOfZero(b, i, Math.min(end, i + room));
            System.arraycopy(b, i, hold, held, z - i);
            held += z - i;
            i = z;
            if (held == hold.length) {
              sink.raw(hold, 0, held);
              held = 0;
              state = RAW;
            } else if (z < end) {
              // b[z] == 0: the end of this frame, or the start of the next if this one is false
              if (complete()) {
                i = z + 1;
              }
            }
          }
        }
      }
    }

    /**
     * {@code b[z] == 0} in the raw state: a frame may start here. If the whole candidate is in
     * {@code b}, it is decided on the spot, with no copy; otherwise it is held. Returns where to
     * go on.
     */
    private int candidate(byte[] b, int z, int end) {
      if (z + 2 < end) {
        if (b[z + 1] != M || b[z + 2] != P) {
          sink.raw(b, z, 1); // not a frame start; the next zero may be one
          return z + 1;
        }
        int limit = z + hold.length; // a frame is at most MAX_WIRE bytes with its opening zero
        int e = indexOfZero(b, z + 3, Math.min(end, limit));
        if (e < end && e < limit) {
          if (tryFrame(b, z + 3, e - z - 3)) {
            return e + 1;
          }
          sink.raw(b, z, e - z);
          return e; // the zero that ended the false candidate may start a frame
        }
        if (limit <= end) {
          sink.raw(b, z, limit - z); // too long to be a frame
          return limit;
        }
      }
      hold[0] = 0;
      held = 1;
      state = MAYBE;
      return z + 1;
    }

    /** The held bytes are not a frame start: pass the zero on as raw and rescan the rest. */
    private void reject() {
      byte[] rest = java.util.Arrays.copyOfRange(hold, 1, held);
      sink.raw(hold, 0, 1);
      held = 0;
      state = RAW;
      feed(rest, 0, rest.length);
    }

    /**
     * A zero byte ended a candidate frame. Returns true if the candidate was a frame (the zero is
     * its end and consumed), false if not (the candidate is raw; the zero may start a frame).
     */
    private boolean complete() {
      int n = held;
      held = 0;
      state = RAW;
      if (tryFrame(hold, 3, n - 3)) {
        return true;
      }
      sink.raw(hold, 0, n);
      return false;
    }

    /** Decodes COBS {@code src[off, off+len)}; if it is a frame with a good CRC, passes it on and returns true. */
    private boolean tryFrame(byte[] src, int off, int len) {
      int n = cobsDecode(src, off, len, decoded);
      if (n < 5) {
        return false;
      }
      crc.reset();
      crc.update(decoded, 0, n - 4);
      int expected = ((decoded[n - 4] & 0xFF) << 24) | ((decoded[n - 3] & 0xFF) << 16)
          | ((decoded[n - 2] & 0xFF) << 8) | (decoded[n - 1] & 0xFF);
      if ((int) crc.getValue() != expected) {
        return false;
      }
      sink.frame(decoded[0] & 0xFF, decoded, 1, n - 5);
      return true;
    }

    /** End of stream: whatever is held is raw output. */
    void end() {
      if (held > 0) {
        sink.raw(hold, 0, held);
        held = 0;
      }
      state = RAW;
    }
  }
}
