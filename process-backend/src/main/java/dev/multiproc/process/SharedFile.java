package dev.multiproc.process;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.io.File;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A file the parent and its children map to share memory ({@link Ring}, {@link ValueSlab}): under
 * {@code /dev/shm}, else the temporary directory, named with a prefix and the parent's pid, so that
 * files a killed parent left behind are deleted by the next one made on the machine.
 *
 * @param path where it is
 * @param buffer the whole file, mapped read-write in this JVM
 */
record SharedFile(Path path, MappedByteBuffer buffer) {

  /**
   * Makes and maps a file of {@code size} bytes, all zero. It is written out, not just sized: a full
   * {@code /dev/shm} (a container's is often 64 MB) fails here with an IOException, not later as a
   * SIGBUS at the first write through the mapping.
   *
   * @throws IOException if it cannot be made (the file is then gone)
   */
  static SharedFile create(String prefix, long size) throws IOException {
    Path file = createFile(prefix, size);
    try {
      return new SharedFile(file, map(file, size));
    } catch (IOException | RuntimeException e) {
      deleteQuietly(file);
      throw e instanceof IOException io ? io : new IOException(e);
    }
  }

  /**
   * Makes the file of {@link #create} without mapping it. Named by pid, a counter and the clock
   * (a random UUID would set up {@code SecureRandom}: 37 ms in a cold JVM); {@code CREATE_NEW}
   * never takes another's file.
   */
  static Path createFile(String prefix, long size) throws IOException {
    Path shm = Path.of("/dev/shm");
    Path dir = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    if (SWEPT.add(prefix)) {
      deleteStale(dir, prefix);
    }
    Path file = dir.resolve(prefix + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet() + "-"
        + Long.toHexString(System.nanoTime()));
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(size, 64 << 10));
      for (long at = 0; at < size; at += zeros.capacity()) {
        zeros.clear().limit((int) Math.min(zeros.capacity(), size - at));
        while (zeros.hasRemaining()) {
          ch.write(zeros, at + zeros.position());
        }
      }
      return file;
    } catch (IOException | RuntimeException e) {
      deleteQuietly(file);
      throw e instanceof IOException io ? io : new IOException(e);
    }
  }

  private static final AtomicLong COUNTER = new AtomicLong();
  /** The prefixes whose stale files this JVM has swept: once each is enough. */
  private static final Set<String> SWEPT = ConcurrentHashMap.newKeySet();

  /** Maps an existing file of {@code size} bytes. */
  static MappedByteBuffer map(Path file, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      return ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
    }
  }

  static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // left for the next sweep
    }
  }

  /** Deletes the files with this prefix whose parent is gone (a plain listing: no glob to compile). */
  private static void deleteStale(Path dir, String prefix) {
    String[] names = new File(dir.toString()).list();
    if (names == null) {
      return; // cannot list: nothing to clean
    }
    for (String name : names) {
      if (!name.startsWith(prefix)) {
        continue;
      }
      String rest = name.substring(prefix.length());
      try {
        if (ProcessHandle.of(Long.parseLong(rest.substring(0, rest.indexOf('-')))).isEmpty()) {
          Files.deleteIfExists(dir.resolve(name));
        }
      } catch (RuntimeException | IOException e) {
        // not ours, or in use: leave it
      }
    }
  }
}
