/**
 * The multiproc conformance kit (TCK): abstract JUnit Jupiter suites that state the API contract
 * as tests, so that every backend is held to the same behaviour.
 *
 * <p>A backend runs all of it by extending {@link dev.multiproc.tck.MultiprocConformanceKit} in
 * its tests and returning its provider from {@code provider()}; see that class. The suites are
 * written so that they hold on every backend, including those whose workers are other JVMs: tasks
 * talk back only through queues, events, results and exceptions, and capture no test state.
 */
package dev.multiproc.tck;
