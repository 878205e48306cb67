package dev.ovis.serve.llm.decode;

import dev.ovis.serve.common.chat.FinishReason;
import dev.ovis.serve.common.chat.TokenLogprob;
import dev.ovis.serve.common.chat.Usage;
import dev.ovis.serve.common.job.Failure;
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
    /** {@link System#nanoTime()} at submit; the clock of the observer's latencies. */
    final long submittedNanos = System.nanoTime();
    private long firstTokenNanos;
    private long lastTokenNanos;
    private final EngineObserver observer;

    Sequence(DecodeRequest request, int maxNew, long seed, TokenText text, Set<Integer> stopIds) {
        this(request, maxNew, seed, text, stopIds, EngineObserver.NONE);
    }

    Sequence(DecodeRequest request, int maxNew, long seed, TokenText text, Set<Integer> stopIds, EngineObserver observer) {
        this.observer = observer;
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
        long now = System.nanoTime();
        if (count == 1) {
            firstTokenNanos = now;
            observer.firstToken(now - submittedNanos);
        } else {
            observer.nextToken(now - lastTokenNanos);
        }
        lastTokenNanos = now;
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
            observeEnd(FinishReason.STOP);
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
        observeEnd(reason);
        generation.finish(reason, usage());
    }

    /** Fails the request (prefill or step error, shutdown); a sequence already ended stays as it was. */
    void fail(Failure failure) {
        if (finished) {
            return;
        }
        finished = true;
        observeEnd(null);
        generation.fail(failure);
    }

    /** Reported before the caller can see the end, so a caller that saw it also sees the metrics. */
    private void observeEnd(FinishReason reason) {
        long now = System.nanoTime();
        observer.finished(reason, now - submittedNanos, count == 0 ? 0 : now - firstTokenNanos, request.positions(), count);
    }

    private Usage usage() {
        return new Usage(request.positions(), count);
    }
}
