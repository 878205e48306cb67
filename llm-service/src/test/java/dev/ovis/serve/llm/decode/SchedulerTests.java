package dev.ovis.serve.llm.decode;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxJavaType;
import dev.ovis.serve.common.chat.SamplingParams;
import dev.ovis.serve.common.job.Priority;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Admission order of the {@link Scheduler}: interactive requests before batch ones, each first come
 * first served, and batch requests aged in so they are never starved. No model: the plan is pure
 * bookkeeping over a KV budget that never binds.
 */
class SchedulerTests {

    private static final DecoderSpec SPEC = new DecoderSpec(1, 1, 1, 1, 1, OnnxJavaType.FLOAT);

    private static Scheduler scheduler(int maxBatch, int batchAging) {
        EngineSettings settings = new EngineSettings(1024, Set.of(), 1L << 30, maxBatch, 1000, 1 << 20, batchAging);
        return new Scheduler(new KvCache(SPEC, settings.kvMaxBytes()), settings);
    }

    private static Sequence sequence(String id, Priority priority) {
        var embeddings = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        SamplingParams sampling = new SamplingParams(4, 0, 1, 0, 1, null, List.of(), false, false);
        return new Sequence(new DecodeRequest(id, embeddings, 1, sampling, priority), 4, 0, (ids, from, to) -> "", Set.of());
    }

    private static List<String> ids(List<Sequence> sequences) {
        return sequences.stream().map(s -> s.request.id()).toList();
    }

    /** Plans steps with room for one new row each, as a batch that is full but for one leaving row. */
    private static List<String> admitOneAtATime(Scheduler scheduler, int steps) throws InterruptedException {
        List<String> order = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            order.addAll(ids(scheduler.plan(List.of()).admit()));
        }
        return order;
    }

    @Test
    void waitingInteractiveRequestsAreAdmittedBeforeBatchRequestsThatCameFirst() throws Exception {
        // given three batch requests waiting, then two interactive ones, and room for two rows
        Scheduler scheduler = scheduler(2, 8);
        scheduler.submit(sequence("b1", Priority.BATCH));
        scheduler.submit(sequence("b2", Priority.BATCH));
        scheduler.submit(sequence("b3", Priority.BATCH));
        scheduler.submit(sequence("i1", Priority.INTERACTIVE));
        scheduler.submit(sequence("i2", Priority.INTERACTIVE));

        // when the engine plans a step with an empty batch
        Scheduler.Plan plan = scheduler.plan(List.of());

        // then both interactive requests run, the batch ones still wait
        assertThat(ids(plan.admit())).containsExactly("i1", "i2");
        assertThat(scheduler.queued()).isEqualTo(3);
    }

    @Test
    void batchRequestsFillRoomThatInteractiveRequestsLeave() throws Exception {
        // given one interactive request and three batch requests, with room for three rows
        Scheduler scheduler = scheduler(3, 8);
        scheduler.submit(sequence("b1", Priority.BATCH));
        scheduler.submit(sequence("i1", Priority.INTERACTIVE));
        scheduler.submit(sequence("b2", Priority.BATCH));
        scheduler.submit(sequence("b3", Priority.BATCH));

        // when / then: the interactive one first, then the batch ones in the order they came
        assertThat(ids(scheduler.plan(List.of()).admit())).containsExactly("i1", "b1", "b2");
        assertThat(ids(scheduler.plan(List.of()).admit())).containsExactly("b3");
    }

    @Test
    void aBatchRequestIsAgedInUnderASteadyInteractiveLoad() throws Exception {
        // given a batch request and more interactive requests than the aging allows ahead of it
        Scheduler scheduler = scheduler(1, 3);
        scheduler.submit(sequence("b1", Priority.BATCH));
        scheduler.submit(sequence("b2", Priority.BATCH));
        for (int i = 1; i <= 7; i++) {
            scheduler.submit(sequence("i" + i, Priority.INTERACTIVE));
        }

        // when the engine admits one request per step
        List<String> order = admitOneAtATime(scheduler, 9);

        // then every third interactive admission lets the oldest batch request through
        assertThat(order).containsExactly("i1", "i2", "i3", "b1", "i4", "i5", "i6", "b2", "i7");
    }

    @Test
    void cancelledRequestsOfEitherPriorityLeaveTheQueue() throws Exception {
        Scheduler scheduler = scheduler(4, 8);
        Sequence batch = sequence("b1", Priority.BATCH);
        Sequence interactive = sequence("i1", Priority.INTERACTIVE);
        scheduler.submit(batch);
        scheduler.submit(interactive);
        batch.generation.cancel();
        interactive.generation.cancel();

        Scheduler.Plan plan = scheduler.plan(List.of());

        assertThat(ids(plan.cancelled())).containsExactlyInAnyOrder("b1", "i1");
        assertThat(plan.admit()).isEmpty();
        assertThat(scheduler.queued()).isZero();
    }

    @Test
    void theQueueBoundCountsBothPriorities() throws Exception {
        EngineSettings settings = new EngineSettings(1024, Set.of(), 1L << 30, 1, 2, 1 << 20, 8);
        Scheduler scheduler = new Scheduler(new KvCache(SPEC, settings.kvMaxBytes()), settings);
        scheduler.submit(sequence("b1", Priority.BATCH));
        scheduler.submit(sequence("i1", Priority.INTERACTIVE));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> scheduler.submit(sequence("i2", Priority.INTERACTIVE)))
                .isInstanceOf(EngineBusyException.class);
    }

    @Test
    void requestsSubmittedTogetherAreAdmittedInOnePlanOrNotQueuedAtAll() throws Exception {
        // given a queue bound of 3
        EngineSettings settings = new EngineSettings(1024, Set.of(), 1L << 30, 4, 3, 1 << 20, 8);
        Scheduler scheduler = new Scheduler(new KvCache(SPEC, settings.kvMaxBytes()), settings);

        // when four are submitted together, then none is queued
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> scheduler.submitAll(List.of(sequence("a", Priority.INTERACTIVE),
                        sequence("b", Priority.INTERACTIVE), sequence("c", Priority.INTERACTIVE), sequence("d", Priority.INTERACTIVE))))
                .isInstanceOf(EngineBusyException.class);
        assertThat(scheduler.queued()).isZero();

        // when three are, then one plan admits all three
        scheduler.submitAll(List.of(sequence("a", Priority.INTERACTIVE), sequence("b", Priority.INTERACTIVE),
                sequence("c", Priority.INTERACTIVE)));
        assertThat(ids(scheduler.plan(List.of()).admit())).containsExactly("a", "b", "c");
    }
}
