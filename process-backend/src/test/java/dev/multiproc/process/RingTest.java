package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shared-memory lane of a child's messages, both ends in one JVM: a writer thread and a reader
 * that sleeps in {@code read()} on a real pipe between drains, as the parent's reader does.
 */
@Timeout(60)
class RingTest {

  /** Reads the ring as the parent does, gathering messages in pieces; each message's bytes, in order. */
  private static final class Collector implements Ring.Reader {
    final List<byte[]> messages = new ArrayList<>();
    private byte[] partial;
    private int filled;

    @Override
    public void record(Ring ring, int flags, int length) {
      if ((flags & Frames.FIRST) != 0) {
        byte[] first = new byte[length];
        ring.copy(first, 0, length);
        if ((flags & Frames.LAST) != 0) {
          messages.add(first);
          return;
        }
        Buf.In in = new Buf.In(first);
        int total = (int) in.readVarLong();
        partial = new byte[total];
        filled = in.remaining();
        System.arraycopy(first, in.pos, partial, 0, filled);
        return;
      }
      ring.copy(partial, filled, length);
      filled += length;
      if ((flags & Frames.LAST) != 0) {
        assertThat(filled).isEqualTo(partial.length);
        messages.add(partial);
        partial = null;
      }
    }
  }

  private static byte[] message(Random random, int size) {
    byte[] b = new byte[size];
    random.nextBytes(b);
    return b;
  }

  @Test
  void messagesOfEverySizeArriveWholeAndInOrderWhileTheReaderSleepsBetweenThem() throws Exception {
    Ring reader = Ring.create();
    assertThat(reader).as("this machine has shared memory or a temporary directory to map").isNotNull();
    reader.map();
    Pipe pipe = Pipe.open();
    OutputStream bellOut = Channels.newOutputStream(pipe.sink());
    Ring writer = Ring.open(reader.path(), bellOut);
    assertThat(writer).isNotNull();

    // Sizes around the record limit and the capacity, so records wrap at the ring's end and long
    // messages go in pieces; and tiny ones, many, so the reader keeps going to sleep.
    Random random = new Random(42);
    List<byte[]> sent = new ArrayList<>();
    int[] sizes = {1, 2, 7, 8, 9, 100, 4000, Ring.MAX_RECORD - 2, Ring.MAX_RECORD - 1, Ring.MAX_RECORD,
        Ring.MAX_RECORD + 1, 3 * Ring.MAX_RECORD + 5, Ring.CAPACITY / 2, Ring.CAPACITY + 12_345};
    for (int round = 0; round < 20; round++) {
      for (int size : sizes) {
        sent.add(message(random, size));
      }
      for (int i = 0; i < 500; i++) {
        sent.add(message(random, 1 + random.nextInt(64)));
      }
    }
    Thread producer = new Thread(() -> {
      for (byte[] m : sent) {
        // a message is a head (the type and id, in the channel) and a body
        int cut = Math.min(m.length, 1 + m.length / 7);
        Buf head = Buf.wrap(Arrays.copyOfRange(m, 0, cut));
        Buf body = cut == m.length ? null : Buf.wrap(Arrays.copyOfRange(m, cut, m.length));
        writer.write(head, body, true);
      }
    });
    producer.start();

    Collector collector = new Collector();
    AtomicInteger bells = new AtomicInteger();
    Frames.Parser bellParser = new Frames.Parser(new Frames.Sink() {
      @Override
      public void raw(byte[] b, int off, int len) {
        throw new AssertionError("only doorbells on the pipe");
      }

      @Override
      public void frame(int flags, byte[] b, int off, int len) {
        assertThat(b[off]).isEqualTo((byte) Msg.DOORBELL);
        bells.incrementAndGet();
      }
    });
    InputStream bellIn = Channels.newInputStream(pipe.source());
    byte[] buf = new byte[4096];
    while (collector.messages.size() < sent.size()) {
      long head = reader.published();
      if (!reader.drained(head)) {
        reader.drain(collector, head);
        continue;
      }
      if (!reader.sleep()) {
        continue;
      }
      int n = bellIn.read(buf); // nothing else wakes us: a lost doorbell hangs here (and times out)
      reader.awake();
      bellParser.feed(buf, 0, n);
    }
    producer.join();

    assertThat(collector.messages).hasSameSizeAs(sent);
    for (int i = 0; i < sent.size(); i++) {
      assertThat(collector.messages.get(i)).as("message %d", i).isEqualTo(sent.get(i));
    }
    assertThat(bells.get()).as("the reader slept and was woken").isPositive();
    pipe.sink().close();
    pipe.source().close();
    reader.deleteFile();
    assertThat(Path.of(reader.path())).doesNotExist();
  }

