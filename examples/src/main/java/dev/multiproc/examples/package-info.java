/**
 * The seed's Python programs as Java mains, each running unchanged on whichever multiproc backend
 * is configured: {@link dev.multiproc.examples.Countdown}, {@link dev.multiproc.examples.PoolMap},
 * {@link dev.multiproc.examples.SenderReceiver}, {@link dev.multiproc.examples.Classy} and
 * {@link dev.multiproc.examples.EventStop}, run one or all by {@link dev.multiproc.examples.Examples}.
 *
 * <p>Rules every task here follows so that it can run in another JVM: it is a lambda or method
 * reference of a multiproc functional type (hence serializable), it captures only queue and event
 * handles and plain values (never a non-serializable {@code this}, never static mutable state), and
 * its class is on the class path of the runnable jar.
 */
package dev.multiproc.examples;
