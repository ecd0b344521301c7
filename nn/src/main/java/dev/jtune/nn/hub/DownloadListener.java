package dev.jtune.nn.hub;

/** Told how a download goes, for a progress line. */
public interface DownloadListener {

    /** A listener that shows nothing. */
    DownloadListener NONE = new DownloadListener() {
        @Override
        public void started(String file, long size, long resumedAt) {}

        @Override
        public void progress(String file, long done) {}

        @Override
        public void finished(String file) {}
    };

    /** The download of {@code file} ({@code size} bytes, -1 when unknown) starts at byte {@code resumedAt}. */
    void started(String file, long size, long resumedAt);

    /** {@code done} bytes of {@code file} are on disk. */
    void progress(String file, long done);

    /** {@code file} is complete and verified. */
    void finished(String file);
}
