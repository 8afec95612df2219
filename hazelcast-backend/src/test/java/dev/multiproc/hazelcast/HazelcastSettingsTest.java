package dev.multiproc.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import dev.multiproc.spi.BackendConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code multiproc.hazelcast.*} keys and the Hazelcast configurations built from them; starts nothing. */
class HazelcastSettingsTest {

  private static HazelcastSettings settings(Map<String, String> options) {
    return HazelcastSettings.from(BackendConfig.of("hazelcast", options));
  }

  @Test
  void defaultsAreAOneMemberClusterOnLoopbackWithNothingOutbound() {
    HazelcastSettings s = settings(Map.of());
    assertThat(s.client()).isFalse();
    assertThat(s.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(10));
    Config c = s.memberConfig();
    assertThat(c.getClusterName()).isEqualTo("multiproc");
    assertThat(c.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    assertThat(c.getProperty("hazelcast.socket.bind.any")).isEqualTo("false");
    assertThat(c.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("10");
    assertThat(c.getNetworkConfig().getPort()).isEqualTo(5701);
    assertThat(c.getNetworkConfig().getInterfaces().isEnabled()).isTrue();
    assertThat(c.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("127.0.0.1");
    JoinConfig join = c.getNetworkConfig().getJoin();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).as("no members: no join at all").isFalse();
  }

  @Test
  void membersAreJoinedByTcpIpAndWhereAClientConnects() {
    HazelcastSettings s = settings(Map.of("mode", "client", "cluster-name", "crunch",
        "members", "127.0.0.1:5801, 127.0.0.1:5802", "heartbeat-timeout", "3s", "port", "5900"));
    assertThat(s.client()).isTrue();
    assertThat(s.members()).containsExactly("127.0.0.1:5801", "127.0.0.1:5802");
    Config m = s.memberConfig();
    assertThat(m.getClusterName()).isEqualTo("crunch");
    assertThat(m.getNetworkConfig().getPort()).isEqualTo(5900);
    assertThat(m.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled()).isTrue();
    assertThat(m.getNetworkConfig().getJoin().getTcpIpConfig().getMembers()).containsExactly("127.0.0.1:5801", "127.0.0.1:5802");
    assertThat(m.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("127.0.0.1");
    ClientConfig c = s.clientConfig();
    assertThat(c.getClusterName()).isEqualTo("crunch");
    assertThat(c.getNetworkConfig().getAddresses()).containsExactly("127.0.0.1:5801", "127.0.0.1:5802");
    assertThat(c.getNetworkConfig().getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(c.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    assertThat(c.getProperty("hazelcast.client.heartbeat.timeout")).isEqualTo("3000");
  }

  @Test
  void aMemberOnAnotherHostIsNotBoundToLoopback() {
    Config m = settings(Map.of("members", "10.1.2.3:5701")).memberConfig();
    assertThat(m.getNetworkConfig().getInterfaces().isEnabled()).isFalse();
    assertThat(m.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isFalse();
  }

  @Test
  void aUserConfigIsTheBase(@TempDir Path dir) throws Exception {
    Path xml = dir.resolve("hazelcast.xml");
    Files.writeString(xml, """
        <hazelcast xmlns="http://www.hazelcast.com/schema/config">
          <cluster-name>theirs</cluster-name>
          <network><port>6000</port></network>
        </hazelcast>
        """);
    Config m = settings(Map.of("config", xml.toString())).memberConfig();
    assertThat(m.getClusterName()).isEqualTo("theirs");
    assertThat(m.getNetworkConfig().getPort()).isEqualTo(6000);
    assertThat(m.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    assertThat(settings(Map.of("config", xml.toString(), "cluster-name", "mine")).memberConfig().getClusterName()).isEqualTo("mine");
  }

  @Test
  void badValuesSayWhatIsWrongAndWhatIsExpected() {
    assertThatIllegalArgumentException().isThrownBy(() -> settings(Map.of("mode", "cluster")))
        .withMessageContaining("multiproc.hazelcast.mode").withMessageContaining("embedded").withMessageContaining("client");
    assertThatIllegalArgumentException().isThrownBy(() -> settings(Map.of("port", "70000")))
        .withMessageContaining("multiproc.hazelcast.port");
    assertThatIllegalArgumentException().isThrownBy(() -> settings(Map.of("members", "127.0.0.1:5701;127.0.0.1:5702")))
        .withMessageContaining("host:port");
    assertThatIllegalArgumentException().isThrownBy(() -> settings(Map.of("config", "/no/such/hazelcast.xml")))
        .withMessageContaining("multiproc.hazelcast.config");
    assertThatIllegalArgumentException().isThrownBy(() -> settings(Map.of("heartbeat-timeout", "0s")))
        .withMessageContaining("positive");
    assertThat(List.of(settings(Map.of("mode", " Client ")).client())).containsExactly(true);
  }
}
