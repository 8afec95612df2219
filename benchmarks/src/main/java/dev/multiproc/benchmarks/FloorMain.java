package dev.multiproc.benchmarks;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The raw floors of {@link SideBySide}: what a bare child JVM and a bare pipe can do on this
 * machine, with no framing, serialization or library in the way.
 *
 * <ul>
 *   <li>{@code echo}: start, read one byte from stdin, write it back, exit (a bare JVM's start);
 *   <li>{@code exit}: start and exit (a bare JVM's start + exit, the floor of {@code start + join});
 *   <li>{@code echo-loop}: echo every byte from stdin until it ends (the floor of a round trip);
 *   <li>{@code write <count> <size>}: write {@code count} messages of {@code size} bytes to stdout,
 *       one {@code write} call each (the floor of a child putting items one by one).
 * </ul>
 */
public final class FloorMain {

  private FloorMain() {}

  /**
   * Runs one floor.
   *
   * @param args the mode and its arguments
   * @throws IOException if stdin or stdout fails
   */
  public static void main(String[] args) throws IOException {
    FileOutputStream out = new FileOutputStream(FileDescriptor.out);
    InputStream in = System.in;
    switch (args[0]) {
      case "echo" -> out.write(in.read());
      case "exit" -> { }
      case "echo-loop" -> {
        int b;
        while ((b = in.read()) >= 0) {
          out.write(b);
        }
      }
      case "write" -> {
        int count = Integer.parseInt(args[1]);
        byte[] message = new byte[Integer.parseInt(args[2])];
        for (int i = 0; i < message.length; i++) {
          message[i] = (byte) (i * 31 + 7);
        }
        for (int i = 0; i < count; i++) {
          message[0] = (byte) i;
          out.write(message);
        }
      }
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
  }
}
