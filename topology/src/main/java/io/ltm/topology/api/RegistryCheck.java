package io.ltm.topology.api;

import io.ltm.schemas.registry.SchemaRegistryClient;
import io.ltm.schemas.registry.SchemaRegistryClients;
import io.ltm.schemas.registry.SchemaRegistryException;
import io.ltm.schemas.registry.SchemaRegistryUnavailableException;
import java.util.HashMap;
import java.util.Map;

/**
 * Checked when {@code ./ltm run}, {@code ./ltm worker} and the client commands start: a schema registry that
 * refuses our credentials stops them with one line, instead of a pipeline that retries every record until someone
 * fixes {@code basic.auth.user.info} (a refusal is a fault of the setup, never of a record: see the deserializer).
 * A registry that does not answer is not checked here: the node and the workers wait for it, as in an outage.
 */
public final class RegistryCheck {

    /** One quick try: the check must not hold up a start while the registry is merely slow or down. */
    private static final String CHECK_TIMEOUT_MS = "2000";

    private static final int UNAUTHORIZED = 401;
    private static final int FORBIDDEN = 403;

    private RegistryCheck() {}

    /** @throws UserFacingException when the registry answers 401 or 403 */
    public static void requireAccess(LtmConfig config) {
        Map<String, Object> c = new HashMap<>(config.serdeConfig());
        c.put(SchemaRegistryClients.MAX_RETRIES, "0");
        c.put(SchemaRegistryClients.CONNECT_TIMEOUT_MS, CHECK_TIMEOUT_MS);
        c.put(SchemaRegistryClients.READ_TIMEOUT_MS, CHECK_TIMEOUT_MS);
        try (SchemaRegistryClient client = SchemaRegistryClients.fromConfig(c)) {
            client.subjects();
        } catch (SchemaRegistryUnavailableException e) {
            // not answering says nothing about our credentials; the pipeline retries until it answers
        } catch (SchemaRegistryException e) {
            if (e.status() == UNAUTHORIZED || e.status() == FORBIDDEN) {
                throw new UserFacingException(
                        "the schema registry at " + withoutUserInfo(config.getString(LtmConfig.SCHEMA_REGISTRY_URL))
                                + " refused our credentials (HTTP " + e.status() + "): set "
                                + SchemaRegistryClients.USER_INFO + "=user:password (README, Security)");
            }
        } catch (IllegalArgumentException e) {
            throw new UserFacingException("cannot use the schema registry settings: " + e.getMessage(), e);
        }
    }

    /** The URLs without {@code user:password@} (basic.auth.credentials.source=URL puts the password there). */
    static String withoutUserInfo(String urls) {
        return urls.replaceAll("(?<=://)[^/@,]*@", "");
    }
}
