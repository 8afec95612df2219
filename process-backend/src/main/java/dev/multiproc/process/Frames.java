package dev.multiproc.process;

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
      for (int i = off; i < off + len; i++) {
        stuff(b[i]);
      }
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
      for (int j = 1; j < code; j++) {
        dst[o++] = src[i++];
      }
      if (code < 0xFF && i < end) {
        dst[o++] = 0;
      }
    }
    return o;
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
            int z = i;
            while (z < end && b[z] != 0) {
              z++;
            }
            if (z > i) {
              sink.raw(b, i, z - i);
            }
            if (z < end) {
              hold[0] = 0;
              held = 1;
              state = MAYBE;
              i = z + 1;
            } else {
              i = end;
            }
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
            int z = i;
            int room = hold.length - held;
            while (z < end && b[z] != 0 && z - i < room) {
              z++;
            }
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
      int n = cobsDecode(hold, 3, held - 3, decoded);
      if (n >= 5) {
        crc.reset();
        crc.update(decoded, 0, n - 4);
        int expected = ((decoded[n - 4] & 0xFF) << 24) | ((decoded[n - 3] & 0xFF) << 16)
            | ((decoded[n - 2] & 0xFF) << 8) | (decoded[n - 1] & 0xFF);
        if ((int) crc.getValue() == expected) {
          held = 0;
          state = RAW;
          sink.frame(decoded[0] & 0xFF, decoded, 1, n - 5);
          return true;
        }
      }
      sink.raw(hold, 0, held);
      held = 0;
      state = RAW;
      return false;
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
