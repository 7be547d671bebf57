package io.candor.cli;

import java.io.PrintWriter;

/** A one-line progress bar on a terminal; silent when the output is not one (CI, pipes, tests). */
final class Progress {
    private final PrintWriter out;
    private final boolean terminal = System.console() != null && System.getenv("CI") == null;
    private boolean drawn;

    Progress(PrintWriter out) {
        this.out = out;
    }

    void update(String label, int done, int total, String detail) {
        if (!terminal) {
            return;
        }
        int width = 30;
        int filled = (int) ((long) width * done / Math.max(1, total));
        out.printf("\r%s [%s%s] %d/%d %s", label, "#".repeat(filled), " ".repeat(width - filled), done, total, detail);
        out.flush();
        drawn = true;
    }

    void done() {
        if (drawn) {
            out.print("\r" + " ".repeat(79) + "\r");
            out.flush();
            drawn = false;
        }
    }
}
