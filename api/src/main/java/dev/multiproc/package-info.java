/**
 * Python-style parallel work for Java: {@link dev.multiproc.Pool}, {@link dev.multiproc.Queue},
 * {@link dev.multiproc.Event} and {@link dev.multiproc.Worker}, on a backend chosen by
 * configuration. Start at {@link dev.multiproc.Multiproc}.
 */
package dev.multiproc;
