package io.ltm.topology.internal;

import io.ltm.model.ExactRerank;
import io.ltm.model.MemoryState;
import io.ltm.model.ReadResult;
import io.ltm.model.RereadWindow;
import io.ltm.model.TokenSource;
import io.ltm.schemas.MemoryQuery;
import io.ltm.schemas.MemoryResponse;
import io.ltm.schemas.RereadRequest;
import io.ltm.schemas.RereadStretch;
import io.ltm.topology.api.LtmConfig;
import io.ltm.topology.codec.WireVectors;
import java.util.ArrayList;
import java.util.List;

/**
 * The first stage of a two-stage read, where the answer is made (memory node or attention worker): a query whose
 * options ask for {@code rereadTokens} gets, instead of its answer, a {@link RereadRequest} for the reread worker,
 * with the stretch of the events topic to re-read around every span ({@link RereadWindow}, at most
 * {@link LtmConfig#QUERY_REREAD_MAX_TOKENS} tokens each) and the query's pooled vector.
 */
public final class Rereads {

    private final int maxTokens;

    public Rereads(LtmConfig config) {
        this.maxTokens = config.getInt(LtmConfig.QUERY_REREAD_MAX_TOKENS);
    }

    /** Tokens to re-read per span for this query: its rereadTokens capped by the node's maximum; 0 when off. */
    int budget(MemoryQuery query) {
        int asked = query.getOptions() == null ? 0 : query.getOptions().getRereadTokens();
        return asked <= 0 ? 0 : Math.min(asked, maxTokens);
    }

    /**
     * The request that completes {@code answer} with a re-read of the log, or null when the query did not ask for
     * one or there is nothing to re-read (no span, or no long-term tokens): the answer then goes out as it is.
     */
    public RereadRequest request(
            MemoryQuery query,
            MemoryResponse answer,
            ReadResult result,
            MemoryState state,
            float[] queryVectors,
            int queryCount,
            List<String> queryTokens) {
        int budget = budget(query);
        if (budget == 0 || !answer.getFound() || result.spans().isEmpty()) {
            return null;
        }
        List<RereadStretch> stretches = new ArrayList<>();
        for (int i = 0; i < result.spans().size(); i++) {
            RereadWindow w = RereadWindow.of(result.spans().get(i), state, budget);
            if (w == null || w.from().topic() == null) {
                continue; // a span over tokens whose source is unknown (sent without one) cannot be re-read
            }
            TokenSource to = w.to().topic() == null ? w.from() : w.to();
            stretches.add(RereadStretch.newBuilder()
                    .setSpan(i)
                    .setTokenStart(w.tokenStart())
                    .setTokenEnd(w.tokenEnd())
                    .setFrom(Sources.toWire(w.from()))
                    .setTo(Sources.toWire(to))
                    .build());
        }
        if (stretches.isEmpty()) {
            return null;
        }
        int d = queryVectors.length / Math.max(1, queryCount);
        float[] pooled = ExactRerank.pool(queryVectors, queryCount, d);
        return RereadRequest.newBuilder()
                .setResponse(answer)
                .setQuery(WireVectors.query(pooled, 1, d))
                .setStretches(stretches)
                .setEvents(result.spans().size())
                .setQueryTokens(queryTokens == null ? null : new ArrayList<>(queryTokens))
                .build();
    }
}
