package dev.ovis.serve.llm.decode;

/** The wait queue is full: the caller should retry later (a transient failure). */
public class EngineBusyException extends Exception {

    public EngineBusyException(String message) {
        super(message);
    }
}
