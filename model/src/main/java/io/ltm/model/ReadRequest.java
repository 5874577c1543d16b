package io.ltm.model;

/** One read of a batch: state, queryCount query vectors (row-major), options. */
public record ReadRequest(MemoryState state, float[] query, int queryCount, ReadOptions options) {}
