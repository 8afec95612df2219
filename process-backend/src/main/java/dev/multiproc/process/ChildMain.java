package dev.multiproc.process;

/**
 * The main class of a child JVM of the {@code process} backend. Public only because the JVM
 * launches it; not an API.
 *
 * <p>It takes over file descriptor 1 for the channel (with the shared-memory {@link Ring}, if the
 * parent made one), routes {@code System.out} and {@code System.err} into messages, says hello, then serves commands from stdin until stdin ends
 * (the parent closed the pool, or died), at which point it halts at once: a child never outlives
 * its parent. The start-up path avoids lambdas and other invokedynamic sites so the child is
 * ready as fast as a bare JVM.
 */
public final class ChildMain {

  private ChildMain() {}

  /**
   * Runs the child.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    ChildChannel channel = ChildChannel.open();
    channel.hello();
    ChildWarmup.startIfAsked();
    channel.readLoop();
  }
}
