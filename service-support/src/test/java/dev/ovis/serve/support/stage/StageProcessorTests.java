package dev.ovis.serve.support.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.chat.ChatResult;
import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.chat.FinishReason;
import dev.ovis.serve.common.chat.SamplingParams;
import dev.ovis.serve.common.chat.StreamChunk;
import dev.ovis.serve.common.chat.Usage;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.JobResult;
import dev.ovis.serve.common.job.JobStatus;
import dev.ovis.serve.common.job.Route;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.common.ocr.OcrTask;
import dev.ovis.serve.common.video.KeyframeTask;
import dev.ovis.serve.support.kafka.PublishException;
import dev.ovis.serve.support.storage.ObjectStoreException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StageProcessorTests {

    static final JobPayload CHAT = JobPayload.of(new ChatTask("tiny", List.of(
            new ChatMessage(Role.USER, List.of(ContentPart.text("hi")))), SamplingParams.REFERENCE, false));
    static final MediaRef IMAGE = new MediaRef("ovis-media", "t/media/" + "a".repeat(64), "image/png", "a".repeat(64), 3);
    static final JobPayload OCR = JobPayload.of(new OcrTask(IMAGE, List.of("eng"), null));
    static final JobPayload KEYFRAMES = JobPayload.of(new KeyframeTask(IMAGE, null, 8, null));
    static final JobResult RESULT = JobResult.of(new ChatResult("tiny", "hello", FinishReason.STOP, new Usage(1, 1), null));

    private final RecordingPublisher publisher = new RecordingPublisher();
    private final JobsNotToRun cancelled = new JobsNotToRun(100, Duration.ofHours(1));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final AtomicLong clock = new AtomicLong();
    private final List<Duration> pauses = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();

    private StageProcessor processor(StageHandler<?>... handlers) {
        StageHandler<?> handler = handlers[0];
        StageProperties properties = new StageProperties(handler.stage(), 1, 3, Duration.ofMillis(100),
                Duration.ofMinutes(30), Duration.ofMillis(250), 100, Duration.ofHours(1), Duration.ofSeconds(5),
                Duration.ofSeconds(10), 100);
        return new StageProcessor(List.of(handlers), publisher, cancelled, properties, new StageMetrics(meters, handler.stage()),
                "test-service", Duration.ofSeconds(1), clock::get, pause -> pauses.add(pause), stopping::get);
    }

    private static StageRequest request(Stage stage, String replyTo) {
        return new StageRequest("job-1", "tenant", new Route(List.of(Stage.VISION, Stage.LLM)), stage, replyTo, CHAT);
    }

    /** A handler of chat tasks. */
    private static StageHandler<ChatTask> handler(Stage stage, Handling handling) {
        return handler(stage, ChatTask.class, handling);
    }

    private static <T> StageHandler<T> handler(Stage stage, Class<T> taskType, Handling handling) {
        return new StageHandler<>() {
            @Override
            public Stage stage() {
                return stage;
            }

            @Override
            public Class<T> taskType() {
                return taskType;
            }

            @Override
            public StageOutcome handle(StageRequest request, T task, StageContext context) throws StageException {
                assertThat(task).isSameAs(request.payload().task());
                return handling.handle(request, context);
            }
        };
    }

    interface Handling {
        StageOutcome handle(StageRequest request, StageContext context) throws StageException;
    }

    private JobEvent lastEvent() {
        return (JobEvent) publisher.sent.getLast().data();
    }

    @Test
    void forwardPublishesRunningThenTheEnrichedRequestToTheNextStageThenAnnouncesIt() {
        processor(handler(Stage.VISION, (request, context) -> new StageOutcome.Forward(CHAT))).process(request(Stage.VISION, null));

        // the request before the announcement: a crash between them must leave a request to run, not
        // a job under the long queued lease with nothing anywhere to run it
        assertThat(publisher.ids()).containsExactly("job-1:vision:running", "job-1:llm", "job-1:vision:forwarded");
        assertThat(publisher.sent.getLast().envelope().type()).isEqualTo(EventTypes.JOB_FORWARDED);
        assertThat(publisher.sent.getFirst().topic()).isEqualTo(Topics.JOB_EVENTS);
        assertThat(publisher.sent.getFirst().envelope().type()).isEqualTo(EventTypes.JOB_STARTED);
        RecordingPublisher.Sent forward = publisher.sent.get(1);
        assertThat(forward.topic()).isEqualTo(Topics.LLM_REQUESTS);
        assertThat(forward.envelope().subject()).isEqualTo("job-1");
        assertThat(forward.data()).isEqualTo(request(Stage.VISION, null).forward(Stage.LLM, CHAT));
        assertThat(meters.counter("ovis.stage.jobs", "stage", "vision", "outcome", "forwarded").count()).isEqualTo(1);
    }

    @Test
    void heartbeatsWhileTheHandlerRunsAndStopsAfter() throws InterruptedException {
        StageProperties properties = new StageProperties(Stage.LLM, 1, 3, Duration.ofMillis(100), Duration.ofMinutes(30),
                Duration.ofMillis(250), 100, Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofMillis(50), 100);
        try (StageHeartbeats heartbeats = new StageHeartbeats()) {
            StageHandler<ChatTask> slow = handler(Stage.LLM, (request, context) -> {
                try {
                    Thread.sleep(400);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new StageOutcome.Complete(RESULT);
            });
            new StageProcessor(List.of(slow), publisher, cancelled, properties, new StageMetrics(meters, Stage.LLM), "test-service",
                    Duration.ofSeconds(1), System::nanoTime, pause -> true, stopping::get, heartbeats.executor())
                    .process(request(Stage.LLM, null).redispatch(2));
            List<String> afterProcess = List.copyOf(publisher.ids());
            Thread.sleep(200);

            assertThat(publisher.ids()).isEqualTo(afterProcess); // no heartbeat once the job is answered
            assertThat(afterProcess).first().isEqualTo("job-1:llm@2:running");
            assertThat(afterProcess).last().isEqualTo("job-1:llm@2:succeeded");
            assertThat(afterProcess).contains("job-1:llm@2:heartbeat:1", "job-1:llm@2:heartbeat:3");
            assertThat(publisher.sent).filteredOn(sent -> sent.envelope().id().contains(":heartbeat:"))
                    .allSatisfy(sent -> {
                        assertThat(sent.envelope().type()).isEqualTo(EventTypes.JOB_HEARTBEAT);
                        assertThat(((JobEvent) sent.data()).status()).isEqualTo(JobStatus.RUNNING);
                    });
        }
    }

    @Test
    void aLaterAttemptNamesItsEventsAndForwardsItsAttempt() {
        processor(handler(Stage.VISION, (request, context) -> new StageOutcome.Forward(CHAT)))
                .process(request(Stage.VISION, null).redispatch(3));

        assertThat(publisher.ids()).containsExactly("job-1:vision@3:running", "job-1:llm@3", "job-1:vision@3:forwarded");
        assertThat(((StageRequest) publisher.sent.get(1).data()).attempt()).isEqualTo(3);
    }

    @Test
    void completeReportsSucceededWithTheResult() {
        processor(handler(Stage.LLM, (request, context) -> new StageOutcome.Complete(RESULT))).process(request(Stage.LLM, null));

        assertThat(publisher.ids()).containsExactly("job-1:llm:running", "job-1:llm:succeeded");
        assertThat(lastEvent().status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(lastEvent().result()).isEqualTo(RESULT);
        assertThat(meters.timer("ovis:stage_duration_seconds", "stage", "llm", "outcome", "succeeded").count()).isEqualTo(1);
    }

    @Test
    void forwardingFromTheLastStageIsABugReportedAsInternal() {
        processor(handler(Stage.LLM, (request, context) -> new StageOutcome.Forward(CHAT))).process(request(Stage.LLM, null));

        assertThat(publisher.ids()).containsExactly("job-1:llm:running", "job-1:llm:failed");
        assertThat(lastEvent().failure().code()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(lastEvent().failure().detail()).contains("last stage");
    }

    @Test
    void aVerdictOnTheInputFailsAtOnceWithItsCodeAndDetail() {
        AtomicInteger calls = new AtomicInteger();
        processor(handler(Stage.VISION, (request, context) -> {
            calls.incrementAndGet();
            throw new StageException(ErrorCode.CORRUPT_MEDIA, "image 1: truncated PNG");
        })).process(request(Stage.VISION, null));

        assertThat(calls).hasValue(1);
        assertThat(publisher.ids()).containsExactly("job-1:vision:running", "job-1:vision:failed");
        assertThat(lastEvent().failure().code()).isEqualTo(ErrorCode.CORRUPT_MEDIA);
        assertThat(lastEvent().failure().detail()).isEqualTo("image 1: truncated PNG");
        assertThat(meters.counter("ovis.stage.jobs.failed", "stage", "vision", "code", "CORRUPT_MEDIA").count()).isEqualTo(1);
    }

    @Test
    void aTransientFailureIsRetriedWithDoublingPausesThenReported() {
        AtomicInteger calls = new AtomicInteger();
        processor(handler(Stage.VISION, (request, context) -> {
            assertThat(context.attempt()).isEqualTo(calls.incrementAndGet());
            throw new StageException(ErrorCode.UNAVAILABLE, "model not loaded");
        })).process(request(Stage.VISION, null));

        assertThat(calls).hasValue(3);
        assertThat(pauses).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(publisher.ids()).containsExactly("job-1:vision:running", "job-1:vision:progress:1",
                "job-1:vision:progress:2", "job-1:vision:failed");
        assertThat(((JobEvent) publisher.sent.get(1).data()).message()).contains("attempt 1 of 3", "UNAVAILABLE");
        assertThat(lastEvent().failure().code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(lastEvent().failure().detail()).isEqualTo("model not loaded (after 3 attempts)");
    }

    @Test
    void aTransientFailureThatClearsEndsInSuccess() {
        AtomicInteger calls = new AtomicInteger();
        processor(handler(Stage.LLM, (request, context) -> {
            if (calls.incrementAndGet() == 1) {
                throw new StageException(ErrorCode.TIMEOUT, "slow");
            }
            return new StageOutcome.Complete(RESULT);
        })).process(request(Stage.LLM, null));

        assertThat(calls).hasValue(2);
        assertThat(publisher.ids()).last().isEqualTo("job-1:llm:succeeded");
    }

    @Test
    void anyOtherExceptionIsReportedAsInternalWithItsMessage() {
        processor(handler(Stage.VISION, (request, context) -> {
            throw new IllegalStateException("tensor shape [1, 3] is not [1, 256, 64]");
        })).process(request(Stage.VISION, null));

        assertThat(lastEvent().status()).isEqualTo(JobStatus.FAILED);
        assertThat(lastEvent().failure().code()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(lastEvent().failure().detail()).contains("IllegalStateException", "tensor shape [1, 3]");
    }

    @Test
    void anObjectStoreFailureIsReportedWithItsOwnCode() {
        processor(handler(Stage.VISION, (request, context) -> {
            throw new ObjectStoreException(ErrorCode.NOT_FOUND, "cannot read t/x.png: no such object");
        })).process(request(Stage.VISION, null));

        assertThat(lastEvent().failure().code()).isEqualTo(ErrorCode.NOT_FOUND);
    }

    @Test
    void aJobCancelledBeforeItStartsIsReportedCancelledWithoutRunningTheHandler() {
        cancelled.add("job-1");
        AtomicInteger calls = new AtomicInteger();
        processor(handler(Stage.VISION, (request, context) -> {
            calls.incrementAndGet();
            return new StageOutcome.Forward(CHAT);
        })).process(request(Stage.VISION, null));

        assertThat(calls).hasValue(0);
        assertThat(publisher.ids()).containsExactly("job-1:vision:cancelled");
        assertThat(lastEvent().status()).isEqualTo(JobStatus.CANCELLED);
    }

    @Test
    void aHandlerThatReturnsAfterCancellationEndsTheJobCancelled() {
        processor(handler(Stage.LLM, (request, context) -> {
            cancelled.add(context.jobId());
            assertThat(context.cancelled()).isTrue();
            return new StageOutcome.Complete(RESULT);
        })).process(request(Stage.LLM, null));

        assertThat(publisher.ids()).containsExactly("job-1:llm:running", "job-1:llm:cancelled");
    }

    @Test
    void aRequestForAnotherStageIsFailedNotDropped() {
        AtomicInteger calls = new AtomicInteger();
        processor(handler(Stage.VISION, (request, context) -> {
            calls.incrementAndGet();
            return new StageOutcome.Forward(CHAT);
        })).process(request(Stage.LLM, null));

        assertThat(calls).hasValue(0);
        assertThat(publisher.ids()).containsExactly("job-1:vision:failed");
        assertThat(lastEvent().failure().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(lastEvent().failure().detail()).contains("llm stage", Topics.VISION_REQUESTS.name());
    }

    @Test
    void progressIsThrottledButTheLastOneIsAlwaysSent() {
        processor(handler(Stage.LLM, (request, context) -> {
            for (int step = 1; step <= 11; step++) {
                clock.addAndGet(Duration.ofMillis(100).toNanos()); // a step every 100 ms, events at most every 250 ms
                context.progress(step / 20.0, "step " + step);
            }
            return new StageOutcome.Complete(RESULT);
        })).process(request(Stage.LLM, null));

        List<JobEvent> progress = publisher.sent.stream().filter(s -> s.envelope().id().contains(":progress:"))
                .map(s -> (JobEvent) s.data()).toList();
        assertThat(progress).extracting(JobEvent::message).containsExactly("step 1", "step 4", "step 7", "step 10", "step 11");
        assertThat(publisher.ids()).containsSequence("job-1:llm:progress:5", "job-1:llm:succeeded");
    }

    @Test
    void streamedChunksGoToTheReplyToStreamTopicOrNowhere() {
        StageHandler<ChatTask> streaming = handler(Stage.LLM, (request, context) -> {
            context.stream(new StreamChunk("job-1", 0, "hel", null, false, null, null, null));
            context.stream(new StreamChunk("job-1", 1, "lo", null, true, FinishReason.STOP, new Usage(1, 2), null));
            return new StageOutcome.Complete(RESULT);
        });

        processor(streaming).process(request(Stage.LLM, "gw-1"));
        assertThat(publisher.sent).filteredOn(s -> s.topic().equals(Topics.stream("gw-1")))
                .extracting(s -> s.envelope().id()).containsExactly("job-1:stream:0", "job-1:stream:1");

        publisher.sent.clear();
        processor(streaming).process(request(Stage.LLM, null));
        assertThat(publisher.ids()).containsExactly("job-1:llm:running", "job-1:llm:succeeded");
    }

    @Test
    void anOutcomeThatCanNeverBePublishedFailsTheJob() {
        publisher.refuse(envelope -> envelope.id().equals("job-1:llm"), false);

        processor(handler(Stage.VISION, (request, context) -> new StageOutcome.Forward(CHAT))).process(request(Stage.VISION, null));

        assertThat(lastEvent().failure().code()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(lastEvent().failure().detail()).contains("cannot be published");
    }

    @Test
    void aBrokerHiccupLeavesTheRequestForRedelivery() {
        publisher.refuse(envelope -> envelope.id().equals("job-1:llm:succeeded"), true);

        StageProcessor processor = processor(handler(Stage.LLM, (request, context) -> new StageOutcome.Complete(RESULT)));

        assertThatThrownBy(() -> processor.process(request(Stage.LLM, null))).isInstanceOf(PublishException.class);
    }

    @Test
    void aFailureWhileTheStageStopsHandsTheJobToAnotherInstanceInsteadOfFailingIt() {
        StageProcessor processor = processor(handler(Stage.LLM, (request, context) -> {
            stopping.set(true);
            throw new IllegalStateException("session closed");
        }));

        processor.process(request(Stage.LLM, null));

        // the offset is committed already, so the request goes back on the stage's topic, then is announced as queued
        assertThat(publisher.ids()).hasSize(3);
        assertThat(publisher.ids().get(0)).isEqualTo("job-1:llm:running");
        assertThat(publisher.sent.get(1).envelope().id()).isEqualTo("job-1:llm");
        assertThat(publisher.sent.get(1).data()).isEqualTo(request(Stage.LLM, null));
        assertThat(publisher.sent.get(1).topic()).isEqualTo(Topics.LLM_REQUESTS);
        assertThat(publisher.ids().get(2)).startsWith("job-1:llm:handed-over:");
        assertThat(publisher.sent.get(2).envelope().type()).isEqualTo(EventTypes.JOB_FORWARDED);
    }

    @Test
    void theOffsetIsCommittedOnceRunningIsAcknowledgedAndBeforeTheHandlerRuns() {
        List<String> order = new ArrayList<>();
        StageProcessor processor = processor(handler(Stage.LLM, (request, context) -> {
            order.add("handler, after " + publisher.ids());
            return new StageOutcome.Complete(RESULT);
        }));

        processor.process("job-1:llm", request(Stage.LLM, null), () -> order.add("committed, after " + publisher.ids()));

        assertThat(order).containsExactly("committed, after [job-1:llm:running]", "handler, after [job-1:llm:running]");
    }

    @Test
    void aRequestWhoseRunningIsNotAcknowledgedStaysKafkasAndTheHandlerDoesNotRun() {
        publisher.refuse(envelope -> envelope.id().equals("job-1:llm:running"), true);
        List<String> order = new ArrayList<>();
        StageProcessor processor = processor(handler(Stage.LLM, (request, context) -> {
            order.add("handler");
            return new StageOutcome.Complete(RESULT);
        }));

        assertThatThrownBy(() -> processor.process("job-1:llm", request(Stage.LLM, null), () -> order.add("committed")))
                .isInstanceOf(PublishException.class);
        assertThat(order).isEmpty();
    }

    @Test
    void aRequestForAJobAnnouncedFinishedIsSkippedWithoutRunningOrReporting() {
        cancelled.add("job-1", JobsNotToRun.Reason.FINISHED);
        cancelled.add("job-1", JobsNotToRun.Reason.CANCELLED); // a late cancel does not make it reportable
        List<String> ran = new ArrayList<>();
        StageProcessor processor = processor(handler(Stage.LLM, (request, context) -> {
            ran.add(request.jobId());
            return new StageOutcome.Complete(RESULT);
        }));

        processor.process(request(Stage.LLM, null));

        assertThat(ran).isEmpty();
        assertThat(publisher.ids()).isEmpty();
        assertThat(meters.get("ovis.stage.jobs").tag("outcome", "skipped").counter().count()).isEqualTo(1);
    }

    @Test
    void aRunThatLearnsItsJobFinishedElsewhereStopsWithoutReporting() {
        StageProcessor processor = processor(handler(Stage.LLM, (request, context) -> {
            cancelled.add(request.jobId(), JobsNotToRun.Reason.FINISHED);
            assertThat(context.cancelled()).isTrue();
            throw new StageException(ErrorCode.CANCELLED, "stopped");
        }));

        processor.process(request(Stage.LLM, null));

        assertThat(publisher.ids()).containsExactly("job-1:llm:running");
    }

    @Test
    void aRequestThisInstanceFinishedIsSkippedWhenDeliveredAgain() {
        AtomicInteger runs = new AtomicInteger();
        StageProcessor processor = processor(handler(Stage.LLM, (request, context) -> {
            runs.incrementAndGet();
            return new StageOutcome.Complete(RESULT);
        }));

        processor.process("job-1:llm", request(Stage.LLM, null), () -> { });
        processor.process("job-1:llm", request(Stage.LLM, null), () -> { });
        processor.process("job-1:llm@2", request(Stage.LLM, null), () -> { }); // another dispatch is not a repeat

        assertThat(runs).hasValue(2);
    }

    @Test
    void theFallbackHandlerAnswersEveryJobWithUnsupportedJob() {
        processor(new UnavailableStageHandler(Stage.OCR)).process(new StageRequest("job-1", "t",
                new Route(List.of(Stage.OCR)), Stage.OCR, null, CHAT));

        assertThat(lastEvent().failure().code()).isEqualTo(ErrorCode.UNSUPPORTED_JOB);
        assertThat(lastEvent().failure().detail()).startsWith("the ocr stage is not available in this deployment: ");
    }

    @Test
    void aRequestOfAKindTheStageDoesNotHandleFailsWithTheOneUnsupportedJobOnEveryStage() {
        for (Stage stage : Stage.values()) {
            // given a stage whose handler takes chat tasks, and an OCR job routed to it
            RecordingPublisher sent = new RecordingPublisher();
            AtomicInteger runs = new AtomicInteger();
            StageHandler<ChatTask> chatOnly = handler(stage, (request, context) -> {
                runs.incrementAndGet();
                return new StageOutcome.Complete(RESULT);
            });
            StageProperties properties = new StageProperties(stage, 1, 3, Duration.ofMillis(100), Duration.ofMinutes(30),
                    Duration.ofMillis(250), 100, Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofSeconds(10), 100);
            StageProcessor processor = new StageProcessor(List.of(chatOnly), sent, cancelled, properties,
                    new StageMetrics(meters, stage), "test-service", Duration.ofSeconds(1), clock::get, pause -> true,
                    stopping::get);

            // when it arrives
            processor.process(new StageRequest("job-1", "t", new Route(List.of(stage)), stage, null, OCR));

            // then the runtime fails it, the same way on every stage, without running the handler
            String name = stage.name().toLowerCase(java.util.Locale.ROOT);
            assertThat(runs).hasValue(0);
            assertThat(sent.ids()).containsExactly("job-1:" + name + ":failed");
            JobEvent failed = (JobEvent) sent.sent.getLast().data();
            assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
            assertThat(failed.failure().code()).isEqualTo(ErrorCode.UNSUPPORTED_JOB);
            assertThat(failed.failure().detail()).isEqualTo("the " + name + " stage does not handle OCR jobs");
        }
    }

    @Test
    void aStageWithAHandlerPerKindRunsTheOneTakingTheTask() {
        // given a stage taking chat and key-frame jobs, as the video stage does
        List<String> ran = new ArrayList<>();
        StageProcessor processor = processor(
                handler(Stage.VIDEO, ChatTask.class, (request, context) -> {
                    ran.add("chat");
                    return new StageOutcome.Complete(RESULT);
                }),
                handler(Stage.VIDEO, KeyframeTask.class, (request, context) -> {
                    ran.add("keyframes");
                    return new StageOutcome.Complete(RESULT);
                }));
        Route video = new Route(List.of(Stage.VIDEO));

        // when one job of each kind arrives
        processor.process(new StageRequest("job-1", "t", video, Stage.VIDEO, null, KEYFRAMES));
        processor.process(new StageRequest("job-2", "t", video, Stage.VIDEO, null, CHAT));
        processor.process(new StageRequest("job-3", "t", video, Stage.VIDEO, null, OCR));

        // then each ran its own handler, and the third kind failed as unsupported
        assertThat(ran).containsExactly("keyframes", "chat");
        assertThat(lastEvent().failure().code()).isEqualTo(ErrorCode.UNSUPPORTED_JOB);
        assertThat(lastEvent().failure().detail()).isEqualTo("the video stage does not handle OCR jobs");
    }

    @Test
    void twoHandlersOfOneStageTakingTheSameTasksAreRefused() {
        assertThatThrownBy(() -> processor(handler(Stage.LLM, (request, context) -> null),
                handler(Stage.LLM, (request, context) -> null)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("two StageHandler beans of the LLM stage take ChatTask tasks");
    }

    @Test
    void awaitIdleWaitsForTheRequestUnderWaySoItsResourcesAreNotClosedBeneathIt() throws Exception {
        // given a handler that is inside a (native) call until released
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        StageProcessor processor = processor(handler(Stage.LLM, (request, context) -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new StageOutcome.Complete(RESULT);
        }));
        Thread worker = Thread.ofPlatform().start(() -> processor.process(request(Stage.LLM, null)));
        entered.await();
        // when the service stops while the job runs, then it is not idle
        assertThat(processor.awaitIdle(Duration.ofMillis(50))).isFalse();
        // when the job ends, then it is
        release.countDown();
        assertThat(processor.awaitIdle(Duration.ofSeconds(10))).isTrue();
        worker.join();
        assertThat(publisher.ids()).containsExactly("job-1:llm:running", "job-1:llm:succeeded");
    }
}
