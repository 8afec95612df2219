package dev.multiproc.benchmarks;

import dev.multiproc.TaskFunction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.concurrent.TimeUnit;
import org.apache.fory.Fory;
import org.apache.fory.config.Language;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Which serializer the process backend should use for what takes no fast path (records, lambdas,
 * exceptions): Java serialization, as it does, against Apache Fory, the fastest JVM serializer
 * measured here. Two questions: steady-state round trips per second ({@link Steady}), and the
 * cost of the first round trip in a fresh JVM ({@link Cold}: every child of the process backend
 * is one, so the first task pays it).
 *
 * <pre>
 * java -jar benchmarks.jar CodecBenchmark.Steady -f 1 -wi 3 -i 5
 * java -jar benchmarks.jar CodecBenchmark.Cold -f 10
 * </pre>
 */
public class CodecBenchmark {

  /** A small record, as a queue item or a map result might be. */
  public record Point(int x, int y, String label) implements Serializable {}

  static TaskFunction<Integer, Integer> lambda() {
    int offset = 7;
    return x -> x + offset;
  }

  static Object value(String kind) {
    return kind.equals("record") ? new Point(3, 4, "p") : lambda();
  }

  static byte[] javaWrite(Object o) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    return bytes.toByteArray();
  }

  static Object javaRead(byte[] b) throws IOException, ClassNotFoundException {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b))) {
      return in.readObject();
    }
  }

  static Fory newFory() {
    return Fory.builder().withLanguage(Language.JAVA).requireClassRegistration(false).build();
  }

  /** Round trips per second once warm. */
  @State(Scope.Thread)
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @Warmup(iterations = 3, time = 1)
  @Measurement(iterations = 5, time = 1)
  @Fork(1)
  public static class Steady {
    @Param({"record", "lambda"})
    public String kind;

    Object value;
    Fory fory;

    @Setup(Level.Trial)
    public void setUp() {
      value = value(kind);
      fory = newFory();
    }

    @Benchmark
    public Object javaSerialization() throws Exception {
      return javaRead(javaWrite(value));
    }

    @Benchmark
    public Object fory() {
      return fory.deserialize(fory.serialize(value));
    }
  }

  /** The first round trip in a fresh JVM, serializer set-up included: what a new child pays. */
  @State(Scope.Thread)
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 0)
  @Measurement(iterations = 1)
  @Fork(10)
  public static class Cold {
    @Param({"record", "lambda"})
    public String kind;

    @Benchmark
    public Object javaSerialization() throws Exception {
      return javaRead(javaWrite(value(kind)));
    }

    @Benchmark
    public Object fory() {
      Fory f = newFory();
      return f.deserialize(f.serialize(value(kind)));
    }
  }
}
