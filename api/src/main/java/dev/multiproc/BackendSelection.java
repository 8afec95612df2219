package dev.multiproc;

import dev.multiproc.spi.BackendConfig.Setting;
import dev.multiproc.spi.BackendProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Finds the backend providers on the class path and chooses one, as API.md specifies. Pure
 * functions of their inputs, so every message can be tested word for word.
 */
final class BackendSelection {

  static final String KEY = "multiproc.backend";

  /** The backends this project ships, for "add this artifact" hints, in display order. */
  private static final Map<String, String> KNOWN = knownBackends();

  private static Map<String, String> knownBackends() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("thread", "platform threads");
    m.put("virtual-thread", "virtual threads");
    m.put("process", "child JVMs");
    m.put("hazelcast", "a Hazelcast cluster");
    return m;
  }

  /** The providers on a class path, with those that failed to load, by name. */
  record Providers(Map<String, BackendProvider> byName, List<String> failures) {

    static Providers load(ClassLoader loader) {
      List<BackendProvider> found = new ArrayList<>();
      List<String> failures = new ArrayList<>();
      Iterator<BackendProvider> it = ServiceLoader.load(BackendProvider.class, loader).iterator();
      while (true) {
        try {
          if (!it.hasNext()) {
            break;
          }
          found.add(it.next());
        } catch (ServiceConfigurationError e) {
          failures.add(e.getMessage());
          Multiproc.Log.LOG.log(System.Logger.Level.WARNING, "a multiproc backend provider failed to load", e);
        }
      }
      return of(found, failures);
    }

    static Providers of(List<? extends BackendProvider> providers, List<String> failures) {
      Map<String, BackendProvider> byName = new LinkedHashMap<>();
      for (BackendProvider p : providers) {
        BackendProvider other = byName.putIfAbsent(p.name(), p);
        if (other != null) {
          throw new BackendNotFoundException("Two backend providers declare the name \"" + p.name() + "\": "
              + describe(other) + " and " + describe(p) + ". Keep only one of them on the class path.");
        }
      }
      return new Providers(byName, List.copyOf(failures));
    }

    TreeSet<String> names() {
      return new TreeSet<>(byName.keySet());
    }
  }

  /**
   * A chosen provider and why it was chosen.
   *
   * @param provider the provider
   * @param reason for the log: how the choice was made
   */
  record Choice(BackendProvider provider, String reason) {}

  private BackendSelection() {}

  /** Chooses the default backend: configured name first, else the only or best provider. */
  static Choice chooseDefault(Providers providers, Function<String, Optional<Setting>> lookup) {
    Optional<Setting> configured = lookup.apply(KEY);
    if (configured.isPresent()) {
      Setting s = configured.get();
      return new Choice(named(providers, s.value(), s.describe()), "chosen by " + s.describe());
    }
    if (providers.byName().isEmpty()) {
      throw new BackendNotFoundException(noBackendMessage(providers));
    }
    if (providers.byName().size() == 1) {
      BackendProvider only = providers.byName().values().iterator().next();
      return new Choice(only, "the only backend on the class path");
    }
    Optional<BackendProvider> best = providers.byName().values().stream()
        .filter(p -> p.priority() >= 0)
        .max(Comparator.comparingInt(BackendProvider::priority)
            .thenComparing(BackendProvider::name, Comparator.reverseOrder()));
    if (best.isEmpty()) {
      throw new BackendNotFoundException("No backend is configured and none can be chosen by itself: "
          + providers.names() + " have negative priorities (backends that start processes or join clusters), "
          + "so multiproc uses them only when asked. Set multiproc.backend to one of them: "
          + "-Dmultiproc.backend=<name>, the environment variable MULTIPROC_BACKEND, or multiproc.backend=<name> "
          + "in multiproc.properties.");
    }
    return new Choice(best.get(), "the highest priority (" + best.get().priority() + ") among "
        + providers.names() + "; set multiproc.backend to choose another");
  }

  /**
   * The provider called {@code name}.
   *
   * @param origin how the name was asked for, for the message: a setting's description or a call
   */
  static BackendProvider named(Providers providers, String name, String origin) {
    BackendProvider p = providers.byName().get(name);
    if (p != null) {
      return p;
    }
    if (providers.byName().isEmpty()) {
      throw new BackendNotFoundException(origin + ", but no multiproc backend is on the class path. "
          + addOne(providers));
    }
    StringBuilder m = new StringBuilder()
        .append(origin).append(" matches no backend. Available: ").append(providers.names()).append('.');
    if (KNOWN.containsKey(name)) {
      m.append(" To use \"").append(name).append("\", add the artifact ").append(artifact(name))
          .append(" to the class path.");
    } else {
      closest(name, providers).ifPresent(c -> {
        m.append(" Did you mean \"").append(c).append("\"?");
        if (!providers.byName().containsKey(c)) {
          m.append(" To use it, add the artifact ").append(artifact(c)).append(" to the class path.");
        }
      });
    }
    appendFailures(m, providers);
    throw new BackendNotFoundException(m.toString());
  }

  private static String noBackendMessage(Providers providers) {
    return "No multiproc backend is on the class path. " + addOne(providers);
  }

  private static String addOne(Providers providers) {
    StringBuilder m = new StringBuilder("Add one next to multiproc-api: ");
    m.append(KNOWN.entrySet().stream()
        .map(e -> artifact(e.getKey()) + " (" + e.getValue() + ")")
        .collect(Collectors.joining(", ")));
    m.append('.');
    appendFailures(m, providers);
    return m.toString();
  }

  private static void appendFailures(StringBuilder m, Providers providers) {
    if (!providers.failures().isEmpty()) {
      m.append(" Providers that failed to load: ").append(providers.failures()).append('.');
    }
  }

  static String artifact(String backend) {
    return "dev.multiproc:multiproc-" + backend + "-backend";
  }

  private static String describe(BackendProvider p) {
    var source = p.getClass().getProtectionDomain().getCodeSource();
    return p.getClass().getName() + (source == null ? "" : " (" + source.getLocation() + ")");
  }

  /** The available or shipped name within edit distance 2 of {@code name} (ignoring case), if any: the closest. */
  private static Optional<String> closest(String name, Providers providers) {
    TreeSet<String> candidates = providers.names();
    candidates.addAll(KNOWN.keySet());
    return candidates.stream()
        .filter(n -> distance(n, name.toLowerCase(java.util.Locale.ROOT)) <= 2)
        .min(Comparator.comparingInt((String n) -> distance(n, name.toLowerCase(java.util.Locale.ROOT)))
            .thenComparing(n -> !providers.byName().containsKey(n)));
  }

  /** Levenshtein distance (also for misspelt configuration keys). */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
