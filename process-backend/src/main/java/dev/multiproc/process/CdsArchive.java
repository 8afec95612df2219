package dev.multiproc.process;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A class-data-sharing archive that lets a child JVM start about as fast as an empty one: the
 * classes a child loads (ours, the task's, serialization, lambda plumbing) are mapped from a file
 * instead of loaded and verified one by one.
 *
 * <p>The first child of a backend, when no archive exists yet, is the <em>trainer</em>: it runs
 * with {@code -XX:ArchiveClassesAtExit} into a private temporary file, and when it has exited the
 * file is moved into place atomically, so no JVM ever maps a half-written archive. A lock file
 * keeps two parent JVMs from training at once. Later children map it with
 * {@code -XX:SharedArchiveFile}. The JVM checks the archive against its class path and version and
 * ignores one that does not match; an archive older than a jar on the class path is retrained.
 * CDS logging is switched off so that nothing appears on the child's output.
 *
 * <p>Used only where it works: this JVM's own {@code java} (a HotSpot JVM) and a class path of
 * jar files only (HotSpot does not archive classes from directories).
 */
final class CdsArchive {

  private static final List<String> QUIET = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");

  private final Path archive;
  private final Path lockFile;
  private final List<Path> jars;
  private final ReentrantLock lock = new ReentrantLock();
  private boolean training;
  private FileChannel lockChannel;
  private FileLock fileLock;

  private CdsArchive(Path archive, List<Path> jars) {
    this.archive = archive;
    this.lockFile = archive.resolveSibling(archive.getFileName() + ".lock");
    this.jars = jars;
  }

  /**
   * The archive for these settings, or null if CDS is off or cannot be used with them.
   *
   * @param dir where archives are kept
   */
  static CdsArchive of(ProcessSettings settings, boolean enabled, Path dir) {
    String ownJava = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    String vm = System.getProperty("java.vm.name", "");
    if (!enabled || !settings.java().equals(ownJava) || !(vm.contains("HotSpot") || vm.contains("OpenJDK"))) {
      return null;
    }
    List<Path> jars = new java.util.ArrayList<>();
    for (String entry : settings.classPath().split(File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      Path p = Path.of(entry);
      if (!Files.isRegularFile(p) || !entry.endsWith(".jar")) {
        return null;
      }
      jars.add(p);
    }
    if (jars.isEmpty()) {
      return null;
    }
    String key = String.join("\n", settings.java(), System.getProperty("java.vm.version", ""),
        settings.classPath(), String.join(" ", settings.jvmOptions()));
    try {
      byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
      String name = HexFormat.of().toHexDigits(hash(bytes, 0xcbf29ce484222325L)) + HexFormat.of().toHexDigits(hash(bytes, 0x9e3779b97f4a7c15L));
      Files.createDirectories(dir);
      return new CdsArchive(dir.resolve("child-" + name + ".jsa"), jars);
    } catch (IOException | RuntimeException e) {
      return null; // no archive: children start a little slower, nothing else changes
    }
  }

  /**
   * A 64-bit hash (FNV-1a, then a final mix) naming the archive of a configuration. Not a digest:
   * two configurations that collide only share a file name, and the JVM refuses an archive made
   * for another class path or JVM, so the worst case is a retrained archive. (A cold
   * {@code MessageDigest} cost the parent 50-60 ms of CPU, on every backend start.)
   */
  static long hash(byte[] bytes, long seed) {
    long h = seed;
    for (byte b : bytes) {
      h = (h ^ (b & 0xFF)) * 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h;
  }

  /**
   * The JVM options for the next child; {@link Trainer#finish()} must be called when it has
   * exited if {@code trainer} got one.
   *
   * @param mayTrain false for a child that may never exit by itself (a spare, killed when its
   *     backend closes, would never write the archive): it maps the archive or goes without
   */
  List<String> options(Trainer[] trainer, boolean mayTrain) {
    lock.lock();
    try {
      if (isFresh()) {
        List<String> o = new java.util.ArrayList<>(QUIET);
        o.add("-XX:SharedArchiveFile=" + archive);
        return o;
      }
      if (!mayTrain || training || !lockOtherParents()) {
        return List.of();
      }
      training = true;
      Path temp = archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
      trainer[0] = new Trainer(temp);
      List<String> o = new java.util.ArrayList<>(QUIET);
      o.add("-XX:ArchiveClassesAtExit=" + temp);
      return o;
    } finally {
      lock.unlock();
    }
  }

  /** @return true while a child of this backend is writing the archive */
  boolean isTraining() {
    lock.lock();
    try {
      return training;
    } finally {
      lock.unlock();
    }
  }

  /** An archive that exists and is newer than every jar on the class path. */
  private boolean isFresh() {
    try {
      if (!Files.isRegularFile(archive) || Files.size(archive) == 0) {
        return false;
      }
      var made = Files.getLastModifiedTime(archive);
      for (Path jar : jars) {
        if (Files.getLastModifiedTime(jar).compareTo(made) > 0) {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private boolean lockOtherParents() {
    try {
      lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      fileLock = lockChannel.tryLock();
      if (fileLock == null) {
        lockChannel.close();
        return false;
      }
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The child that writes the archive; publishes it once that child has exited. */
  final class Trainer {
    private final Path temp;

    private Trainer(Path temp) {
      this.temp = temp;
    }

    /** The trainer child has exited: move its archive into place and let others train if it made none. */
    void finish() {
      lock.lock();
      try {
        if (Files.isRegularFile(temp) && Files.size(temp) > 0) {
          Files.move(temp, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
      } catch (IOException | RuntimeException e) {
        // no archive this time; a later child trains again
      } finally {
        try {
          Files.deleteIfExists(temp);
          if (fileLock != null) {
            fileLock.release();
          }
          if (lockChannel != null) {
            lockChannel.close();
          }
        } catch (IOException e) {
          // nothing left to do
        }
        training = false;
        lock.unlock();
      }
    }
  }
}
