package io.ltm.schemas.registry;

import io.ltm.embedded.LocalRegistry;

/** Test helper run as a separate JVM: starts a registry, prints its pid, and waits to be killed. */
public final class LocalRegistryHolder {
    public static void main(String[] args) throws Exception {
        LocalRegistry r = LocalRegistry.start();
        System.out.println("REGISTRY_PID=" + r.registryPid() + " URL=" + r.url());
        System.out.flush();
        Thread.sleep(300_000);
    }
}
