package dev.multiproc.hazelcast;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.ExecutorConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.multiproc.spi.BackendConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code multiproc.hazelcast.*} settings, read once when the backend opens, and the Hazelcast
 * configurations built from them.
 *
 * <p>Every configuration built here turns phone-home off; one built from scratch also turns
 * auto-detection and multicast off and binds to 127.0.0.1 unless {@code members} name another
 * host. A user's {@code config} file is the base as it is (its network and join settings are the
 * user's), with {@code cluster-name}, {@code members} and {@code port} applied on top when set.
 *
 * @param client {@code mode=client}: connect to {@code members} as a client; else an embedded member
 * @param clusterName the cluster's name; empty: the user config's, or {@code multiproc}
 * @param members whom an embedded member joins, or where a client connects
 * @param port the embedded member's port (the next free one above it if taken)
 * @param portSet whether {@code port} was configured (so it overrides a user config)
 * @param config a user's hazelcast (or client) XML/YAML file, the base of the configuration
 * @param heartbeatTimeout how long a member (or, for a client, a connection) may stay silent before
 *     it counts as gone, its work then re-runs elsewhere
 * @param shutdownTimeout how long {@code close} waits for the backend's threads
 */
record HazelcastSettings(boolean client, Optional<String> clusterName, List<String> members, int port, boolean portSet,
    Optional<Path> config, Duration heartbeatTimeout, Duration shutdownTimeout) {

  static final String DEFAULT_CLUSTER = "multiproc";

  /** The executor that runs pool chunks and workers. */
  static final String EXECUTOR = "multiproc";

  /** Threads of that executor on an embedded member: one per chunk in flight or worker running. */
  static final int EXECUTOR_THREADS = 256;

  static HazelcastSettings from(BackendConfig config) {
    String mode = config.getString("mode", "embedded").trim().toLowerCase(Locale.ROOT);
    if (!mode.equals("embedded") && !mode.equals("client")) {
      throw new IllegalArgumentException(config.setting("mode").orElseThrow().describe()
          + " is not valid: expected embedded (a member in this JVM) or client (connect to multiproc.hazelcast.members).");
    }
    int port = config.getInt("port", 5701);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(config.setting("port").orElseThrow().describe() + " is not valid: expected a port from 1 to 65535.");
    }
    List<String> members = config.getList("members").stream()
        .flatMap(s -> java.util.Arrays.stream(s.split(","))).map(String::trim).filter(s -> !s.isEmpty()).toList();
    for (String m : members) {
      if (!m.matches("[^:\\s]+(:\\d{1,5})?")) {
        throw new IllegalArgumentException(config.setting("members").orElseThrow().describe()
            + " is not valid: expected host:port entries separated by commas, e.g. 127.0.0.1:5701,127.0.0.1:5702 (offending entry: " + m + ").");
      }
    }
    Optional<Path> file = config.get("config").map(String::trim).filter(s -> !s.isEmpty()).map(Path::of);
    if (file.isPresent() && !Files.isRegularFile(file.get())) {
      throw new IllegalArgumentException(config.setting("config").orElseThrow().describe()
          + " names no readable file: give the path of a hazelcast.xml/.yaml (or hazelcast-client.xml/.yaml in client mode).");
    }
    Duration heartbeat = positive(config, "heartbeat-timeout", Duration.ofSeconds(10));
    return new HazelcastSettings(mode.equals("client"), config.get("cluster-name").map(String::trim).filter(s -> !s.isEmpty()),
        members, port, config.get("port").isPresent(), file, heartbeat, positive(config, "shutdown-timeout", Duration.ofSeconds(10)));
  }

  private static Duration positive(BackendConfig config, String option, Duration defaultValue) {
    Duration d = config.getDuration(option, defaultValue);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(config.setting(option).orElseThrow().describe() + " is not valid: expected a positive duration.");
    }
    return d;
  }

  /** Heartbeat timeout in whole seconds, at least 1 (Hazelcast's unit for members). */
  long heartbeatSeconds() {
    return Math.max(1, (heartbeatTimeout.toMillis() + 999) / 1000);
  }

  /** @return the configuration of an embedded member */
  Config memberConfig() {
    Config c;
    if (config.isPresent()) {
      try {
        c = Config.loadFromFile(config.get().toFile());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read multiproc.hazelcast.config " + config.get() + ": " + e.getMessage(), e);
      }
    } else {
      c = new Config();
    }
    if (clusterName.isPresent() || config.isEmpty()) {
      c.setClusterName(clusterName.orElse(DEFAULT_CLUSTER));
    }
    c.setProperty("hazelcast.phone.home.enabled", "false");
    c.setProperty("hazelcast.max.no.heartbeat.seconds", Long.toString(heartbeatSeconds()));
    c.setProperty("hazelcast.logging.type", Logging.type());
    c.setProperty("hazelcast.shutdownhook.enabled", "false"); // the backend closes its member itself
    NetworkConfig net = c.getNetworkConfig();
    if (portSet || config.isEmpty()) {
      net.setPort(port).setPortAutoIncrement(true);
    }
    if (config.isEmpty()) {
      c.setProperty("hazelcast.socket.bind.any", "false");
      if (members.stream().allMatch(HazelcastSettings::isLoopback)) {
        net.getInterfaces().setEnabled(true).setInterfaces(List.of("127.0.0.1"));
      }
      JoinConfig join = net.getJoin();
      join.getMulticastConfig().setEnabled(false);
      join.getAutoDetectionConfig().setEnabled(false);
      join.getAwsConfig().setEnabled(false);
      join.getTcpIpConfig().setEnabled(!members.isEmpty()).setMembers(members);
      c.addExecutorConfig(new ExecutorConfig(EXECUTOR).setPoolSize(EXECUTOR_THREADS));
    } else if (!members.isEmpty()) {
      JoinConfig join = net.getJoin();
      join.getMulticastConfig().setEnabled(false);
      join.getAutoDetectionConfig().setEnabled(false);
      join.getTcpIpConfig().setEnabled(true).setMembers(members);
    }
    return c;
  }

  /** @return the configuration of a client */
  ClientConfig clientConfig() {
    ClientConfig c;
    if (config.isPresent()) {
      try {
        String file = config.get().toString();
        c = file.endsWith(".yaml") || file.endsWith(".yml")
            ? new com.hazelcast.client.config.YamlClientConfigBuilder(config.get().toFile()).build()
            : new com.hazelcast.client.config.XmlClientConfigBuilder(config.get().toFile()).build();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read multiproc.hazelcast.config " + config.get() + ": " + e.getMessage(), e);
      }
    } else {
      c = new ClientConfig();
    }
    if (clusterName.isPresent() || config.isEmpty()) {
      c.setClusterName(clusterName.orElse(DEFAULT_CLUSTER));
    }
    c.setProperty("hazelcast.phone.home.enabled", "false");
    c.setProperty("hazelcast.logging.type", Logging.type());
    c.setProperty("hazelcast.shutdownhook.enabled", "false");
    c.setProperty("hazelcast.client.heartbeat.timeout", Long.toString(heartbeatTimeout.toMillis()));
    if (config.isEmpty() || !members.isEmpty()) {
      c.getNetworkConfig().getAutoDetectionConfig().setEnabled(false);
      c.getNetworkConfig().setAddresses(new java.util.ArrayList<>(members.isEmpty() ? List.of("127.0.0.1:" + port) : members));
    }
    if (config.isEmpty()) {
      // Without a cluster, give up after a while instead of retrying forever.
      c.getConnectionStrategyConfig().getConnectionRetryConfig()
          .setClusterConnectTimeoutMillis(Math.max(20_000, 2 * heartbeatTimeout.toMillis()));
    }
    return c;
  }

  /** The members (or client addresses) for the log line. */
  String describeMembers() {
    if (!members.isEmpty()) {
      return String.join(",", members);
    }
    return client ? "127.0.0.1:" + port : "none (a one-member cluster on 127.0.0.1)";
  }

  private static boolean isLoopback(String member) {
    String host = member.contains(":") ? member.substring(0, member.lastIndexOf(':')) : member;
    if (host.equals("localhost") || host.startsWith("127.")) {
      return true;
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
