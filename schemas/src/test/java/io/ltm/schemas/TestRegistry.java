package io.ltm.schemas;

import io.ltm.embedded.LocalRegistry;

/** One real registry (Apicurio child process) per test JVM, started on first use, stopped by its shutdown hook. */
public final class TestRegistry {
    private static LocalRegistry registry;

    private TestRegistry() {}

    public static synchronized LocalRegistry shared() {
        if (registry == null || !registry.isAlive()) registry = LocalRegistry.start();
        return registry;
    }

    public static String url() {
        return shared().url();
    }
}
