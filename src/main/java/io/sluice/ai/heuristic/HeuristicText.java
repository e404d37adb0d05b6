package io.sluice.ai.heuristic;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Text without a model: sentiment by a small lexicon with negation ("not good" counts as negative), and an
 * extractive summary (the sentences whose words recur most, in their original order).
 */
final class HeuristicText {

    private static final Set<String> POSITIVE = Set.of("love", "loved", "great", "excellent", "happy", "thanks", "thank",
            "amazing", "good", "awesome", "helpful", "perfect", "recommend", "satisfied", "fantastic", "glad", "best", "easy",
            "worth", "enjoy", "enjoyed", "nice", "valuable", "wonderful", "pleased");
    private static final Set<String> NEGATIVE = Set.of("hate", "terrible", "awful", "bad", "angry", "refund", "cancel",
            "broken", "worst", "disappointed", "disappointing", "slow", "scam", "useless", "problem", "issue", "poor",
            "frustrated", "frustrating", "expensive", "bug", "fraud", "unhappy", "waste", "annoying", "confusing", "fail", "failed");
    private static final Set<String> NEGATIONS = Set.of("not", "no", "never", "don't", "dont", "isn't", "isnt", "wasn't",
            "wasnt", "didn't", "didnt", "can't", "cant", "won't", "wont", "hardly");
    private static final Set<String> STOPWORDS = Set.of("the", "and", "for", "that", "this", "with", "you", "your", "are",
            "was", "were", "have", "has", "had", "but", "not", "our", "they", "them", "their", "from", "all", "can", "will",
            "just", "been", "its", "it's", "about", "what", "when", "which", "there", "would", "could", "should", "also");
    private static final Pattern WORD = Pattern.compile("[\\p{L}']+");
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+");

    record Sentiment(String label, double score) {
    }

    Sentiment sentiment(String text) {
        List<String> words = words(text);
        int positive = 0;
        int negative = 0;
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            int polarity = POSITIVE.contains(word) ? 1 : NEGATIVE.contains(word) ? -1 : 0;
            if (polarity == 0) {
                continue;
            }
            boolean negated = (i > 0 && NEGATIONS.contains(words.get(i - 1))) || (i > 1 && NEGATIONS.contains(words.get(i - 2)));
            if (negated) {
                polarity = -polarity;
            }
            if (polarity > 0) {
                positive++;
            } else {
                negative++;
            }
        }
        double score = positive + negative == 0 ? 0 : (positive - negative) / (double) (positive + negative);
        score = Math.round(score * 100) / 100.0;
        String label = score > 0.2 ? "positive" : score < -0.2 ? "negative" : "neutral";
        return new Sentiment(label, score);
    }

    String summarize(String text, int maxChars) {
        String clean = text.replaceAll("\\s+", " ").trim();
        String[] sentences = SENTENCE_END.split(clean);
        if (sentences.length <= 2) {
            return clip(clean, maxChars);
        }
        Map<String, Integer> frequency = new HashMap<>();
        for (String word : words(clean)) {
            if (word.length() >= 3 && !STOPWORDS.contains(word)) {
                frequency.merge(word, 1, Integer::sum);
            }
        }
        List<int[]> ranked = new ArrayList<>(); // {index, score * 1000}
        for (int i = 0; i < sentences.length; i++) {
            List<String> words = words(sentences[i]);
            double sum = words.stream().mapToInt(w -> frequency.getOrDefault(w, 0)).sum();
            ranked.add(new int[]{i, (int) (1000 * sum / Math.pow(Math.max(1, words.size()), 0.3))});
        }
        int keep = Math.min(3, (sentences.length + 2) / 3);
        List<Integer> chosen = ranked.stream().sorted(Comparator.comparingInt((int[] r) -> -r[1]).thenComparingInt(r -> r[0]))
                .limit(keep).map(r -> r[0]).sorted().toList();
        StringBuilder summary = new StringBuilder();
        for (int index : chosen) {
            summary.append(summary.isEmpty() ? "" : " ").append(sentences[index].trim());
        }
        return clip(summary.toString(), maxChars);
    }

    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        var matcher = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (matcher.find()) {
            words.add(matcher.group());
        }
        return words;
    }

    private static String clip(String text, int maxChars) {
        return text.length() <= maxChars ? text : text.substring(0, maxChars - 1).trim() + "…";
    }
}
