package io.sluice.mapping;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A mapping's text with placeholders: literals, paths and their steps, and the mistakes an operator can make. */
class TemplateTest {

    @Test
    void literalsAndPlaceholdersAlternateWithTheirSteps() {
        Template template = Template.parse("Payment of {data.total} { data.currency | uppercase }!");

        assertThat(template.parts()).containsExactly(
                new Template.Part("Payment of ", null, List.of()),
                new Template.Part(null, "data.total", List.of()),
                new Template.Part(" ", null, List.of()),
                new Template.Part(null, "data.currency", List.of("uppercase")),
                new Template.Part("!", null, List.of()));
    }

    @Test
    void placeholdersMayFollowEachOtherAndTextMayHaveNone() {
        assertThat(Template.parse("{a}{b|trim|lowercase}").parts()).containsExactly(
                new Template.Part(null, "a", List.of()),
                new Template.Part(null, "b", List.of("trim", "lowercase")));
        assertThat(Template.parse("no placeholders").parts()).containsExactly(new Template.Part("no placeholders", null, List.of()));
        assertThat(Template.parse("").parts()).isEmpty();
    }

    @Test
    void anUnclosedOrEmptyPlaceholderNamesWhereItIs() {
        assertThatThrownBy(() -> Template.parse("Hi {data.user.name")).hasMessage("unclosed '{' at position 3");
        assertThatThrownBy(() -> Template.parse("Hi { |uppercase}")).hasMessage("empty placeholder at position 3");
    }
}
