package dev.multiproc.tck;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.time.Duration;

/**
 * Tees {@code System.out} and {@code System.err} into buffers while installed, so a test can see
 * what reached the parent's standard streams. The originals still get everything.
 */
final class OutputCapture implements AutoCloseable {

  private final PrintStream originalOut = System.out;
  private final PrintStream originalErr = System.err;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final Charset outCharset = originalOut.charset();
  private final Charset errCharset = originalErr.charset();

  private OutputCapture() {
    System.setOut(new PrintStream(new Tee(originalOut, out), true, outCharset));
    System.setErr(new PrintStream(new Tee(originalErr, err), true, errCharset));
  }

  static OutputCapture install() {
    return new OutputCapture();
  }

  String out() {
    return out.toString(outCharset); // ByteArrayOutputStream is thread-safe
  }

  String err() {
    return err.toString(errCharset);
  }

  /** Polls until {@code line} appears as a whole line in the captured stream, at most {@code patience}. */
  boolean awaitLine(boolean stdout, String line, Duration patience) {
    return Await.until(() -> ("\n" + (stdout ? out() : err()).replace("\r\n", "\n")).contains("\n" + line + "\n"),
        patience);
  }

  @Override
  public void close() {
    System.out.flush();
    System.err.flush();
    System.setOut(originalOut);
    System.setErr(originalErr);
  }

  /** Writes to the original stream and to a buffer. */
  private static final class Tee extends OutputStream {
    private final OutputStream original;
    private final ByteArrayOutputStream copy;

    Tee(OutputStream original, ByteArrayOutputStream copy) {
      this.original = original;
      this.copy = copy;
    }

    @Override
    public void write(int b) {
      copy.write(b);
      try {
        original.write(b);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      copy.write(b, off, len);
      try {
        original.write(b, off, len);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void flush() {
      try {
        original.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
