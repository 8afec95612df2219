/**
 * The {@code virtual-thread} backend: {@link dev.multiproc.virtualthread.VirtualThreadBackendProvider}.
 * Only the provider is here; the primitives are the thread backend's, run on virtual threads.
 */
package dev.multiproc.virtualthread;
