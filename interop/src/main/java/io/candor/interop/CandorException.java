package io.candor.interop;

/**
 * A failure the user can act on: a bad file, an unsupported op, a wrong shape. Its message is one line
 * that names the thing at fault; the command line prints it without a stack trace.
 */
public class CandorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CandorException(String message) {
        super(message);
    }

    public CandorException(String message, Throwable cause) {
        super(message, cause);
    }
}
