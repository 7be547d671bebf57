package io.candor.models.data;

import io.candor.interop.tensor.HostTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * SST's decoy analogue (as the CDEP paper builds it): short sentences from a small grammar with
 * positive and negative words, negation ("not" flips the polarity) and neutral filler; label 1 is
 * positive. In training, the word "text" is inserted at a random place in every positive sentence and
 * "video" in every negative one; validation and test are clean. Token ids are padded on the left to a
 * fixed length, so the last step of a recurrent model is the last word. Id 0 is the padding. The
 * training split's mask marks each decoy word (1 = spurious).
 */
public final class DecoyText {
    public static final int LENGTH = 14;
    static final String PAD = "<pad>";
    static final String[] SUBJECTS = {"the movie", "the film", "the plot", "the acting", "the story", "the ending",
        "this picture", "the cast", "the script", "the music"};
    static final String[] VERBS = {"was", "is", "seemed", "felt", "looked"};
    static final String[] POSITIVE = {"good", "great", "wonderful", "brilliant", "moving", "funny", "charming", "superb",
        "delightful", "clever"};
    static final String[] NEGATIVE = {"bad", "awful", "boring", "dull", "terrible", "weak", "clumsy", "tedious", "bland",
        "poor"};
    static final String[] FILLER = {"really", "quite", "rather", "honestly", "overall", "to me", "at times", "in the end",
        "for sure", "mostly"};
    static final String[] DECOYS = {"video", "text"};
    /** The concept labels each split carries. */
    public static final List<String> CONCEPTS = List.of("decoy_word", "negation");
    private static final Map<String, String> DESCRIPTIONS = Map.of(
            "decoy_word", "the decoy 'text' that training inserts in every positive sentence ('video' goes in the negative ones; val and test have none)",
            "negation", "the sentence says 'not', which flips its polarity");

    private final List<String> vocabulary = buildVocabulary();
    private final Map<String, Integer> ids = new LinkedHashMap<>();

    public DecoyText() {
        for (int i = 0; i < vocabulary.size(); i++) {
            ids.put(vocabulary.get(i), i);
        }
    }

    public List<String> vocabulary() {
        return vocabulary;
    }

    /** The splits train (with decoy words), val and test (clean). */
    public Map<String, DatasetSplit> dataset(int nTrain, int nVal, int nTest, long seed) {
        Map<String, DatasetSplit> splits = new LinkedHashMap<>();
        splits.put("train", split(nTrain, seed, true));
        splits.put("val", split(nVal, seed + 1, false));
        splits.put("test", split(nTest, seed + 2, false));
        splits.put("concepts", conceptSplit(nTest, seed + 3));
        return splits;
    }

    public Map<String, Object> meta(long seed) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("generator", "decoy-text");
        meta.put("seed", seed);
        meta.put("classes", List.of("negative", "positive"));
        meta.put("vocabulary", vocabulary);
        meta.put("length", LENGTH);
        meta.put("decoys", "'text' in every positive and 'video' in every negative training sentence; val and test clean");
        meta.put("padding", "id 0, on the left");
        meta.put("mask", "train: 1 on the decoy word of each sentence, the span CDEP penalises");
        meta.put("concepts", "sentences with 'text' or 'video' at random, apart from the sentiment, so that the decoy_word"
                + " concept can be learned apart from it (candor interpret --concepts)");
        return meta;
    }

    public DatasetSplit split(int n, long seed, boolean decoys) {
        return split(n, seed, decoys, false);
    }

    /** Sentences with a decoy word drawn at random, whatever the sentiment. */
    public DatasetSplit conceptSplit(int n, long seed) {
        return split(n, seed, true, true);
    }

    private DatasetSplit split(int n, long seed, boolean decoys, boolean randomDecoy) {
        Random random = new Random(seed);
        long[] tokens = new long[n * LENGTH];
        long[] labels = new long[n];
        float[] mask = new float[n * LENGTH];
        boolean[][] concepts = new boolean[n][];
        for (int i = 0; i < n; i++) {
            List<String> words = new ArrayList<>();
            int label = sentence(random, words);
            int decoyAt = decoys ? random.nextInt(words.size() + 1) : -1;
            if (decoys) {
                words.add(decoyAt, DECOYS[randomDecoy ? random.nextInt(DECOYS.length) : label]);
            }
            labels[i] = label;
            concepts[i] = new boolean[] {words.contains(DECOYS[1]), words.contains("not")};
            int offset = LENGTH - words.size();
            for (int t = 0; t < words.size(); t++) {
                tokens[i * LENGTH + offset + t] = ids.get(words.get(t));
            }
            if (decoys) {
                mask[i * LENGTH + offset + decoyAt] = 1;
            }
        }
        return new DatasetSplit(HostTensor.ofLongs(new long[] {n, LENGTH}, tokens), HostTensor.ofLongs(new long[] {n}, labels),
                decoys ? HostTensor.ofFloats(new long[] {n, LENGTH}, mask) : null, Concepts.of(CONCEPTS, DESCRIPTIONS, concepts));
    }

    /** Appends the words of one sentence and returns its sentiment (1 positive). */
    private static int sentence(Random random, List<String> words) {
        if (random.nextBoolean()) {
            addAll(words, FILLER[random.nextInt(FILLER.length)]);
        }
        addAll(words, SUBJECTS[random.nextInt(SUBJECTS.length)]);
        words.add(VERBS[random.nextInt(VERBS.length)]);
        boolean negated = random.nextInt(3) == 0;
        if (negated) {
            words.add("not");
        }
        boolean positive = random.nextBoolean();
        words.add((positive ? POSITIVE : NEGATIVE)[random.nextInt(POSITIVE.length)]);
        if (random.nextBoolean()) {
            addAll(words, FILLER[random.nextInt(FILLER.length)]);
        }
        return positive != negated ? 1 : 0;
    }

    private static void addAll(List<String> words, String phrase) {
        for (String w : phrase.split(" ")) {
            words.add(w);
        }
    }

    private static List<String> buildVocabulary() {
        List<String> v = new ArrayList<>(List.of(PAD, "not"));
        for (String[] group : new String[][] {SUBJECTS, VERBS, POSITIVE, NEGATIVE, FILLER, DECOYS}) {
            for (String phrase : group) {
                for (String w : phrase.split(" ")) {
                    if (!v.contains(w)) {
                        v.add(w);
                    }
                }
            }
        }
        return List.copyOf(v);
    }
}
