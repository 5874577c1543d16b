package io.ltm.topology.internal;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Where the node first read a record that it wrote again to its key's partition ({@link KeyRouter}): the header
 * {@link Names#HEADER_ROUTED_FROM}, "partition:offset" in ASCII, so consumers of the topic can tell the copy and a
 * dead letter names the record its producer wrote.
 */
record RoutedFrom(int partition, long offset) {

    byte[] encode() {
        return (partition + ":" + offset).getBytes(StandardCharsets.US_ASCII);
    }

    /** The header's position, if the record has a well-formed one. */
    static Optional<RoutedFrom> of(Headers headers) {
        Header h = headers.lastHeader(Names.HEADER_ROUTED_FROM);
        if (h == null || h.value() == null) {
            return Optional.empty();
        }
        String s = new String(h.value(), StandardCharsets.US_ASCII);
        int colon = s.indexOf(':');
        try {
            return Optional.of(
                    new RoutedFrom(Integer.parseInt(s.substring(0, colon)), Long.parseLong(s.substring(colon + 1))));
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            return Optional.empty(); // a producer's own header of that name: the record's position stands
        }
    }
}
