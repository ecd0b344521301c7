package dev.jtune.app;

import dev.jtune.core.memory.TensorOutOfMemoryError;
import dev.jtune.core.backend.Backends;
import dev.jtune.core.kernels.Parallel;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The jtune command line: {@code ./jtune <command> [options]}; {@code ./jtune help <command>} explains one. */
@Command(
        name = "jtune",
        mixinStandardHelpOptions = true,
        version = "jtune 0.1.0",
        description = "Fine-tune causal language models in pure Java.",
        subcommands = {CommandLine.HelpCommand.class, InfoCommand.class, TokenizeCommand.class,
                EvaluateCommand.class, GenerateCommand.class, FinetuneCommand.class, DemoCommand.class},
        footer = {"", "Also: ./jtune test (the test suite), ./jtune bench NAME (benchmarks: matmul, tokenize, gpt2-step)."})
public final class Main implements Callable<Integer> {

    public static void main(String[] args) {
        try {
            System.exit(commandLine().execute(args));
        } catch (TensorOutOfMemoryError e) {  // one line: what did not fit, the limit, what to change
            System.err.println("jtune: error: " + e.getMessage());
            System.exit(1);
        }
    }

    /** The command line with its error handling: bad input is one "jtune: error: ..." line and exit status 1. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof java.io.IOException || e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
                command.getErr().println("jtune: error: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cli;
    }

    /** No command: the embedded demo. */
    @Override
    public Integer call() throws Exception {
        System.err.printf("jtune: no command given, running the demo (./jtune --help lists the commands); backend %s, %d threads%n",
                Backends.current().name(), Parallel.threads());
        return new CommandLine(new DemoCommand()).execute();
    }
}
