package dev.jtune.tokenizer.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;

/**
 * transformers' {@code {% generation %}...{% endgeneration %}} block (its {@code AssistantTracker} extension): renders
 * its body unchanged and marks where it is, so that the tokens of assistant replies can be found
 * ({@code return_assistant_tokens_mask}). The marks are two private-use characters around the body, which
 * {@link ChatTemplate} takes out again, noting their character offsets.
 */
final class GenerationTag implements Tag {

    static final char START = '\uE000', END = '\uE001';

    @Override
    public String getName() {
        return "generation";
    }

    @Override
    public String getEndTagName() {
        return "endgeneration";
    }

    @Override
    public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
        StringBuilder body = new StringBuilder().append(START);
        for (Node child : tagNode.getChildren()) body.append(child.render(interpreter).getValue());
        return body.append(END).toString();
    }
}
