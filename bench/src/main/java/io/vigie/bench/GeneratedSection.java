package io.vigie.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Replaces a generated section of a Markdown document, between its two marker comments. */
final class GeneratedSection {
    private GeneratedSection() {
    }

    /**
     * Writes {@code body} between {@code begin} and {@code end} in {@code doc}; if the markers are
     * not there yet, appends the section under {@code heading}.
     */
    static void write(Path doc, String begin, String end, String body, String heading) throws IOException {
        String section = begin + "\n\n" + body.strip() + "\n\n" + end;
        String text = Files.exists(doc) ? Files.readString(doc) : "";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        String updated = from >= 0 && to > from
                ? text.substring(0, from) + section + text.substring(to + end.length())
                : text + "\n" + heading + "\n\n" + section + "\n";
        Files.writeString(doc, updated);
    }
}
