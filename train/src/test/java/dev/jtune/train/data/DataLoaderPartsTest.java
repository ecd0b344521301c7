package dev.jtune.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link DataLoader#batchPart}: the ranks' parts of a batch are, in rank order, exactly the batch's rows. */
class DataLoaderPartsTest {

    /** A collator that returns nothing but records the first id of each row it is given. */
    private final List<Integer> seen = new ArrayList<>();
    private final DataCollator recording = rows -> {
        rows.forEach(r -> seen.add(((int[]) r.get("input_ids"))[0]));
        return new ModelInputs(null, null, null);
    };

    private DataLoader loader(int rows, int batch) {
        List<Object> ids = new ArrayList<>();
        for (int i = 0; i < rows; i++) ids.add(new int[] {i});
        return new DataLoader(Dataset.fromColumns(Map.of("input_ids", ids)), batch, true, 3, false, recording);
    }

    @Test
    void partsInRankOrderAreTheRowsOfTheWholeBatchIncludingTheShortLastOne() {
        for (int parts : new int[] {1, 2, 3}) {
            DataLoader loader = loader(11, 2 * parts);
            int[] order = loader.order(1);
            for (int b = 0; b < loader.size(); b++) {
                seen.clear();
                loader.batch(order, b);
                List<Integer> whole = new ArrayList<>(seen);
                seen.clear();
                for (int part = 0; part < parts; part++) loader.batchPart(order, b, part, parts);
                assertArrayEquals(whole.stream().mapToInt(Integer::intValue).toArray(),
                        seen.stream().mapToInt(Integer::intValue).toArray(), "batch " + b + " in " + parts + " parts");
            }
        }
    }

    @Test
    void aPartBeyondTheLastRowIsNull() {
        DataLoader loader = loader(9, 4);  // the last batch holds 1 row: part 0 of 2 has it, part 1 has none
        int[] order = loader.order(0);
        seen.clear();
        loader.batchPart(order, 2, 0, 2);
        assertEquals(List.of(order[8]), seen);
        assertNull(loader.batchPart(order, 2, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> loader.batchPart(order, 0, 0, 3));
    }
}
