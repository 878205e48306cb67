package dev.ovis.serve.common.job;

/**
 * How urgently a job wants a stage's capacity. Stages that queue work (the llm engine) admit
 * {@link #INTERACTIVE} work before {@link #BATCH} work, and age waiting batch work so it is never
 * starved; stages that run one job per listener thread treat both alike. Carried in
 * {@link StageRequest#priority()}; absent in JSON written before the field means interactive.
 */
public enum Priority {
    /** A caller is waiting: chat completions, {@code /v1/jobs}, OCR and key frames over HTTP. */
    INTERACTIVE,
    /** Offline work that fills idle capacity: lines of a batch file and pipeline records from Kafka. */
    BATCH
}
