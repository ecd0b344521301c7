package dev.jtune.nn;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Children named {@code 0, 1, ...}, like {@code torch.nn.ModuleList} (GPT-2's {@code h}, Llama's {@code layers}). */
public final class ModuleList<M extends Module> extends Module implements Iterable<M> {

    private final List<M> items = new ArrayList<>();

    public ModuleList(List<M> modules) {
        for (M m : modules) items.add(registerModule(Integer.toString(items.size()), m));
    }

    public M get(int i) {
        return items.get(i);
    }

    public int size() {
        return items.size();
    }

    @Override
    public Iterator<M> iterator() {
        return items.iterator();
    }
}
