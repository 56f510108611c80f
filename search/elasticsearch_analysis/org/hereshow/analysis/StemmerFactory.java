package org.hereshow.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.StringSetting;

/** The English forms of Elasticsearch's {@code stemmer} token filter. */
@NamedComponent("stemmer")
public class StemmerFactory implements TokenFilterFactory {

    @AnalysisSettings
    public interface Settings {
        @StringSetting(path = "language", defaultValue = "english")
        String language();
    }

    private final String language;

    @Inject
    public StemmerFactory(Settings settings) {
        this.language = settings.language();
        create(null); // an unknown language fails when the index is created, not on first use
    }

    @Override
    public TokenStream create(TokenStream input) {
        switch (language) {
            case "english":
            case "porter":
                return input == null ? null : new PorterStemFilter(input);
            case "light_english":
                return input == null ? null : new KStemFilter(input);
            case "minimal_english":
                return input == null ? null : new EnglishMinimalStemFilter(input);
            case "possessive_english":
                return input == null ? null : new EnglishPossessiveFilter(input);
            default:
                throw new IllegalArgumentException(
                    "stemmer language [" + language + "] is not available in the test distribution "
                        + "(heres-how-analysis knows english, light_english, minimal_english, "
                        + "possessive_english)"
                );
        }
    }
}
