package dev.jtune.app.demo;

import dev.jtune.core.Generator;
import java.util.ArrayList;
import java.util.List;

/**
 * The embedded demo's data: short tweet-like texts made up by a seeded generator (not real tweets), each labelled
 * negative, neutral or positive by the phrase it was built from. The same seed always gives the same corpus.
 */
public final class DemoCorpus {

    /** The label words, in class order (as TweetEval: 0 negative, 1 neutral, 2 positive). */
    public static final List<String> LABELS = List.of("negative", "neutral", "positive");

    /** One labelled text. */
    public record Example(String text, int label) {
        public String labelText() {
            return LABELS.get(label);
        }
    }

    private static final String[] TOPICS = {
        "the new phone", "my coffee", "the game last night", "monday morning", "the concert", "this weather",
        "my flight", "the latest update", "the new album", "our team", "the train", "this restaurant", "the movie",
        "my laptop", "the meeting", "the weekend", "this book", "the traffic", "the show", "my order"};
    private static final String[][] PHRASES = {
        {"is the worst", "ruined my day", "was a total disaster", "is so disappointing", "makes me angry",
         "broke again", "was awful", "is a waste of money", "keeps failing", "made me sad"},
        {"starts at 7pm", "is on friday", "was moved to tuesday", "is available in stores", "will be announced soon",
         "is about two hours long", "comes in three colors", "opens next week", "was reported today", "is downtown"},
        {"is amazing", "made my day", "was absolutely brilliant", "is so much fun", "makes me happy",
         "is the best thing ever", "was wonderful", "is worth every penny", "keeps getting better", "made me smile"}};
    private static final String[] OPENERS = {"", "", "honestly ", "just saw that ", "update: ", "so ", "@user ", "lol "};
    private static final String[] CLOSERS = {"", "", "", " #mood", " #news", " !", " ...", " today", " @user"};

    private DemoCorpus() {}

    /** {@code n} labelled examples with balanced random labels. */
    public static List<Example> labelled(int n, long seed) {
        Generator g = new Generator(seed);
        List<Example> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int label = g.nextInt(3);
            String text = pick(g, OPENERS) + pick(g, TOPICS) + " " + pick(g, PHRASES[label]) + pick(g, CLOSERS);
            out.add(new Example(text, label));
        }
        return out;
    }

    /**
     * One made-up preference pair: a tweet's start as the prompt, then a continuation of the {@code preferred} sentiment
     * (chosen) and one of another sentiment (rejected), both ending the line.
     */
    public record Pair(String prompt, String chosen, String rejected) {}

    /** {@code n} pairs that prefer continuations of sentiment {@code preferred} (0 negative, 1 neutral, 2 positive). */
    public static List<Pair> preferencePairs(int n, int preferred, long seed) {
        Generator g = new Generator(seed);
        List<Pair> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String prompt = "Tweet: " + pick(g, OPENERS) + pick(g, TOPICS);
            int other = (preferred + 1 + g.nextInt(2)) % 3;
            String closer = pick(g, CLOSERS);
            out.add(new Pair(prompt, " " + pick(g, PHRASES[preferred]) + closer + "\n",
                    " " + pick(g, PHRASES[other]) + closer + "\n"));
        }
        return out;
    }

    /** {@code n} tweet starts ("Tweet: " and a topic) to continue. */
    public static List<String> prompts(int n, long seed) {
        return preferencePairs(n, 2, seed).stream().map(Pair::prompt).toList();
    }

    /** {@code n} unlabelled texts for pretraining: the same kind of tweets, without labels. */
    public static List<String> unlabelled(int n, long seed) {
        return labelled(n, seed).stream().map(Example::text).toList();
    }

    private static String pick(Generator g, String[] options) {
        return options[g.nextInt(options.length)];
    }
}
