package io.ltm.topology.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.ltm.model.MemoryState;
import io.ltm.model.encoder.TextEncoder;
import io.ltm.topology.codec.MemoryStateCodec;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The {@code internal} packages are ours to change: no public type of the packages a user names ({@code
 * io.ltm.topology.api}, {@code .codec}, {@code io.ltm.model}, {@code .encoder}) may make a user name one, in what it
 * extends, what its public or protected members take, return or throw, or its public fields.
 */
class ApiSurfaceTest {
    /** A class of each package a library user names: the node's api and codec, and the model's. */
    private static final List<Class<?>> PACKAGES =
            List.of(LtmConfig.class, MemoryStateCodec.class, MemoryState.class, TextEncoder.class);

    @Test
    void noPublicSignatureOfTheApiNamesAnInternalType() throws Exception {
        List<String> leaks = new ArrayList<>();
        for (Class<?> c : apiClasses()) {
            if (!exposed(c)) continue;
            check(leaks, c.getName() + " extends", c.getGenericSuperclass());
            for (Type t : c.getGenericInterfaces()) check(leaks, c.getName() + " implements", t);
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (visible(k.getModifiers())) checkExecutable(leaks, c.getName() + "(constructor)", k);
            }
            for (Method m : c.getDeclaredMethods()) {
                if (visible(m.getModifiers()) && !m.isSynthetic()) {
                    checkExecutable(leaks, c.getName() + "." + m.getName(), m);
                    check(leaks, c.getName() + "." + m.getName() + " returns", m.getGenericReturnType());
                }
            }
            for (Field f : c.getDeclaredFields()) {
                if (visible(f.getModifiers())) check(leaks, c.getName() + "." + f.getName(), f.getGenericType());
            }
        }
        assertThat(leaks).as("public api signatures that name an internal type").isEmpty();
    }

    private static void checkExecutable(List<String> leaks, String where, Executable e) {
        for (Type t : e.getGenericParameterTypes()) check(leaks, where + " takes", t);
        for (Type t : e.getGenericExceptionTypes()) check(leaks, where + " throws", t);
    }

    /** Adds a line for every internal type in {@code t}, type arguments and bounds included. */
    private static void check(List<String> leaks, String where, Type t) {
        if (t instanceof Class<?> c) {
            Class<?> named = c;
            while (named.isArray()) named = named.getComponentType();
            if (named.getPackageName().contains(".internal")) leaks.add(where + " " + named.getName());
        } else if (t instanceof ParameterizedType p) {
            check(leaks, where, p.getRawType());
            for (Type a : p.getActualTypeArguments()) check(leaks, where, a);
        } else if (t instanceof GenericArrayType a) {
            check(leaks, where, a.getGenericComponentType());
        } else if (t instanceof WildcardType w) {
            for (Type b : w.getUpperBounds()) check(leaks, where, b);
            for (Type b : w.getLowerBounds()) check(leaks, where, b);
        } else if (t instanceof TypeVariable<?> v) {
            for (Type b : v.getBounds()) check(leaks, where, b);
        }
    }

    /** Public, and (when nested) inside public types only: what a user can name. */
    private static boolean exposed(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass()) return false;
        }
        return true;
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    /** Every class compiled into each package of {@link #PACKAGES}, nested ones included. */
    private static List<Class<?>> apiClasses() throws Exception {
        List<Class<?>> out = new ArrayList<>();
        for (Class<?> anchor : PACKAGES) {
            Path location = Path.of(
                    anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            String dir = anchor.getPackageName().replace('.', '/');
            if (Files.isDirectory(location)) {
                out.addAll(classesIn(location.resolve(dir), anchor.getPackageName()));
            } else { // a module built before this one is read from its jar in a reactor build past package
                try (FileSystem jar = FileSystems.newFileSystem(location)) {
                    out.addAll(classesIn(jar.getPath(dir), anchor.getPackageName()));
                }
            }
        }
        assertThat(out.stream().map(Class::getSimpleName))
                .as("the scan found the api")
                .contains("LtmConfig", "MemoryNode", "MemoryTopology", "LtmClient", "MemoryStateCodec", "MemoryState");
        return out;
    }

    private static List<Class<?>> classesIn(Path dir, String pkg) throws IOException, ClassNotFoundException {
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                String name = f.getFileName().toString();
                out.add(Class.forName(
                        pkg + "." + name.substring(0, name.length() - ".class".length()),
                        false,
                        ApiSurfaceTest.class.getClassLoader()));
            }
        }
        return out;
    }
}
