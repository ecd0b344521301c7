package dev.jtune.app;

import dev.jtune.core.backend.Backend;
import dev.jtune.core.backend.Backends;
import dev.jtune.core.kernels.Parallel;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code ./jtune info}: the Java runtime, the backends found and the one in use. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show the Java runtime and the compute backends.")
final class InfoCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.out.printf("java: %s (%s)%n", Runtime.version(), System.getProperty("java.vendor"));
        System.out.printf("threads: %d (set with -Djtune.threads=N via JTUNE_JAVA_OPTS)%n", Parallel.threads());
        for (Backend<?> b : Backends.available()) {
            System.out.printf("backend: %s%s%n", b.name(), b == Backends.current() ? " (in use)" : "");
            for (String device : b.devices()) System.out.println("  device " + device);
        }
        return 0;
    }
}
