package io.ltm.registry;

import io.quarkus.vertx.http.runtime.filters.Filters;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import javax.enterprise.context.ApplicationScoped;
import javax.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * HTTP basic auth in front of every route of the registry, when {@code ltm.registry.basic-auth.user-info}
 * ({@code user:password}, environment variable {@code LTM_REGISTRY_BASIC_AUTH_USER_INFO}) is set; without it the
 * registry answers everyone, as Apicurio does by default. Apicurio 2.4's own authentication needs an OIDC server
 * (Keycloak), which a local stack does not have: this filter is the Confluent-style basic auth that
 * {@code basic.auth.user.info} clients send.
 */
@ApplicationScoped
public class BasicAuthFilter {

    /** Before every other filter and route: nothing is answered to a request without the credentials. */
    private static final int PRIORITY = 10_000;

    private static final int UNAUTHORIZED = 401;

    @ConfigProperty(name = "ltm.registry.basic-auth.user-info")
    Optional<String> userInfo;

    void register(@Observes Filters filters) {
        if (userInfo.isEmpty() || userInfo.get().isEmpty()) {
            return;
        }
        byte[] expected = ("Basic "
                        + Base64.getEncoder().encodeToString(userInfo.get().getBytes(StandardCharsets.UTF_8)))
                .getBytes(StandardCharsets.UTF_8);
        filters.register(
                rc -> {
                    String given = rc.request().getHeader("Authorization");
                    // compared in constant time, so the answer's timing tells nothing about the password
                    if (given != null && MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
                        rc.next();
                        return;
                    }
                    rc.response()
                            .setStatusCode(UNAUTHORIZED)
                            .putHeader("WWW-Authenticate", "Basic realm=\"ltm-registry\"")
                            .putHeader("Content-Type", "application/json")
                            .end("{\"error_code\":401,\"message\":\"Unauthorized: this registry needs HTTP basic auth "
                                    + "(basic.auth.user.info)\"}");
                },
                PRIORITY);
    }
}
