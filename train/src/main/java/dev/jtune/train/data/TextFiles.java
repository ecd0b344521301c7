package dev.jtune.train.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Strict UTF-8 reading of data files, so bad bytes are reported with their file and line instead of replaced. */
final class TextFiles {

    private TextFiles() {}

    /** The whole file as a string (a leading byte-order mark dropped). */
    static String read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            int line = 1;
            for (int i = 0; i < in.position(); i++) if (bytes[i] == '\n') line++;
            throw new MalformedDatasetException(file + ":" + line + ": not valid UTF-8 (byte offset " + in.position() + ")");
        }
        decoder.flush(out);
        out.flip();
        String text = out.toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** The lines of the file without their line breaks ({@code \n}, {@code \r\n} or {@code \r}), as splitlines. */
    static List<String> lines(Path file) throws IOException {
        return read(file).lines().collect(ArrayList::new, ArrayList::add, ArrayList::addAll);
    }
}
