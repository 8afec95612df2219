/**
 * The service-provider interface: how backends plug into {@link dev.multiproc.Multiproc}.
 *
 * <p>A backend module ships a {@link dev.multiproc.spi.BackendProvider} registered in
 * {@code META-INF/services/dev.multiproc.spi.BackendProvider}, and reads its settings through
 * {@link dev.multiproc.spi.BackendConfig}. Users do not need this package except to open a private
 * backend ({@code provider.open(BackendConfig.load("thread"))}).
 */
package dev.multiproc.spi;
