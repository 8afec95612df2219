package dev.multiproc;

/**
 * The backend {@link Multiproc#backend()} would use, and why, as {@link Multiproc#defaultChoice()}
 * reports it without opening anything.
 *
 * @param name the backend's name
 * @param reason how it was chosen, e.g. {@code "system property multiproc.backend=process"} or
 *     {@code "the only backend on the class path"}
 */
public record BackendChoice(String name, String reason) {}
