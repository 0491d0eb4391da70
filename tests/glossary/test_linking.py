"""The first use of a glossary term in each section is marked up and linked."""

from glossary.linking import GlossaryEntry, SectionLinker

CMD = GlossaryEntry("Contact Management Department", "CMD", "term-cmd")
DAIU = GlossaryEntry("Domestic Abuse Investigation Unit", "DAIU", "term-daiu")
CRIME = GlossaryEntry("Crime", "", "term-crime")


def test_first_use_of_abbreviation_gets_abbr_with_expansion_and_link():
    linker = SectionLinker([CMD])
    html = linker.link("<p>CMD created fewer incidents. CMD also answered calls.</p>")
    assert html.count('<abbr title="Contact Management Department"><a href="#term-cmd"') == 1
    assert html.endswith("CMD also answered calls.</p>")
    assert linker.used_in_order == [CMD]


def test_full_term_counts_as_first_use_and_longest_match_wins():
    linker = SectionLinker([CMD, DAIU, CRIME])
    html = linker.link("<p>The Domestic Abuse Investigation Unit (DAIU) dealt with crime.</p>")
    assert '<a href="#term-daiu" class="glossary-link">Domestic Abuse Investigation Unit</a> (DAIU)' in html
    assert '<a href="#term-crime" class="glossary-link">crime</a>' in html


def test_text_inside_links_and_attributes_is_never_touched():
    linker = SectionLinker([CMD])
    html = '<p><a href="https://example.org/CMD" title="CMD">CMD</a> and CMD</p>'
    out = linker.link(html)
    assert out.startswith('<p><a href="https://example.org/CMD" title="CMD">CMD</a> and <abbr')


def test_each_section_starts_again():
    first, second = SectionLinker([CMD]), SectionLinker([CMD])
    assert "<abbr" in first.link("<p>CMD</p>") and "<abbr" in second.link("<p>CMD</p>")


def test_abbreviations_match_case_and_word_boundaries():
    linker = SectionLinker([CMD])
    assert linker.link("<p>cmd and CMDs and XCMD</p>") == "<p>cmd and CMDs and XCMD</p>"


def test_capitalised_term_inside_a_proper_name_is_left_alone():
    linker = SectionLinker([CRIME])
    out = linker.link("<p>To the Police and Crime Panel. Recorded crime rose.</p>")
    assert "Police and Crime Panel" in out
    assert '<a href="#term-crime" class="glossary-link">crime</a> rose' in out


def test_escaped_definitions_cannot_inject_markup():
    evil = GlossaryEntry('<script>x</script>"', "EV", "term-ev")
    out = SectionLinker([evil]).link("<p>EV</p>")
    assert "<script>" not in out and 'title="&lt;script&gt;x&lt;/script&gt;&quot;"' in out
