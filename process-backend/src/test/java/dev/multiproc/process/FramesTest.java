package dev.multiproc.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FramesTest {

  /** Collects what a parser finds. */
  private static final class Collector implements Frames.Sink {
    final ByteArrayOutputStream raw = new ByteArrayOutputStream();
    final List<byte[]> frames = new ArrayList<>();
    final List<Integer> flags = new ArrayList<>();

    @Override
    public void raw(byte[] b, int off, int len) {
      raw.write(b, off, len);
    }

    @Override
    public void frame(int f, byte[] b, int off, int len) {
      flags.add(f);
      frames.add(Arrays.copyOfRange(b, off, off + len));
    }
  }

  private static byte[] frame(byte[] payload) {
    Buf out = new Buf();
    Frames.encode(Frames.FIRST | Frames.LAST, payload, 0, payload.length, out);
    return out.toByteArray();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 253, 254, 255, 508, 1000, Frames.MAX_FRAGMENT})
  void aFrameHoldsAnyBytesWithNoZeroBetweenItsDelimiters(int length) {
    Random random = new Random(length);
    byte[] src = new byte[length];
    random.nextBytes(src);
    for (int i = 0; i < length; i += 7) {
      src[i] = 0;
    }
    byte[] wire = frame(src);
    assertThat(wire[0]).isZero();
    assertThat(wire[wire.length - 1]).isZero();
    for (int i = 1; i < wire.length - 1; i++) {
      assertThat(wire[i]).as("byte %d", i).isNotZero();
    }
    Collector c = new Collector();
    Frames.Parser p = new Frames.Parser(c);
    p.feed(wire, 0, wire.length);
    assertThat(c.frames).singleElement().isEqualTo(src);
    assertThat(c.raw.size()).isZero();
  }

  @Test
  void aFullFragmentFitsInOneAtomicPipeWrite() {
    byte[] payload = new byte[Frames.MAX_FRAGMENT]; // all zeros: the worst case for COBS
    assertThat(frame(payload).length).isLessThanOrEqualTo(Frames.MAX_WIRE);
    new Random(1).nextBytes(payload);
    assertThat(frame(payload).length).isLessThanOrEqualTo(Frames.MAX_WIRE);
  }

  @Test
  void framesAndRawTextAreSeparated() {
    Collector c = new Collector();
    Frames.Parser p = new Frames.Parser(c);
    byte[] stream = concat("hello\n".getBytes(), frame("one".getBytes()), "raw\0bytes\n".getBytes(),
        frame("two".getBytes()));
    p.feed(stream, 0, stream.length);
    p.end();
    assertThat(c.frames).extracting(String::new).containsExactly("one", "two");
    assertThat(c.raw.toString()).isEqualTo("hello\nraw\0bytes\n");
  }

  @Test
  void aFakeHeaderWithoutItsBodyDoesNotSwallowTheFramesAfterIt() {
    Collector c = new Collector();
    Frames.Parser p = new Frames.Parser(c);
    byte[] real = frame("real".getBytes());
    byte[] fake = Arrays.copyOf(frame(new byte[3000]), 40); // a valid start, cut short
    byte[] stream = concat(fake, real, frame("next".getBytes()));
    p.feed(stream, 0, stream.length);
    p.end();
    assertThat(c.frames).extracting(String::new).containsExactly("real", "next");
    assertThat(c.raw.toByteArray()).isEqualTo(fake);
  }

  @Test
  void aCorruptedFrameIsPassedOnAsRawOutput() {
    Collector c = new Collector();
    Frames.Parser p = new Frames.Parser(c);
    byte[] bad = frame("payload".getBytes());
    bad[6] ^= 0x01; // a bit flip inside the COBS body: the CRC fails
    byte[] stream = concat(bad, frame("good".getBytes()));
    p.feed(stream, 0, stream.length);
    p.end();
    assertThat(c.frames).extracting(String::new).containsExactly("good");
    assertThat(c.raw.toByteArray()).isEqualTo(bad);
  }

  @Test
  void heldBytesThatNeverEndAFrameComeOutAtTheEndOfTheStream() {
    Collector c = new Collector();
    Frames.Parser p = new Frames.Parser(c);
    byte[] stream = {'a', 0, 'M', 'P', 'x', 'y'};
    p.feed(stream, 0, stream.length);
    assertThat(c.raw.toByteArray()).containsExactly('a');
    p.end();
    assertThat(c.raw.toByteArray()).isEqualTo(stream);
  }

  /**
   * Random garbage (binary, zeros, the magic bytes, cut frames, copies of real frame headers)
   * between real frames, fed in random pieces: every real frame comes out exactly once and in
   * order, and the raw output is exactly the garbage.
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
  void fuzzRandomGarbageBetweenRealFrames(long seed) {
    Random random = new Random(seed);
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    ByteArrayOutputStream garbage = new ByteArrayOutputStream();
    List<byte[]> sent = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      byte[] g = garbage(random);
      stream.writeBytes(g);
      garbage.writeBytes(g);
      byte[] payload = new byte[random.nextInt(random.nextBoolean() ? 50 : Frames.MAX_FRAGMENT + 1)];
      random.nextBytes(payload);
      sent.add(payload);
      stream.writeBytes(frame(payload));
    }
    byte[] tailGarbage = garbage(random);
    stream.writeBytes(tailGarbage);
    garbage.writeBytes(tailGarbage);

    Collector c = new Collector();
    Frames.Parser p = new Frames.Parser(c);
    byte[] all = stream.toByteArray();
    for (int off = 0; off < all.length; ) {
      int n = Math.min(all.length - off, 1 + random.nextInt(random.nextBoolean() ? 16 : 9000));
      p.feed(all, off, n);
      off += n;
    }
    p.end();
    assertThat(c.frames).hasSameSizeAs(sent);
    for (int i = 0; i < sent.size(); i++) {
      assertThat(c.frames.get(i)).as("frame %d", i).isEqualTo(sent.get(i));
    }
    assertThat(c.raw.toByteArray()).isEqualTo(garbage.toByteArray());
  }

  /** The encoder copies runs; it must produce exactly what COBS byte by byte produces. */
  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 10, 50, 128, 255})
  void theRunEncoderMatchesByteByByteCobs(int zeroEvery) {
    Random random = new Random(zeroEvery);
    for (int round = 0; round < 200; round++) {
      byte[] src = new byte[random.nextInt(Frames.MAX_FRAGMENT + 1)];
      for (int i = 0; i < src.length; i++) {
        src[i] = zeroEvery > 0 && random.nextInt(zeroEvery) == 0 ? 0 : (byte) (1 + random.nextInt(255));
      }
      int split = src.length == 0 ? 0 : random.nextInt(src.length);
      Buf out = new Buf();
      Frames.Encoder e = new Frames.Encoder();
      e.begin(out, Frames.LAST, src.length + 4);
      e.put(src, 0, split); // in two pieces, as a header and a payload come
      e.put(src, split, src.length - split);
      e.end();
      byte[] flagged = concat(new byte[] {(byte) Frames.LAST}, src, crc(src));
      byte[] expected = concat(new byte[] {0, 'M', 'P'}, cobs(flagged), new byte[] {0});
      assertThat(out.toByteArray()).as("round %d, %d bytes", round, src.length).isEqualTo(expected);
      byte[] back = new byte[Frames.MAX_WIRE];
      int n = Frames.cobsDecode(expected, 3, expected.length - 4, back);
      assertThat(Arrays.copyOf(back, n)).isEqualTo(flagged);
    }
  }

  @Test
  void theZeroSearchFindsTheFirstZeroAtEveryOffset() {
    Random random = new Random(7);
    for (int round = 0; round < 2000; round++) {
      byte[] b = new byte[random.nextInt(40)];
      for (int i = 0; i < b.length; i++) {
        b[i] = random.nextInt(12) == 0 ? 0 : (byte) (random.nextBoolean() ? 0x80 | random.nextInt(128) : 1 + random.nextInt(127));
      }
      int from = b.length == 0 ? 0 : random.nextInt(b.length);
      int to = from + random.nextInt(b.length - from + 1);
      int expected = from;
      while (expected < to && b[expected] != 0) {
        expected++;
      }
      assertThat(Frames.indexOfZero(b, from, to)).as("%s [%d, %d)", Arrays.toString(b), from, to).isEqualTo(expected);
    }
  }

  @Test
  void aFrameStartFollowedByMoreThanAFrameOfBytesIsRawInOnePieceOrMany() {
    byte[] stream = concat(new byte[] {0, 'M', 'P'}, filled(Frames.MAX_WIRE + 100, (byte) 'x'), frame("after".getBytes()));
    for (int piece : new int[] {stream.length, 1, 7, 4096}) {
      Collector c = new Collector();
      Frames.Parser p = new Frames.Parser(c);
      for (int off = 0; off < stream.length; off += piece) {
        p.feed(stream, off, Math.min(piece, stream.length - off));
      }
      p.end();
      assertThat(c.frames).as("pieces of %d", piece).extracting(String::new).containsExactly("after");
      assertThat(c.raw.toByteArray()).as("pieces of %d", piece).isEqualTo(Arrays.copyOf(stream, 3 + Frames.MAX_WIRE + 100));
    }
  }

  /** The writer cuts a large message into frames from its header and payload; the pieces join back to the message. */
  @ParameterizedTest
  @ValueSource(ints = {Frames.MAX_FRAGMENT - 12, Frames.MAX_FRAGMENT - 11, Frames.MAX_FRAGMENT, 2 * Frames.MAX_FRAGMENT - 3,
      3 * Frames.MAX_FRAGMENT, 1 << 20})
  void aMessageInPiecesJoinsBackWhole(int size) {
    Random random = new Random(size);
    byte[] payload = new byte[size];
    random.nextBytes(payload);
    for (int i = 0; i < size; i += 1 + random.nextInt(300)) {
      payload[i] = 0; // zeros where COBS blocks end, and long runs without
    }
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    FrameWriter w = new FrameWriter(wire, null);
    Buf body = new Buf(size);
    body.writeBytes(payload, 0, size);
    w.send(Msg.QUEUE_PUT_CREDITED, 300, body);
    Collector c = new Collector();
    Frames.Parser p = new Frames.Parser(c);
    byte[] b = wire.toByteArray();
    for (int off = 0; off < b.length; off += 4096) {
      p.feed(b, off, Math.min(4096, b.length - off));
    }
    p.end();
    assertThat(c.raw.size()).isZero();
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (byte[] f : c.frames) {
      joined.writeBytes(f);
    }
    assertThat(c.flags.get(0) & Frames.FIRST).isNotZero();
    assertThat(c.flags.get(c.flags.size() - 1) & Frames.LAST).isNotZero();
    Buf.In m = new Buf.In(joined.toByteArray());
    if (c.frames.size() > 1) {
      assertThat(m.readVarLong()).as("the whole length, first").isEqualTo((long) m.remaining());
    }
    assertThat(m.readByte()).isEqualTo(Msg.QUEUE_PUT_CREDITED);
    assertThat(m.readVarLong()).isEqualTo(300);
    assertThat(Arrays.copyOfRange(m.bytes, m.pos, m.end)).isEqualTo(payload);
  }

  private static byte[] filled(int n, byte b) {
    byte[] a = new byte[n];
    Arrays.fill(a, b);
    return a;
  }

  private static byte[] crc(byte[] src) {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(Frames.LAST);
    crc.update(src);
    int c = (int) crc.getValue();
    return new byte[] {(byte) (c >>> 24), (byte) (c >>> 16), (byte) (c >>> 8), (byte) c};
  }

  /** Textbook COBS, a byte at a time (the reference). */
  private static byte[] cobs(byte[] src) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    for (byte b : src) {
      if (b == 0) {
        out.write(block.size() + 1);
        out.writeBytes(block.toByteArray());
        block.reset();
      } else {
        block.write(b);
        if (block.size() == 254) {
          out.write(255);
          out.writeBytes(block.toByteArray());
          block.reset();
        }
      }
    }
    out.write(block.size() + 1);
    out.writeBytes(block.toByteArray());
    return out.toByteArray();
  }

  private static byte[] garbage(Random random) {
    ByteArrayOutputStream g = new ByteArrayOutputStream();
    int parts = random.nextInt(4);
    for (int k = 0; k < parts; k++) {
      switch (random.nextInt(6)) {
        case 0 -> g.writeBytes(("text line " + random.nextInt() + "\n").getBytes());
        case 1 -> {
          byte[] b = new byte[random.nextInt(200)];
          random.nextBytes(b);
          g.writeBytes(b);
        }
        case 2 -> g.writeBytes(new byte[] {0, 'M', 'P'});
        case 3 -> {
          byte[] f = frame(new byte[1 + random.nextInt(500)]);
          g.writeBytes(Arrays.copyOf(f, 1 + random.nextInt(f.length - 2))); // a frame cut short
        }
        case 4 -> g.writeBytes(new byte[random.nextInt(5)]); // zeros
        default -> g.writeBytes(new byte[] {0, 'M'});
      }
    }
    return g.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
