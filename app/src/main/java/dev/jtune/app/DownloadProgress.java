package dev.jtune.app;

import dev.jtune.nn.hub.DownloadListener;

/** A {@link ProgressLine} per downloaded file of a megabyte or more (smaller files are done before it would show). */
final class DownloadProgress implements DownloadListener {

    private static final long MB = 1_000_000;

    private ProgressLine line;

    @Override
    public void started(String file, long size, long resumedAt) {
        line = size >= MB ? new ProgressLine("download " + file + (resumedAt > 0 ? " (resumed)" : ""), size / MB, "MB")
                : null;
    }

    @Override
    public void progress(String file, long done) {
        if (line != null) line.update(done / MB);
    }

    @Override
    public void finished(String file) {
        if (line != null) line.finish();
        line = null;
    }
}
