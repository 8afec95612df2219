package dev.multiproc.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A plain Hazelcast member, as a user would start one: nothing of multiproc runs in it, its classes
 * are merely on the class path (the tests'). Bound to 127.0.0.1, joins by TCP-IP, phone-home,
 * multicast and auto-detection off. Prints {@code READY <pid>} once started and shuts down when its
 * standard input ends (the test that started it closed it, or died).
 *
 * <p>Arguments: {@code <cluster-name> <port> <member,member,...>}.
 */
public final class PlainMember {

  private static final Logger HAZELCAST = Logger.getLogger("com.hazelcast");

  private PlainMember() {}

  public static void main(String[] args) throws IOException {
    HAZELCAST.setLevel(Level.WARNING);
    Config c = new Config().setClusterName(args[0]);
    c.setProperty("hazelcast.phone.home.enabled", "false");
    c.setProperty("hazelcast.logging.type", "jdk");
    c.setProperty("hazelcast.socket.bind.any", "false");
    c.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
    c.getNetworkConfig().setPort(Integer.parseInt(args[1])).setPortAutoIncrement(false);
    c.getNetworkConfig().getInterfaces().setEnabled(true).setInterfaces(List.of("127.0.0.1"));
    JoinConfig join = c.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(Arrays.asList(args[2].split(",")));
    HazelcastInstance hz = Hazelcast.newHazelcastInstance(c);
    try {
      System.out.println("READY " + ProcessHandle.current().pid());
      System.out.flush();
      InputStream in = System.in;
      while (in.read() >= 0) {
        // until the parent closes our stdin or dies
      }
    } finally {
      hz.shutdown();
    }
  }
}
