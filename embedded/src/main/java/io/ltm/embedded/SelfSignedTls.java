package io.ltm.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway TLS identity for a broker on 127.0.0.1: a PKCS12 key store with a self-signed certificate (EC P-256,
 * valid for {@code localhost} and {@code 127.0.0.1}, so clients keep hostname verification on) and a PKCS12 trust
 * store that holds only that certificate. Made with the JDK's own {@code keytool}; the store passwords reach it
 * through its environment, never its command line.
 */
final class SelfSignedTls {

    static final String STORE_TYPE = "PKCS12";
    private static final String ALIAS = "ltm-broker";
    private static final int VALIDITY_DAYS = 2;
    private static final int PASSWORD_BYTES = 18;
    private static final long KEYTOOL_TIMEOUT_S = 60;
    private static final SecureRandom RANDOM = new SecureRandom();

    final Path keystore;
    final Path truststore;
    final String keystorePassword;
    final String truststorePassword;

    private SelfSignedTls(Path keystore, Path truststore, String keystorePassword, String truststorePassword) {
        this.keystore = keystore;
        this.truststore = truststore;
        this.keystorePassword = keystorePassword;
        this.truststorePassword = truststorePassword;
    }

    /** Writes {@code broker.p12}, {@code broker.pem} and {@code truststore.p12} into {@code dir}. */
    static SelfSignedTls create(Path dir) {
        SelfSignedTls tls = new SelfSignedTls(
                dir.resolve("broker.p12"), dir.resolve("truststore.p12"), randomPassword(), randomPassword());
        Path cert = dir.resolve("broker.pem");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        Map<String, String> env = Map.of("LTM_KS_PASS", tls.keystorePassword, "LTM_TS_PASS", tls.truststorePassword);
        keytool(
                env,
                "-genkeypair",
                "-alias",
                ALIAS,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-validity",
                String.valueOf(VALIDITY_DAYS),
                "-storetype",
                STORE_TYPE,
                "-keystore",
                tls.keystore.toString(),
                "-storepass:env",
                "LTM_KS_PASS");
        keytool(
                env,
                "-exportcert",
                "-rfc",
                "-alias",
                ALIAS,
                "-keystore",
                tls.keystore.toString(),
                "-storepass:env",
                "LTM_KS_PASS",
                "-file",
                cert.toString());
        keytool(
                env,
                "-importcert",
                "-noprompt",
                "-alias",
                ALIAS,
                "-file",
                cert.toString(),
                "-storetype",
                STORE_TYPE,
                "-keystore",
                tls.truststore.toString(),
                "-storepass:env",
                "LTM_TS_PASS");
        return tls;
    }

    /** A random password of URL-safe Base64 characters (no quote, comma or bracket to escape anywhere). */
    static String randomPassword() {
        byte[] b = new byte[PASSWORD_BYTES];
        RANDOM.nextBytes(b);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static void keytool(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(KEYTOOL_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(
                        "keytool " + args[0] + " did not finish in " + KEYTOOL_TIMEOUT_S + " s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed (exit " + p.exitValue() + "): " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run keytool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }
}
