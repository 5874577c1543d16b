package io.ltm.model;

/** A short-term token: score = cosine(pooled query, token vector); weight = its softmax attention weight. */
public record ShortTermHit(long tokenIndex, double score, double weight, String token, TokenSource source) {}
