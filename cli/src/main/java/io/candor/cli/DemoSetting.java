package io.candor.cli;

import java.util.List;

/**
 * What differs between the demo's two stories, decoy-digits with the CDEP paper's CNN and decoy-text with
 * an LSTM: the data, the model, where to cut and tap, the penalty's scale, how the explanations are made
 * and what the report calls things. The steps themselves are the same ({@link DemoStory}).
 *
 * @param generator the {@code data make} generator
 * @param sizes train, val and test samples
 * @param train {@code train}'s options for the biased model (architecture, epochs, learning rate)
 * @param mainSplit the split whose accuracy tells whether the bias was removed, and what the report calls it
 * @param otherSplit a second split to measure on, and its name
 * @param cut where fine-tuning starts ({@code finetune --cut})
 * @param cdepLambda CDEP's lambda when fine-tuning
 * @param finetuneEpochs epochs of fine-tuning
 * @param scratchTrain {@code train}'s options for CDEP from scratch, the penalty added by the story
 * @param scratchLambda CDEP's lambda from scratch
 * @param tap the interpreter's tap
 * @param attributes the dictionary's size
 * @param interpretEpochs epochs of {@code interpret}
 * @param pictureSteps {@code interpret --picture-steps}
 * @param concept the concept whose weight the report follows
 * @param explained how many inputs every model explains
 */
record DemoSetting(String generator, int[] sizes, List<String> train, Split mainSplit, Split otherSplit, String cut,
        double cdepLambda, int finetuneEpochs, List<String> scratchTrain, double scratchLambda, String tap, int attributes,
        int interpretEpochs, String pictureSteps, String concept, int explained) {

    /** A split and what the report calls its accuracy. */
    record Split(String name, String label) {
    }

    boolean images() {
        return generator.equals("decoy-digits");
    }

    /**
     * Whether the other split carries the spurious feature at random, apart from the label, so that its
     * accuracy says whether the feature still decides when present: decoy-text's concepts split does;
     * decoy-digits' lying test split is itself that test, and its other split has no patches.
     */
    boolean otherSplitRandomisesFeature() {
        return !images();
    }

    String title() {
        return "Candor demo: " + (images() ? "a CNN that learned a decoy patch" : "an LSTM that learned decoy words")
                + ", explained, interpreted and repaired";
    }

    /** What the data and the repair are, for the report's first paragraph. */
    String intro() {
        return images()
                ? "Decoy-digits: digits with a 5x5 patch in a corner whose grey level gives the class in training and lies"
                        + " in the test split. A CNN trained on it learns the patch. Candor explained it, learned a dictionary"
                        + " of its attributes with three named concepts, and repaired it by fine-tuning the layers after the"
                        + " convolutions with CDEP on the corner mask."
                : "Decoy-text: short sentiment sentences; in training every positive one holds the word 'text' and every"
                        + " negative one 'video', and the test split holds neither. An LSTM trained on it learns the two words."
                        + " Candor explained it, learned a dictionary of its attributes with the concepts decoy_word and"
                        + " negation, and repaired it by fine-tuning it with CDEP on each sentence's decoy word.";
    }

    /** What fine-tuning trains, in words: the layers after the cut, or the whole network. */
    String tuned() {
        return cut.equals("input") ? "the whole network" : "the layers after " + cut;
    }

    /** What the explained inputs are called. */
    String inputName() {
        return images() ? "digit" : "sentence";
    }

    /** Decoy-digits, the CDEP paper's MNIST CNN; {@code quick} runs every step on little data. */
    static DemoSetting digits(boolean quick) {
        return new DemoSetting("decoy-digits", quick ? new int[] {1500, 300, 300} : new int[] {30000, 3000, 2000},
                List.of("--arch", "mnist-cnn", "--epochs", quick ? "1" : "5"),
                new Split("test", "test, lying patches"), new Split("test_clean", "test, no patches"), "flatten", 1000,
                quick ? 1 : 3, List.of("--arch", "mnist-cnn", "--epochs", "1"), 30, "pool2", 25, quick ? 2 : 12,
                quick ? "1x5" : "6x50", "corner_patch", quick ? 8 : 64);
    }

    /**
     * Decoy-text, the LSTM. The whole network is fine-tuned: behind the embedding lookup there is little to
     * cache, and with the embedding frozen CDEP moved nothing (test 51% against 54% before).
     */
    static DemoSetting text(boolean quick) {
        return new DemoSetting("decoy-text", quick ? new int[] {600, 100, 200} : new int[] {4000, 500, 1000},
                List.of("--arch", "lstm-text", "--lr", "0.003", "--epochs", quick ? "1" : "3"),
                new Split("test", "test (no decoy words)"), new Split("concepts", "decoy words at random"), "input", 10,
                quick ? 1 : 5, List.of("--arch", "lstm-text", "--lr", "0.003", "--epochs", quick ? "1" : "5"), 10, "last", 8,
                quick ? 2 : 12, "0x0", "decoy_word", quick ? 8 : 32);
    }
}
