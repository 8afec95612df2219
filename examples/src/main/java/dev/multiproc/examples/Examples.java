package dev.multiproc.examples;

import dev.multiproc.Backend;
import dev.multiproc.BackendChoice;
import dev.multiproc.BackendInfo;
import dev.multiproc.BackendNotFoundException;
import dev.multiproc.Multiproc;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.stream.Collectors;

/**
 * Runs the seed's programs, one or all, on the backend chosen by configuration: the main class of
 * {@code multiproc-examples.jar} and of {@code bin/run-examples}.
 *
 * <pre>
 * bin/run-examples                              # all of them, on the default backend
 * bin/run-examples --backend thread countdown   # one, on the thread backend
 * bin/run-examples --help                       # the examples and the backends on the class path
 * </pre>
 *
 * <h2>Arguments</h2>
 *
 * Example names ({@code countdown}, {@code pool-map}, {@code sender-receiver}, {@code classy},
 * {@code event-stop}, {@code shared-counter}, {@code joinable-queue}, {@code pipe-ping-pong},
 * {@code imap-progress}, or
 * {@code all}; none means all; {@code cluster-map} only when named), run in the order given, and the
 * options
 * {@code --backend <name>} (or {@code --backend=<name>}) and {@code -h}/{@code --help}.
 *
 * <h2>Which backend</h2>
 *
 * {@code --backend} sets the system property {@code multiproc.backend} before multiproc is first
 * used, so it wins over {@code -Dmultiproc.backend}, which wins over {@code MULTIPROC_BACKEND},
 * then {@code multiproc.properties}; with none of them multiproc chooses (see
 * {@link Multiproc}). The backend used, and why, is printed first.
 *
 * <h2>Settings</h2>
 *
 * The system properties {@code examples.interval-ms} (the senders' and receivers' pause, default
 * 500) and {@code examples.countdown.count} (default 50,000,000) make the examples quick for tests.
 *
 * <h2>Exit codes</h2>
 *
 * 0 when every example ran; 1 when one failed (its stack trace is printed, and later examples do
 * not run); 2 for bad input: an unknown example or option, a backend not on the class path, an
 * invalid setting. Every worker and pool an example starts has ended when it returns.
 */
public final class Examples {

  /** The exit code for bad input. */
  static final int USAGE = 2;

  private static final String BACKEND_KEY = "multiproc.backend";

  /** One example: its name on the command line, a line for {@code --help}, and its body. */
  record Example(String name, String summary, Body body) {}

  /** An example's body: prints to {@code out}. */
  @FunctionalInterface
  interface Body {
    void run(PrintStream out, Settings settings) throws Exception;
  }

  /** Every example, in the order {@code all} runs them. */
  static final List<Example> ALL = List.of(
      new Example("countdown", "the GIL demo: count down 50,000,000 in one worker, then in two at once", Countdown::run),
      new Example("pool-map", "Pool(8).map(f, range(1024)): close(), try-with-resources, return values", PoolMap::run),
      new Example("sender-receiver", "a worker puts 0, 1, 2, ... on a Queue; take 10, then terminate() it", SenderReceiver::run),
      new Example("classy", "the same, owned by a class that starts the worker in its constructor", Classy::run),
      new Example("event-stop", "the threading version: stop the sender gracefully with an Event", EventStop::run),
      new Example("shared-counter", "Value('i', 500) with +5 and -5 a hundred times each under a Lock: stays 500",
          SharedCounter::run),
      new Example("joinable-queue", "producer/consumer: q.put(...), workers q.task_done(), q.join(), None to stop",
          JoinableQueueWork::run),
      new Example("pipe-ping-pong", "parent_conn, child_conn = Pipe(): ping, pong, [42, None, 'hello'], EOF",
          PipePingPong::run),
      new Example("imap-progress", "for r in tqdm(p.imap(f, range(200))): a long imap with a progress bar on stderr",
          ImapProgress::run));

  /** Examples run only when named: they need more than a backend (cluster-map starts member JVMs). */
  static final List<Example> BY_NAME_ONLY = List.of(
      new Example("cluster-map", "start two local Hazelcast member JVMs, map across them, show who computed what", ClusterMap::run));

  private Examples() {}

  /**
   * Runs the examples named in {@code args} (all if none) and exits with a non-zero code if one
   * failed or the input was bad.
   *
   * @param args example names and options; see the class description or {@code --help}
   */
  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** The {@code main} of a single example's class: the launcher with that example's name. */
  static void runAlone(String name, String[] args) {
    String[] all = new String[args.length + 1];
    all[0] = name;
    System.arraycopy(args, 0, all, 1, args.length);
    main(all);
  }