  @Test
  void aResetRingServesANewWriterFromTheStart() throws IOException {
    Ring reader = Ring.create();
    reader.map();
    Ring first = Ring.open(reader.path(), OutputStream.nullOutputStream());
    byte[] big = message(new Random(2), Ring.CAPACITY / 3);
    Collector collector = new Collector();
    for (int i = 0; i < 5; i++) { // past the end of the ring: positions are not at zero
      first.write(Buf.wrap(new byte[] {9}), Buf.wrap(big), true);
      reader.drain(collector, reader.published());
    }
    // the first writer's process is gone; a new one maps the same file
    reader.reset();
    Ring second = Ring.open(reader.path(), OutputStream.nullOutputStream());
    second.write(Buf.wrap(new byte[] {7, 7}), null, true);
    collector.messages.clear();
    reader.drain(collector, reader.published());
    assertThat(collector.messages).hasSize(1);
    assertThat(collector.messages.get(0)).containsExactly(7, 7);
    reader.deleteFile();
  }

  @Test
  void whatWasPublishedIsThereForTheReaderAfterTheWriterIsGone() throws IOException {
    Ring reader = Ring.create();
    reader.map();
    Ring writer = Ring.open(reader.path(), OutputStream.nullOutputStream());
    byte[] big = message(new Random(1), 3 * Ring.MAX_RECORD);
    writer.write(Buf.wrap(new byte[] {1, 2, 3}), null, true);
    writer.write(Buf.wrap(new byte[] {4}), Buf.wrap(big), true);
    // the writer is gone (its process killed): only what it published is read, once
    Collector collector = new Collector();
    reader.drain(collector, reader.published());
    reader.drain(collector, reader.published());
    assertThat(collector.messages).hasSize(2);
    assertThat(collector.messages.get(0)).containsExactly(1, 2, 3);
    assertThat(collector.messages.get(1)).hasSize(big.length + 1).startsWith(4);
    reader.deleteFile();
  }

  /** The mailbox: a reply goes there only for the request a child thread spins for, and is taken once. */
  @Test
  void aReplyGoesToTheMailboxOnlyForTheRequestSpunForAndIsCollectedOnce() throws IOException {
    Ring parent = Ring.create();
    Ring child = Ring.open(parent.path(), OutputStream.nullOutputStream());
    Buf reply = Buf.wrap(new byte[] {1, 2, 3});
    assertThat(child.offer(41)).isTrue();
    assertThat(parent.deliver(41, reply)).as("not mapped by the parent yet: down the pipe").isFalse();
    parent.map();
    assertThat(child.offer(42)).as("one spinning caller at a time").isFalse();
    assertThat(parent.deliver(40, reply)).as("another request's reply").isFalse();
    assertThat(child.collect(41)).isNull();
    assertThat(parent.deliver(41, reply)).isTrue();
    assertThat(parent.deliver(41, reply)).as("delivered once").isFalse();
    assertThat(child.withdraw(41)).as("too late to withdraw: it is there").isFalse();
    assertThat(child.collect(40)).isNull();
    assertThat(child.collect(41)).containsExactly(1, 2, 3);
    assertThat(child.collect(41)).as("collected once").isNull();

    assertThat(child.offer(43)).as("free again").isTrue();
    assertThat(child.withdraw(43)).isTrue();
    assertThat(parent.deliver(43, reply)).as("withdrawn: down the pipe").isFalse();
    assertThat(child.offer(44)).isTrue();
    assertThat(parent.deliver(44, Buf.wrap(new byte[Ring.MAIL_CAPACITY + 1]))).as("too long for the mailbox").isFalse();
    assertThat(parent.deliver(44, Buf.wrap(new byte[Ring.MAIL_CAPACITY]))).isTrue();
    assertThat(child.collect(44)).hasSize(Ring.MAIL_CAPACITY);

    assertThat(child.offer(45)).isTrue(); // the child dies spinning; the next child of this ring starts afresh
    parent.reset();
    Ring next = Ring.open(parent.path(), OutputStream.nullOutputStream());
    assertThat(next.offer(7)).isTrue();
    assertThat(parent.deliver(45, reply)).as("a late reply to the dead child").isFalse();
    parent.deleteFile();
  }

  @Test
  void aRingThatCannotBeMappedIsNone(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
    Path gone = dir.resolve("no-such-ring");
    assertThat(Ring.open(gone.toString(), OutputStream.nullOutputStream())).isNull();
    assertThat(Files.list(dir)).isEmpty();
  }

  @Test
  void aWriterWaitingForRoomParksBrieflyAtFirstAndAtMostAMillisecondWhenTheReaderStaysAway() {
    assertThat(Ring.roomWaitNanos(0)).isEqualTo(20_000);
    assertThat(Ring.roomWaitNanos(31)).isEqualTo(20_000);
    assertThat(Ring.roomWaitNanos(32)).isEqualTo(40_000);
    long previous = 0;
    for (int parks = 0; parks < 10_000; parks++) {
      long wait = Ring.roomWaitNanos(parks);
      assertThat(wait).isGreaterThanOrEqualTo(previous).isLessThanOrEqualTo(Ring.MAX_ROOM_WAIT_NANOS);
      previous = wait;
    }
    assertThat(Ring.roomWaitNanos(Integer.MAX_VALUE - 120)).isEqualTo(Ring.MAX_ROOM_WAIT_NANOS);
  }
}
