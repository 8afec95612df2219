package dev.multiproc;

import dev.multiproc.spi.BackendConfig;
import dev.multiproc.spi.BackendProvider;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds {@code multiproc.*} settings that nothing reads (a misspelt key is otherwise silently
 * ignored) and says which known key was probably meant. Pure functions of their inputs; Multiproc
 * logs the result once, when it first opens a backend.
 */
final class ConfigCheck {

  /** Keys of multiproc itself, not of a backend. */
  static final Set<String> GLOBAL_KEYS = Set.of(BackendSelection.KEY, "multiproc.verbose");

  /** The backends this project ships: their keys are not reported when the backend is absent. */
  private static final Set<String> SHIPPED = Set.of("thread", "virtual-thread", "process", "hazelcast");

  private ConfigCheck() {}

  /**
   * Messages for the settings that no one reads.
   *
   * @param keys the {@code multiproc.*} keys set, with where each came from (as in {@link
   *     BackendConfig.Setting#source()})
   * @param environment the {@code MULTIPROC_*} environment variables set
   * @param providers the providers on the class path
   * @return one message per unknown key, naming the closest known key if one is close
   */
  static List<String> unknown(Map<String, String> keys, Collection<String> environment, Collection<BackendProvider> providers) {
    Set<String> known = new TreeSet<>(GLOBAL_KEYS);
    Set<String> openEnded = new TreeSet<>(SHIPPED); // backends whose options are not declared here
    for (BackendProvider p : providers) {
      Set<String> options = p.options();
      if (options.isEmpty()) {
        openEnded.add(p.name());
      } else {
        openEnded.remove(p.name());
        for (String o : options) {
          known.add("multiproc." + p.name() + "." + o);
        }
      }
    }
    List<String> messages = new ArrayList<>();
    keys.forEach((key, source) -> {
      if (!isKnown(key, known, openEnded)) {
        messages.add(key + " (" + source + ") is not a multiproc setting and is ignored" + suggestion(key, known));
      }
    });
    for (String variable : new TreeSet<>(environment)) {
      boolean matches = known.stream().anyMatch(k -> BackendConfig.environmentName(k).equals(variable))
          || openEnded.stream().anyMatch(b -> variable.startsWith(BackendConfig.environmentName("multiproc." + b + ".")));
      if (!matches) {
        String guess = nearest(variable, known.stream().map(BackendConfig::environmentName).toList());
        messages.add("the environment variable " + variable + " is not a multiproc setting and is ignored"
            + (guess == null ? "." : "; did you mean " + guess + "?"));
      }
    }
    return messages;
  }

  private static boolean isKnown(String key, Set<String> known, Set<String> openEnded) {
    if (known.contains(key)) {
      return true;
    }
    // A backend that does not declare its options (or one not on the class path) owns its prefix.
    return openEnded.stream().anyMatch(b -> key.startsWith("multiproc." + b + ".")
        && known.stream().noneMatch(k -> k.startsWith("multiproc." + b + ".")));
  }

  private static String suggestion(String key, Set<String> known) {
    String guess = nearest(key, known);
    return guess == null ? "." : "; did you mean " + guess + "?";
  }

  /** The candidate closest to {@code s} in edit distance, if it is close enough to be a typo. */
  static String nearest(String s, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = BackendSelection.distance(s.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return best != null && bestDistance <= Math.max(2, s.length() / 5) ? best : null;
  }
}
