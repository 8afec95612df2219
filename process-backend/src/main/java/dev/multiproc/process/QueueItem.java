package dev.multiproc.process;

import java.util.Arrays;

/**
 * How the hub keeps a queue's items: encoded, a {@code byte[]} as {@link Codec} writes a value; or,
 * for an item that is itself a {@code byte[]}, its bytes alone in a {@code QueueItem}, so that a
 * consumer in the parent is handed the array the bytes arrived in rather than a copy of it. A
 * {@code byte[]} item then costs the parent one allocation and one copy, not two: on the 2-core CI
 * machine, where memory a JVM touches for the first time costs about 13 microseconds a page, that
 * halves what a stream of large items costs the parent until its heap has been used once.
 */
final class QueueItem {

  /** The item's bytes; handed out once (a queue item is taken once). */
  final byte[] bytes;

  QueueItem(byte[] bytes) {
    this.bytes = bytes;
  }

  /** The item of a put message: what is left of {@code m}, a value as {@link Codec} writes it. */
  static Object of(Buf.In m) {
    if (m.remaining() > 0 && (m.bytes[m.pos] & 0xFF) == Codec.BYTES) {
      Buf.In in = new Buf.In(m.bytes, m.pos, m.remaining());
      in.readByte();
      int n = (int) in.readVarLong();
      if (n == in.remaining()) {
        return new QueueItem(Arrays.copyOfRange(in.bytes, in.pos, in.end));
      }
    }
    return Arrays.copyOfRange(m.bytes, m.pos, m.end);
  }

  /** An item put in the parent, as the hub keeps it: a copy, which the putter may change afterwards. */
  static Object encode(Object item) {
    return item instanceof byte[] b ? new QueueItem(b.clone()) : Codec.encodeQueueItem(item);
  }

  /**
   * The item itself.
   *
   * @throws Codec.ShippingException if it cannot be read here
   */
  static Object decode(Object stored) {
    return stored instanceof QueueItem q ? q.bytes : Codec.decodeValue((byte[]) stored);
  }

  /** Appends the item encoded, as a child reads a value. */
  static void writeTo(Object stored, Buf out) {
    if (stored instanceof QueueItem q) {
      out.writeByte(Codec.BYTES).writeBlob(q.bytes);
    } else {
      byte[] b = (byte[]) stored;
      out.writeBytes(b, 0, b.length);
    }
  }

  /** An upper bound of the bytes {@link #writeTo} appends. */
  static int encodedSize(Object stored) {
    return stored instanceof QueueItem q ? q.bytes.length + 11 : ((byte[]) stored).length;
  }
}
