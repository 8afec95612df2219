package dev.multiproc;

/**
 * A backend provider on the class path, as {@link Multiproc#providers()} reports it: found without
 * opening anything.
 *
 * @param name the backend's name, as used in {@code multiproc.backend}
 * @param priority its priority: among providers of priority 0 or more, the highest is the default
 *     when nothing is configured; negative ones are used only when named (or alone)
 * @param provider the provider's class name
 * @param isDefault true if it is the backend {@link Multiproc#backend()} would use now
 */
public record BackendInfo(String name, int priority, String provider, boolean isDefault) {}
