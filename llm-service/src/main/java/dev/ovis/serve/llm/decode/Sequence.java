package dev.ovis.serve.llm.decode;

import dev.ovis.serve.common.chat.FinishReason;
import dev.ovis.serve.common.chat.TokenLogprob;
import dev.ovis.serve.common.chat.Usage;
import java.util.Arrays;
import java.util.Set;

/**
 * The engine's state of one request: what has been generated, how long its KV is, and the text
 * pipeline (incremental decoding → stop strings → the caller's {@link Generation}). Engine thread only.
 */
final class Sequence {

    final DecodeRequest request;
    final Generation generation;
    /** Positions reserved in the KV budget: prompt + most new tokens. */
    final int reserved;
    private final int maxNew;
    private final Sampler sampler;
    private final IncrementalDetokenizer detokenizer;
    private final StopStrings stopStrings;
    private final TokenText text;
    private final Set<Integer> stopIds;
    private int[] generated = new int[16];
    private int count;
    private boolean finished;
    /** The prefill's KV until the sequence joins the batch. */
    KvBlock prefillKv;

    Sequence(DecodeRequest request, int maxNew, long seed, TokenText text, Set<Integer> stopIds) {
        this.request = request;
        this.generation = new Generation();
        this.maxNew = maxNew;
        this.reserved = request.positions() + maxNew;
        this.sampler = new Sampler(request.sampling(), seed);
        this.detokenizer = new IncrementalDetokenizer(text);
        this.stopStrings = new StopStrings(request.sampling().stop());
        this.text = text;
        this.stopIds = stopIds;
    }

    /** Positions in this sequence's KV once its last token is fed: prompt + generated − 1. */
    int kvLength() {
        return request.positions() + count - 1;
    }

    /** The token to feed next. */
    int lastToken() {
        return generated[count - 1];
    }

    boolean finished() {
        return finished;
    }

    /** Samples from this row's logits and runs the text pipeline; returns whether the sequence ended. */
    boolean sample(java.nio.FloatBuffer logits, int vocab) {
        int token = sampler.sample(logits, vocab, generated, count);
        if (count == generated.length) {
            generated = Arrays.copyOf(generated, count * 2);
        }
        generated[count++] = token;
        generation.token(token);
        if (stopIds.contains(token)) {
            finish(FinishReason.STOP);
            return true;
        }
        TokenLogprob logprob = request.sampling().logprobs()
                ? new TokenLogprob(text.decode(new int[]{token}, 0, 1), token, sampler.lastLogprob()) : null;
        String piece = stopStrings.accept(detokenizer.add(token));
        generation.emit(piece, logprob);
        if (stopStrings.stopped()) {
            finished = true;
            generation.finish(FinishReason.STOP, usage());
            return true;
        }
        if (count >= maxNew) {
            finish(FinishReason.LENGTH);
            return true;
        }
        return false;
    }

    /** Ends the sequence, emitting any text still held back. */
    void finish(FinishReason reason) {
        if (finished) {
            return;
        }
        finished = true;
        if (reason != FinishReason.CANCELLED) {
            String tail = stopStrings.accept(detokenizer.flush());
            tail += stopStrings.flush();
            if (!tail.isEmpty()) {
                generation.emit(tail, null);
            }
        }
        generation.finish(reason, usage());
    }

    private Usage usage() {
        return new Usage(request.positions(), count);
    }
}
