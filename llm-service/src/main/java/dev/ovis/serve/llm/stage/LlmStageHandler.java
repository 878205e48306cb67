package dev.ovis.serve.llm.stage;

import dev.ovis.serve.common.chat.ChatResult;
import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.chat.FinishReason;
import dev.ovis.serve.common.chat.StreamChunk;
import dev.ovis.serve.common.chat.TokenLogprob;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.JobResult;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.llm.decode.DecodeEngine;
import dev.ovis.serve.llm.decode.DecodeRequest;
import dev.ovis.serve.llm.decode.EngineBusyException;
import dev.ovis.serve.llm.decode.Generation;
import dev.ovis.serve.llm.model.LlmModel;
import dev.ovis.serve.llm.prompt.EmbeddingAssembler;
import dev.ovis.serve.llm.prompt.Prompt;
import dev.ovis.serve.llm.prompt.PromptBuilder;
import dev.ovis.serve.llm.prompt.PromptException;
import dev.ovis.serve.support.stage.StageContext;
import dev.ovis.serve.support.stage.StageException;
import dev.ovis.serve.support.stage.StageHandler;
import dev.ovis.serve.support.stage.StageOutcome;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The llm stage: conversation → prompt and embeddings → the decode engine, streaming text to the
 * caller's gateway while it is produced (grouped per {@code ovis.llm.stream-interval}) and
 * completing the job with the {@link ChatResult}. The listener thread only waits and forwards; the
 * decoding itself runs on the engine's thread, batched with every other request.
 */
final class LlmStageHandler implements StageHandler<ChatTask> {

    private final LlmModel model;
    private final PromptBuilder prompts;
    private final EmbeddingAssembler assembler;
    private final DecodeEngine engine;
    private final Duration streamInterval;

    LlmStageHandler(LlmModel model, PromptBuilder prompts, EmbeddingAssembler assembler, DecodeEngine engine,
                    Duration streamInterval) {
        this.model = model;
        this.prompts = prompts;
        this.assembler = assembler;
        this.engine = engine;
        this.streamInterval = streamInterval;
    }

    @Override
    public Stage stage() {
        return Stage.LLM;
    }

    @Override
    public Class<ChatTask> taskType() {
        return ChatTask.class;
    }

    @Override
    public StageOutcome handle(StageRequest request, ChatTask task, StageContext context) throws StageException {
        if (!model.id().equals(task.model())) {
            throw new StageException(ErrorCode.UNKNOWN_MODEL, "model '" + task.model() + "' is not loaded; this service runs '" + model.id() + "'");
        }
        Generation generation = submit(request, task);
        // A gateway waiting on the connection (replyTo) always gets the outcome on its own stream
        // topic, at once and on the right instance: chunk by chunk when the client streams, else as
        // one last chunk carrying the whole answer.
        boolean reply = request.replyTo() != null;
        boolean stream = task.stream() && reply;
        long seq = 0;
        List<TokenLogprob> logprobs = new ArrayList<>();
        Generation.Update update;
        try {
            do {
                update = generation.next(streamInterval);
                if (context.cancelled()) {
                    generation.cancel();
                }
                logprobs.addAll(update.logprobs());
                if (stream && (!update.text().isEmpty() || !update.logprobs().isEmpty())) {
                    context.stream(new StreamChunk(request.jobId(), seq++, update.text(), update.logprobs(), false, null, null, null));
                }
            } while (!update.done());
        } catch (InterruptedException e) {
            generation.cancel();
            Thread.currentThread().interrupt();
            throw new StageException(ErrorCode.UNAVAILABLE, "the llm service was interrupted while decoding");
        }
        if (update.failure() != null) {
            if (reply && !update.failure().code().isTransient()) {
                context.stream(new StreamChunk(request.jobId(), seq, "", List.of(), true, null, null, update.failure()));
            }
            throw new StageException(update.failure().code(), update.failure().detail());
        }
        if (reply) {
            context.stream(new StreamChunk(request.jobId(), seq, stream ? "" : generation.text(), stream ? List.of() : logprobs,
                    true, update.finishReason(), update.usage(), null));
        }
        if (update.finishReason() == FinishReason.CANCELLED) {
            throw new StageException(ErrorCode.CANCELLED, "cancelled after " + update.usage().completionTokens() + " tokens");
        }
        return StageOutcome.complete(JobResult.of(new ChatResult(model.id(), generation.text(), update.finishReason(),
                update.usage(), logprobs)));
    }

    private Generation submit(StageRequest request, ChatTask task) throws StageException {
        try {
            Prompt prompt = prompts.build(task.messages(), task.sampling().reasoning(), engine.usablePromptPositions());
            FloatBuffer embeddings = assembler.assemble(prompt);
            return engine.submit(new DecodeRequest(request.jobId(), embeddings, prompt.positions(), task.sampling(),
                    request.priority()));
        } catch (PromptException e) {
            throw StageException.of(e);
        } catch (EngineBusyException e) {
            throw new StageException(ErrorCode.UNAVAILABLE, e.getMessage());
        }
    }
}
