package dev.jtune.tokenizer.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.util.Map;
import jinjava.javax.el.CompositeELResolver;

/**
 * The jinjava environment chat templates are rendered in, set up to behave as transformers' Jinja2 sandbox:
 * trim_blocks and lstrip_blocks, whitespace control ({@code {%-}, {@code -%}}) parsed strictly, operator precedence
 * as in Python, Python's {@code str} methods ({@link PythonMethods}), transformers' helpers ({@code raise_exception},
 * {@code strftime_now}, {@code tojson}), the {@code generation} block, and two syntax rewrites ({@link JinjaSource}).
 * One shared instance: jinjava renders concurrently.
 */
final class JinjaEngine {

    private static final Jinjava JINJAVA = create();

    private JinjaEngine() {}

    private static Jinjava create() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        LegacyOverrides python = LegacyOverrides.newBuilder().withUseNaturalOperatorPrecedence(true)
                .withParseWhitespaceControlStrictly(true).withUseTrimmingForNotesAndExpressions(true)
                .withKeepNullableLoopValues(true).build();
        JinjavaConfig config = JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true)
                .withKeepTrailingNewline(true).withElResolver(resolver).withLegacyOverrides(python)
                .withFailOnUnknownTokens(false).build();
        Jinjava jinjava = new Jinjava(config);
        var globals = jinjava.getGlobalContext();
        globals.registerFunction(new ELFunctionDefinition("", "raise_exception", ChatFunctions.class,
                "raiseException", Object.class));
        globals.registerFunction(new ELFunctionDefinition("", "strftime_now", ChatFunctions.class, "strftimeNow",
                String.class));
        globals.registerFilter(new PythonJson());
        globals.registerTag(new GenerationTag());
        return jinjava;
    }

    /**
     * Jinja2 drops one newline at the very end of the template source (keep_trailing_newline=False); jinjava's
     * option drops it from the output instead, which loses a newline the last expression printed.
     */
    private static String withoutTrailingNewline(String template) {
        if (template.endsWith("\r\n")) return template.substring(0, template.length() - 2);
        return template.endsWith("\n") ? template.substring(0, template.length() - 1) : template;
    }

    /** The template rendered in {@code context}; a fatal error or {@code raise_exception} is one exception. */
    static String render(String template, Map<String, Object> context, String origin) {
        RenderResult result = JINJAVA.renderForResult(JinjaSource.rewrite(withoutTrailingNewline(template)), context);
        for (TemplateError error : result.getErrors()) {
            for (Throwable t = error.getException(); t != null; t = t.getCause()) {
                if (t instanceof ChatFunctions.Raised raised) {
                    throw new ChatTemplateException(origin + ": the chat template refused the messages: "
                            + raised.getMessage());
                }
            }
        }
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                String message = error.getMessage();
                if (message != null && message.contains(ChatFunctions.Raised.class.getSimpleName())) continue;
                throw new ChatTemplateException(origin + ": chat template line " + error.getLineno() + ": " + message);
            }
        }
        return result.getOutput();
    }
}
