package dev.jtune.app;

import dev.jtune.core.memory.TensorOutOfMemoryError;
import dev.jtune.core.backend.Backends;
import dev.jtune.core.kernels.Parallel;
import dev.jtune.tokenizer.TokenizerException;
import dev.jtune.train.distributed.Distributed;
import dev.jtune.train.distributed.MpiUnavailableException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The jtune command line: {@code ./jtune <command> [options]}; {@code ./jtune help <command>} explains one. */
@Command(
        name = "jtune",
        mixinStandardHelpOptions = true,
        version = "jtune 0.1.0",
        description = "Fine-tune causal language models in pure Java.",
        subcommands = {CommandLine.HelpCommand.class, InfoCommand.class, TokenizeCommand.class,
                EvaluateCommand.class, GenerateCommand.class, FinetuneCommand.class, MergeCommand.class,
                RewardTrainCommand.class, ScoreCommand.class, DpoCommand.class, DemoCommand.class},
        footer = {"", "Also: ./jtune test (the test suite), ./jtune bench NAME (benchmarks: matmul, tokenize, gpt2-step, "
                + "llama-lora-step, rlhf-step, ...)."})
public final class Main implements Callable<Integer> {

    /**
     * Under a multi-rank {@code mpirun}, a command that joined the MPI world ends it: {@code MPI_Finalize} after
     * success, {@code MPI_Abort} (every rank stops) after an error, which the error line reports with this rank.
     */
    public static void main(String[] args) {
        int status;
        try {
            status = commandLine().execute(args);
        } catch (TensorOutOfMemoryError e) {  // one line: what did not fit, the limit, what to change
            System.err.println(prefix() + "error: " + e.getMessage());
            status = 1;
        }
        if (Distributed.joined()) {
            if (status != 0) Distributed.world().abort(null, status);
            Distributed.finish();
        }
        System.exit(status);
    }

    /** "jtune: ", or "jtune: rank R of N: " under a multi-rank mpirun. */
    private static String prefix() {
        String rank = Distributed.launchedRank();
        return rank == null ? "jtune: " : "jtune: " + rank + ": ";
    }

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "On an error, also print the Java stack trace.")
    private boolean debug;

    @Option(names = "--backend", scope = ScopeType.INHERIT, paramLabel = "NAME",
            description = "The compute backend: cpu (the default), reference, or tornado (a GPU or other OpenCL device "
                    + "through TornadoVM; ./jtune info lists what is installed).")
    private void backend(String name) {
        try {
            Backends.use(Backends.byName(name));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    @Spec
    private CommandSpec spec;

    @Option(names = "--device", scope = ScopeType.INHERIT, paramLabel = "DRIVER:DEVICE",
            description = "With --backend tornado: the TornadoVM device, as listed by ./jtune info (default 0:0).")
    private void device(String device) {
        System.setProperty("jtune.tornado.device", device);
    }

    /**
     * The command line with its error handling: bad input (the library's checked and argument exceptions, whose
     * messages name the file and field) is one "jtune: error: ..." line and exit status 1; anything else is a bug in
     * jtune, reported as one "jtune: internal error" line. {@code --debug} adds the stack trace.
     */
    static CommandLine commandLine() {
        Main main = new Main();
        CommandLine cli = new CommandLine(main);
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            PrintWriter err = command.getErr();
            boolean userError = e instanceof IOException || e instanceof UncheckedIOException
                    || e instanceof IllegalArgumentException || e instanceof IllegalStateException
                    || e instanceof TokenizerException;
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (e instanceof MpiUnavailableException && !Distributed.isMainProcess()) return 1;  // rank 0 says it
            err.println(userError ? prefix() + "error: " + message
                    : prefix() + "internal error: " + e.getClass().getName() + ": " + message
                            + (main.debug ? "" : " (--debug prints the stack trace)"));
            if (main.debug) e.printStackTrace(err);
            return 1;
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
