/**
 * Not API: the memory's mathematics (basis, ridge solve, retention, device arrays, continuous attention) as the
 * classes of {@code io.ltm.model} and of the node use it. No compatibility promise: any class or member here may
 * change or go in any release, and a public one is public only because another of our packages calls it.
 *
 * <p>Use {@link io.ltm.model} ({@link io.ltm.model.LongTermMemory}, {@link io.ltm.model.MemoryConfig},
 * {@link io.ltm.model.MemoryState}) and {@link io.ltm.model.encoder} instead.
 */
package io.ltm.model.internal;
