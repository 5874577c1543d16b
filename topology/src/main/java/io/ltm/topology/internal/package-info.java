/**
 * Not API: the node's processors, stores, serdes, topic names, HTTP endpoint and health, as {@code
 * io.ltm.topology.api} and the workers assemble them. No compatibility promise: any class or member here may change
 * or go in any release, and a public one is public only because another of our packages calls it (or, as {@link
 * io.ltm.topology.internal.BoundedRocksDbConfig}, Kafka Streams creates it by name).
 *
 * <p>Use {@link io.ltm.topology.api} ({@link io.ltm.topology.api.MemoryNode}, {@link
 * io.ltm.topology.api.MemoryTopology}, {@link io.ltm.topology.api.LtmConfig}, {@link
 * io.ltm.topology.api.LtmClient}), {@link io.ltm.topology.codec} and {@link io.ltm.topology.worker} instead.
 */
package io.ltm.topology.internal;
