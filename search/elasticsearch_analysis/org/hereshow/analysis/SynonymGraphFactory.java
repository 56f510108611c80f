package org.hereshow.analysis;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.text.ParseException;
import java.util.List;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;
import org.elasticsearch.plugin.settings.ListSetting;

/** Elasticsearch's {@code synonym_graph} with inline Solr-format rules. */
@NamedComponent("synonym_graph")
public class SynonymGraphFactory implements TokenFilterFactory {

    @AnalysisSettings
    public interface Settings {
        @ListSetting(path = "synonyms")
        List<String> synonyms();

        @BooleanSetting(path = "expand", defaultValue = true)
        boolean expand();

        @BooleanSetting(path = "lenient", defaultValue = false)
        boolean lenient();
    }

    private final SynonymMap map;

    @Inject
    public SynonymGraphFactory(Settings settings) {
        Analyzer rules = new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String field) {
                Tokenizer tokenizer = new StandardTokenizer();
                return new TokenStreamComponents(tokenizer, new LowerCaseFilter(tokenizer));
            }
        };
        SolrSynonymParser parser = new SolrSynonymParser(true, settings.expand(), rules);
        try {
            for (String line : settings.synonyms()) {
                try {
                    parser.parse(new StringReader(line));
                } catch (ParseException | IllegalArgumentException e) {
                    if (!settings.lenient()) {
                        throw new IllegalArgumentException("failed to parse synonym rule [" + line + "]", e);
                    }
                }
            }
            this.map = parser.build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public TokenStream create(TokenStream input) {
        return map.fst == null ? input : new SynonymGraphFilter(input, map, true);
    }
}
