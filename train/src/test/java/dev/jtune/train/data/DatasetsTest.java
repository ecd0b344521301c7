package dev.jtune.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void jsonLinesLoadIntoColumnsWithLongsAndSplits() throws IOException {
        Path train = write("train.jsonl", "{\"text\": \"a\", \"label\": 0}\n\n{\"text\": \"b\", \"label\": 2}\n");
        Path val = write("val.jsonl", "{\"text\": \"c\", \"label\": 1}\n");
        DatasetDict dd = Datasets.load("json", Map.of("train", List.of(train), "validation", List.of(val)));
        Dataset d = dd.get("train");
        assertEquals(List.of("text", "label"), d.columnNames());
        assertEquals(List.of("a", "b"), d.column("text"));
        assertEquals(List.of(0L, 2L), d.column("label"));
        assertEquals(Map.of("text", "c", "label", 1L), dd.get("validation").get(0));
        var e = assertThrows(IllegalArgumentException.class, () -> dd.get("test"));
        assertTrue(e.getMessage().contains("no split 'test'"), e.getMessage());
    }

    @Test
    void jsonArrayFileLoadsAndConcatenatesWithJsonLines() throws IOException {
        Path a = write("a.json", "[\n  {\"x\": [1, 2]},\n  {\"x\": [3]}\n]\n");
        Path b = write("b.jsonl", "{\"x\": []}\n");
        Dataset d = Datasets.read("json", List.of(a, b));
        assertEquals(List.of(List.of(1L, 2L), List.of(3L), List.of()), d.column("x"));
    }

    @Test
    void malformedJsonNamesFileAndLine() throws IOException {
        Path f = write("bad.jsonl", "{\"t\": 1}\n{\"t\": 2}\n{\"t\": \n");
        var e = assertThrows(MalformedDatasetException.class, () -> Datasets.load("json", f));
        assertTrue(e.getMessage().startsWith(f + ":3: malformed JSON"), e.getMessage());
    }

    @Test
    void twoObjectsOnOneLineOrADuplicateKeyIsMalformed() throws IOException {
        Path two = write("t.jsonl", "{\"text\": \"a\"}\n{\"text\": \"b\"} {\"text\": \"c\"}\n");
        var e = assertThrows(MalformedDatasetException.class, () -> Datasets.load("json", two));
        assertTrue(e.getMessage().startsWith(two + ":2: malformed JSON: Trailing token"), e.getMessage());
        Path duplicate = write("d.jsonl", "{\"text\": \"a\", \"text\": \"b\"}\n");
        e = assertThrows(MalformedDatasetException.class, () -> Datasets.load("json", duplicate));
        assertTrue(e.getMessage().startsWith(duplicate + ":1: malformed JSON: Duplicate field 'text'"), e.getMessage());
    }

    @Test
    void missingAndUnexpectedColumnsNameFileAndLine() throws IOException {
        Path missing = write("m.jsonl", "{\"text\": \"a\", \"label\": 0}\n{\"text\": \"b\"}\n");
        var e = assertThrows(MalformedDatasetException.class, () -> Datasets.load("json", missing));
        assertEquals(missing + ":2: missing column 'label' (columns are [text, label])", e.getMessage());
        Path extra = write("e.jsonl", "{\"text\": \"a\"}\n{\"text\": \"b\", \"id\": 3}\n");
        e = assertThrows(MalformedDatasetException.class, () -> Datasets.load("json", extra));
        assertTrue(e.getMessage().startsWith(extra + ":2: unexpected column 'id'"), e.getMessage());
        Path notObject = write("n.jsonl", "[1, 2]\n");
        e = assertThrows(MalformedDatasetException.class, () -> Datasets.load("json", notObject));
        assertTrue(e.getMessage().startsWith(notObject + ":1: expected a JSON object"), e.getMessage());
    }

    @Test
    void csvQuotesNewlinesAndColumnTypes() throws IOException {
        Path f = write("d.csv", "id,text,score\r\n1,\"hello, \"\"world\"\"\",0.5\n2,\"two\nlines\",1\n3,,2e3\n");
        Dataset d = Datasets.load("csv", f).get("train");
        assertEquals(List.of(1L, 2L, 3L), d.column("id"));
        assertEquals(Arrays.asList("hello, \"world\"", "two\nlines", null), d.column("text"));
        assertEquals(List.of(0.5, 1.0, 2000.0), d.column("score"));
    }

    @Test
    void csvSkipsBomAndBlankLinesAndKeepsQuotedEmptyText() throws IOException {
        Path f = write("b.csv", "\uFEFFa,b\r\n\r\n1,\"\"\r\n\n2,\r\n");
        Dataset d = Datasets.load("csv", f).get("train");
        assertEquals(List.of(1L, 2L), d.column("a"));
        assertEquals(Arrays.asList("", null), d.column("b"));
    }

    @Test
    void csvErrorsNameFileAndLine() throws IOException {
        Path fields = write("f.csv", "a,b\n1,2\n\"x\ny\",2,3\n");
        var e = assertThrows(MalformedDatasetException.class, () -> Datasets.load("csv", fields));
        assertEquals(fields + ":3: 3 fields, but the header has 2", e.getMessage());
        Path quote = write("q.csv", "a\n1\n\"open\n");
        e = assertThrows(MalformedDatasetException.class, () -> Datasets.load("csv", quote));
        assertEquals(quote + ":3: Missing closing quote for value", e.getMessage());
    }

    @Test
    void textKeepsEmptyLinesAndDropsLineBreaks() throws IOException {
        Path f = write("t.txt", "one\r\n\ntwo\n");
        assertEquals(List.of("one", "", "two"), Datasets.load("text", f).get("train").column("text"));
    }

    @Test
    void badUtf8MissingFileAndUnknownFormatAreNamed() throws IOException {
        Path f = dir.resolve("bin.txt");
        Files.write(f, new byte[] {'o', 'k', '\n', (byte) 0xC3, '(', '\n'});
        var e = assertThrows(MalformedDatasetException.class, () -> Datasets.load("text", f));
        assertTrue(e.getMessage().startsWith(f + ":2: not valid UTF-8"), e.getMessage());
        Path absent = dir.resolve("absent.jsonl");
        assertTrue(assertThrows(NoSuchFileException.class, () -> Datasets.load("json", absent)).getMessage().contains("absent.jsonl"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Datasets.load("xml", f)).getMessage().contains("'xml'"));
    }

    @Test
    void batchedParallelMapKeepsOrderAndRemovesColumns() {
        int n = 1003;
        Integer[] values = new Integer[n];
        for (int i = 0; i < n; i++) values[i] = i;
        Dataset d = Dataset.fromColumns(Map.of("x", Arrays.asList(values)));
        Dataset mapped = d.map(batch -> {
            int[][] out = new int[batch.size()][];
            for (int i = 0; i < batch.size(); i++) out[i] = new int[] {(Integer) batch.column("x").get(i) * 2};
            return Map.of("y", out);
        }, MapOptions.batched().batchSize(10).numProc(4).removeColumns("x"));
        assertEquals(List.of("y"), mapped.columnNames());
        for (int i = 0; i < n; i++) assertEquals(2 * i, ((int[]) mapped.column("y").get(i))[0]);
        var e = assertThrows(IllegalArgumentException.class,
                () -> d.map(batch -> Map.of("y", List.of(1)), MapOptions.batched().batchSize(4)));
        assertTrue(e.getMessage().contains("'y' has 1 values for a batch of 4 rows starting at row 0"), e.getMessage());
    }

    @Test
    void rowMapFilterSelectRenameRemove() {
        Dataset d = Dataset.fromColumns(Map.of("a", List.of(1L, 2L, 3L, 4L)));
        Dataset doubled = d.map(row -> Map.of("b", (Long) row.get("a") * 10));
        assertEquals(List.of(10L, 20L, 30L, 40L), doubled.column("b"));
        assertEquals(List.of(2L, 4L), d.filter(row -> (Long) row.get("a") % 2 == 0).column("a"));
        assertEquals(List.of(4L, 1L), d.select(3, 0).column("a"));
        assertEquals(List.of(2L, 3L), d.selectRange(1, 3).column("a"));
        assertEquals(List.of("c", "b"), doubled.renameColumn("a", "c").columnNames());
        assertEquals(List.of("b"), doubled.removeColumns("a").columnNames());
        assertThrows(IllegalArgumentException.class, () -> d.removeColumns("zzz"));
    }

    @Test
    void shuffleIsSeededAndTrainTestSplitPartitions() {
        Long[] values = new Long[100];
        for (int i = 0; i < 100; i++) values[i] = (long) i;
        Dataset d = Dataset.fromColumns(Map.of("a", Arrays.asList(values)));
        assertEquals(d.shuffle(7).column("a"), d.shuffle(7).column("a"));
        assertTrue(!d.shuffle(7).column("a").equals(d.shuffle(8).column("a")));
        DatasetDict split = d.trainTestSplit(0.25, 3);
        assertEquals(75, split.get("train").size());
        assertEquals(25, split.get("test").size());
        Set<Object> all = new HashSet<>(split.get("train").column("a"));
        all.addAll(split.get("test").column("a"));
        assertEquals(100, all.size());
        assertEquals(10, d.trainTestSplit(10, 3).get("test").size());
        assertThrows(IllegalArgumentException.class, () -> d.trainTestSplit(100, 3));
    }
}
