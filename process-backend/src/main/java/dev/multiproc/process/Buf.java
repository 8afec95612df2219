package dev.multiproc.process;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte buffer with the few writers the protocol needs. Not thread-safe. */
final class Buf {

  byte[] bytes;
  int size;

  Buf(int capacity) {
    bytes = new byte[Math.max(16, capacity)];
  }

  /** An empty buffer writing into {@code bytes} (not copied). */
  static Buf reuse(byte[] bytes) {
    Buf b = new Buf(bytes);
    b.size = 0;
    return b;
  }

  Buf() {
    this(256);
  }

  private Buf(byte[] bytes) {
    this.bytes = bytes;
    this.size = bytes.length;
  }

  /** A buffer over {@code bytes} (not copied), full. */
  static Buf wrap(byte[] bytes) {
    return new Buf(bytes);
  }

  void ensure(int extra) {
    if (size + extra > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + extra));
    }
  }

  Buf writeByte(int b) {
    ensure(1);
    bytes[size++] = (byte) b;
    return this;
  }

  Buf writeInt(int v) {
    ensure(4);
    bytes[size++] = (byte) (v >>> 24);
    bytes[size++] = (byte) (v >>> 16);
    bytes[size++] = (byte) (v >>> 8);
    bytes[size++] = (byte) v;
    return this;
  }

  Buf writeLong(long v) {
    writeInt((int) (v >>> 32));
    return writeInt((int) v);
  }

  /** Unsigned LEB128; negative values take 10 bytes. */
  Buf writeVarLong(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      bytes[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    bytes[size++] = (byte) v;
    return this;
  }

  Buf writeBytes(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, bytes, size, len);
    size += len;
    return this;
  }

  /** A length-prefixed byte array. */
  Buf writeBlob(byte[] b) {
    writeVarLong(b.length);
    return writeBytes(b, 0, b.length);
  }

  Buf writeString(String s) {
    return writeBlob(s.getBytes(StandardCharsets.UTF_8));
  }

  /** A string that may be null. */
  Buf writeNullableString(String s) {
    if (s == null) {
      return writeByte(0);
    }
    writeByte(1);
    return writeString(s);
  }

  byte[] toByteArray() {
    return Arrays.copyOf(bytes, size);
  }

  /** Reads what a {@link Buf} wrote. */
  static final class In {
    final byte[] bytes;
    int pos;
    final int end;

    In(byte[] bytes) {
      this(bytes, 0, bytes.length);
    }

    In(byte[] bytes, int off, int len) {
      this.bytes = bytes;
      this.pos = off;
      this.end = off + len;
    }

    int readByte() {
      check(1);
      return bytes[pos++] & 0xFF;
    }

    int readInt() {
      check(4);
      int v = ((bytes[pos] & 0xFF) << 24) | ((bytes[pos + 1] & 0xFF) << 16)
          | ((bytes[pos + 2] & 0xFF) << 8) | (bytes[pos + 3] & 0xFF);
      pos += 4;
      return v;
    }

    long readLong() {
      return ((long) readInt() << 32) | (readInt() & 0xFFFFFFFFL);
    }

    long readVarLong() {
      long v = 0;
      for (int shift = 0; shift < 70; shift += 7) {
        int b = readByte();
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
      }
      throw new IllegalStateException("malformed varint");
    }

    byte[] readBlob() {
      int n = (int) readVarLong();
      check(n);
      byte[] b = Arrays.copyOfRange(bytes, pos, pos + n);
      pos += n;
      return b;
    }

    String readString() {
      int n = (int) readVarLong();
      check(n);
      String s = new String(bytes, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }

    String readNullableString() {
      return readByte() == 0 ? null : readString();
    }

    /**
     * Skips {@code n} bytes that the caller reads itself.
     *
     * @return where they start
     * @throws IllegalStateException if fewer are left
     */
    int skip(long n) {
      if (n > Integer.MAX_VALUE) {
        throw new IllegalStateException("truncated message: need " + n + " bytes, have " + (end - pos));
      }
      check((int) n);
      int at = pos;
      pos += (int) n;
      return at;
    }

    int remaining() {
      return end - pos;
    }

    private void check(int n) {
      if (n < 0 || pos + n > end) {
        throw new IllegalStateException("truncated message: need " + n + " bytes, have " + (end - pos));
      }
    }
  }
}
