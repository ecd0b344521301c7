package dev.jtune.bench.model;

import static dev.jtune.bench.Measure.median;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./jtune bench gpt2-ab --core A.jar --core B.jar [--config 124m|16m|tweet] [--mode forward|step] [--pairs N]}:
 * two builds of {@code jtune-core} side by side in one JVM. Each jar gets a class loader of its own (with the rest of
 * the class path: nn, train and the libraries) and a model of its own, and their forwards (or training steps without
 * the optimizer) alternate A B B A A B ..., so both see the same moments of a shared machine. It prints each build's
 * median time and the median of the per-round ratios B / A.
 *
 * <p>Why: on a VM whose host runs other tenants, one program's time moves by 15-25% from minute to minute, so two
 * runs one after the other cannot show a 3% change. Here the same jar twice gave median ratios of 1.015 and 1.021 over
 * 20 rounds (GPT-2 124M forward, Intel, 2026-12-03). The idle side's worker threads spin for up to 2 ms after its
 * last loop (see {@code WorkerTeam}) while the other side starts; the alternating order charges that to both sides
 * alike. {@code bench/scripts/ab_commits.sh} builds the core jars of two commits and runs this.
 */
public final class Gpt2AbHarness {

    private Gpt2AbHarness() {}

    public static void main(String[] args) {
        List<Path> cores = new ArrayList<>();
        String preset = "124m", mode = "forward";
        int pairs = 20;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--core" -> cores.add(Path.of(args[++i]));
                case "--config" -> preset = args[++i];
                case "--mode" -> mode = args[++i];
                case "--pairs" -> pairs = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (use --core A.jar --core B.jar, --config 124m|16m|tweet, --mode forward|step, --pairs N)");
            }
        }
        if (cores.size() != 2) throw new IllegalArgumentException("gpt2-ab needs two --core jars, got " + cores.size());
        for (Path core : cores) {
            if (!Files.isRegularFile(core)) throw new IllegalArgumentException("--core " + core + ": no such file");
        }
        Runnable[] runs = new Runnable[2];
        ClassLoader[] loaders = new ClassLoader[2];
        for (int v = 0; v < 2; v++) {
            ClassLoader loader = loaderWith(cores.get(v));
            String config = preset, what = mode;
            loaders[v] = loader;
            runs[v] = withLoader(loader, () -> newRunner(loader, config, what));
        }
        System.out.printf(Locale.ROOT, "gpt2-ab %s %s: A = %s, B = %s, %d rounds of A and B%n", preset, mode,
                cores.get(0), cores.get(1), pairs);
        double[][] ms = new double[2][pairs];
        double[] ratio = new double[pairs];
        for (int round = -2; round < pairs; round++) {  // two warm-up rounds
            for (int k = 0; k < 2; k++) {
                int v = (round & 1) == 0 ? k : 1 - k;  // A B, then B A: neither always runs right after the other
                Runnable run = runs[v];
                long t0 = System.nanoTime();
                withLoader(loaders[v], () -> {
                    run.run();
                    return null;
                });
                if (round >= 0) ms[v][round] = (System.nanoTime() - t0) / 1e6;
            }
            if (round >= 0) ratio[round] = ms[1][round] / ms[0][round];
        }
        System.out.printf(Locale.ROOT, "A: median %.1f ms, B: median %.1f ms; B / A per round: median %.3f (%.3f-%.3f)%n",
                median(ms[0]), median(ms[1]), median(ratio), min(ratio), max(ratio));
    }

    /** A loader for {@code core} and every class path entry but jtune-core's, parented by the platform loader. */
    private static ClassLoader loaderWith(Path core) {
        List<URL> urls = new ArrayList<>();
        urls.add(url(core.toFile()));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!new File(entry).getName().startsWith("jtune-core")) urls.add(url(new File(entry)));
        }
        return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    private static URL url(File file) {
        try {
            return file.toURI().toURL();
        } catch (MalformedURLException e) {
            throw new UncheckedIOException(new IOException("class path entry " + file, e));
        }
    }

    /** {@link Gpt2AbRunner} as loaded by {@code loader}: its model and kernels come from that loader's core. */
    private static Runnable newRunner(ClassLoader loader, String preset, String mode) {
        try {
            return (Runnable) loader.loadClass(Gpt2AbRunner.class.getName())
                    .getConstructor(String.class, String.class).newInstance(preset, mode);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("gpt2-ab: cannot build the runner: " + e, e);
        }
    }

    /** Runs {@code work} with {@code loader} as the context loader (backends are found through it). */
    private static <T> T withLoader(ClassLoader loader, java.util.function.Supplier<T> work) {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return work.get();
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }
}