  /**
   * Does what {@link #main} does, printing to the given streams.
   *
   * @return the exit code: 0, 1 (an example failed) or {@value #USAGE} (bad input)
   */
  static int run(String[] args, PrintStream out, PrintStream err) {
    String backend = null;
    boolean help = false;
    List<Example> chosen = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-h") || a.equals("--help")) {
        help = true;
      } else if (a.equals("--backend") || a.startsWith("--backend=")) {
        if (a.equals("--backend")) {
          if (i + 1 == args.length || args[i + 1].startsWith("-")) {
            return usage(err, "--backend needs a name, such as --backend thread.");
          }
          backend = args[++i];
        } else {
          backend = a.substring("--backend=".length());
        }
        if (backend.isBlank()) {
          return usage(err, "--backend needs a name, such as --backend thread.");
        }
      } else if (a.startsWith("-")) {
        return usage(err, "Unknown option " + a + ". Options: --backend <name>, --help.");
      } else if (a.equals("all")) {
        chosen.addAll(ALL);
      } else {
        Optional<Example> e = java.util.stream.Stream.concat(ALL.stream(), BY_NAME_ONLY.stream())
            .filter(x -> x.name().equals(a)).findFirst();
        if (e.isEmpty()) {
          return usage(err, "Unknown example \"" + a + "\". Examples: " + names() + " (or all).");
        }
        chosen.add(e.get());
      }
    }
    if (help) {
      printHelp(out, backend);
      return 0;
    }
    if (chosen.isEmpty()) {
      chosen.addAll(ALL);
    }

    Settings settings;
    Backend used;
    try {
      settings = Settings.fromSystemProperties();
      if (backend != null) {
        if (!Multiproc.availableBackends().contains(backend)) {
          return usage(err, notAvailable(backend));
        }
        System.setProperty(BACKEND_KEY, backend);                          // mp.set_start_method(...)
      }
      used = Multiproc.backend();
    } catch (IllegalArgumentException | BackendNotFoundException e) {
      return usage(err, e.getMessage());
    }
    if (backend != null && !used.name().equals(backend)) {
      // Only when run inside a JVM that had already chosen its default backend (a test, say).
      return usage(err, "--backend " + backend + " came too late: this JVM already uses the " + used.name()
          + " backend. Start a new JVM.");
    }

    out.println("multiproc backend: " + used.name() + ", " + reason(backend));
    for (Example e : chosen) {
      out.println();
      out.println("== " + e.name() + ": " + e.summary() + " ==");
      try {
        e.body().run(out, settings);
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        err.println("Example " + e.name() + " was interrupted.");
        return 1;
      } catch (Exception | Error ex) {
        err.println("Example " + e.name() + " failed on the " + used.name() + " backend:");
        ex.printStackTrace(err);
        return 1;
      }
      out.flush();
    }
    return 0;
  }

  private static int usage(PrintStream err, String message) {
    err.println(message);
    err.println("See --help.");
    return USAGE;
  }

  private static String names() {
    return java.util.stream.Stream.concat(ALL.stream(), BY_NAME_ONLY.stream()).map(Example::name).collect(Collectors.joining(", "));
  }

  /**
   * Why {@code --backend name} cannot be used: the API's own message (the backends available, a
   * "did you mean", the artifact to add), said for the command line.
   */
  private static String notAvailable(String backend) {
    String why;
    try {
      Multiproc.backend(backend); // not on the class path: throws, opening nothing
      why = "";
    } catch (BackendNotFoundException e) {
      String origin = "Multiproc.backend(\"" + backend + "\") matches no backend. ";
      why = e.getMessage().startsWith(origin) ? e.getMessage().substring(origin.length()) : e.getMessage();
    }
    return "--backend " + backend + ": no such backend on the class path. " + why
        + " For the examples: add it to examples/pom.xml (runtime scope) and rebuild.";
  }

  /** Why the default backend is what it is, as Multiproc's selection rule says. */
  private static String reason(String fromOption) {
    return fromOption != null ? "chosen by --backend " + fromOption : Multiproc.defaultChoice().reason();
  }

  private static void printHelp(PrintStream out, String backendOption) {
    out.println("""
        Usage: bin/run-examples [--backend <name>] [<example>...]
               java -jar multiproc-examples.jar [--backend <name>] [<example>...]

        The seed's Python programs, translated to multiproc. Each one runs unchanged on any backend.
        With no example named, all of them run, in this order:
        """);
    int width = ALL.stream().mapToInt(e -> e.name().length()).max().orElse(0) + 2;
    for (Example e : ALL) {
      out.println("  " + pad(e.name(), width) + e.summary());
    }
    out.println();
    out.println("Run only when named (not part of all):");
    for (Example e : BY_NAME_ONLY) {
      out.println("  " + pad(e.name(), width) + e.summary());
    }
    out.println("""

        Options:
          --backend <name>  run on that backend; also -Dmultiproc.backend=<name> or MULTIPROC_BACKEND=<name>
          -h, --help        this help

        Settings (java -D<key>=<value>; bin/run-examples passes $JAVA_OPTS):
          examples.interval-ms      the senders' and receivers' pause in ms (default 500)
          examples.countdown.count  how far countdown counts (default 50000000)
        """);
    out.println("Backends on the class path (name, priority):");
    List<BackendInfo> providers;
    try {
      providers = Multiproc.providers();
    } catch (RuntimeException | ServiceConfigurationError e) {
      out.println("  cannot list them: " + e.getMessage());
      return;
    }
    for (BackendInfo p : providers) {
      out.println("  " + pad(p.name(), width) + p.priority());
    }
    out.println("Selected: " + selected(providers, backendOption));
  }

  /** The backend that would be chosen, said without opening it (help starts nothing). */
  private static String selected(List<BackendInfo> providers, String backendOption) {
    if (backendOption != null) {
      return providers.stream().anyMatch(p -> p.name().equals(backendOption))
          ? backendOption + ", chosen by --backend " + backendOption
          : "none: --backend " + backendOption + " matches no backend on the class path";
    }
    try {
      BackendChoice c = Multiproc.defaultChoice();
      return c.name() + ", " + c.reason();
    } catch (BackendNotFoundException e) {
      return "none: " + e.getMessage();
    }
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(Math.max(1, width - s.length()));
  }
}
