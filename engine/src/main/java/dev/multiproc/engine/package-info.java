/**
 * Internal, no compatibility promise: what every multiproc backend shares. The pool engine
 * ({@link dev.multiproc.engine.AbstractPool} and its job types), the in-JVM queue and event that
 * also hold the process backend's parent-side state, thread factories, the worker and lifecycle
 * plumbing, and {@link dev.multiproc.engine.LocalBackend}, the in-JVM backend that the
 * {@code thread} and {@code virtual-thread} providers open over a platform or virtual thread
 * factory.
 *
 * <p>This package registers no backend. Applications depend on {@code multiproc-api} and one
 * backend; on the module path it is exported only to the backend modules.
 */
package dev.multiproc.engine;
