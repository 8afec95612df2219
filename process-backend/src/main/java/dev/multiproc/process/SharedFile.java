package dev.multiproc.process;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

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
    Path shm = Path.of("/dev/shm");
    Path dir = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    deleteStale(dir, prefix);
    Path file = dir.resolve(prefix + ProcessHandle.current().pid() + "-" + UUID.randomUUID());
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(size, 64 << 10));
      for (long at = 0; at < size; at += zeros.capacity()) {
        zeros.clear().limit((int) Math.min(zeros.capacity(), size - at));
        while (zeros.hasRemaining()) {
          ch.write(zeros, at + zeros.position());
        }
      }
      return new SharedFile(file, ch.map(FileChannel.MapMode.READ_WRITE, 0, size));
    } catch (IOException | RuntimeException e) {
      deleteQuietly(file);
      throw e instanceof IOException io ? io : new IOException(e);
    }
  }

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

  /** Deletes the files with this prefix whose parent is gone. */
  private static void deleteStale(Path dir, String prefix) {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, prefix + "*")) {
      for (Path f : files) {
        String rest = f.getFileName().toString().substring(prefix.length());
        try {
          if (ProcessHandle.of(Long.parseLong(rest.substring(0, rest.indexOf('-')))).isEmpty()) {
            Files.deleteIfExists(f);
          }
        } catch (RuntimeException | IOException e) {
          // not ours, or in use: leave it
        }
      }
    } catch (IOException | RuntimeException e) {
      // cannot list: nothing to clean
    }
  }
}
