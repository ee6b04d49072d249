"""Wire-copy extraction: the seed story field by field, datelines, credits, footers."""

from __future__ import annotations

import doctest
import gzip
import json
from pathlib import Path

import pytest

import search.extract
import search.extract.dates
import search.extract.language
import search.extract.publishers
import search.extract.wire
import search.indexing.analysis
from search.extract import article_from_fields, article_from_text, split_title
from search.extract.dates import normalise_date
from search.extract.publishers import normalise_publisher
from search.extract.wire import (
    clean_wire_copy,
    credit_names,
    parse_dateline,
    strip_release_foot,
)

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
SEED = CORPORA / "seed" / "srnnews-japan-britain.txt"
WIRE = Path(__file__).resolve().parent / "fixtures" / "wire"


def corpus(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"corpus missing: {path}")
    return path


@pytest.fixture(scope="module")
def seed():
    return article_from_text(corpus(SEED).read_text("utf-8"), str(SEED))


def test_seed_dateline_agency_publisher(seed):
    assert (seed.dateline, seed.agency, seed.publisher) == ("TOKYO", "AP", "srnnews.com")


def test_seed_contributors(seed):
    assert seed.contributors == ["Mayuko Ono"]


def test_seed_body_starts_and_ends_exactly(seed):
    assert seed.body.startswith("Japan and Britain agreed Saturday")
    assert seed.body.endswith(
        "“I hope to elevate Japan-British relations even higher,” Takaichi said."
    )


def test_seed_body_has_no_furniture(seed):
    for furniture in ("TOKYO (AP)", "___", "contributed to this report", "Brought to you by"):
        assert furniture not in seed.body


def test_seed_other_fields(seed):
    assert seed.language == "en"
    assert seed.word_count == len(seed.body.split()) > 300
    assert seed.id.startswith("sha1-") and seed.title.startswith("Japan and Britain agreed")


@pytest.mark.parametrize(
    ("lead", "place", "agency", "date"),
    [
        ("TOKYO (AP) — Japan", "TOKYO", "AP", None),
        ("SALVADOR, Feb 26 - Showers", "SALVADOR", None, "Feb 26"),
        ("WASHINGTON (Reuters) - The", "WASHINGTON", "Reuters", None),
        ("LONDON, March 3 (Reuters) - Oil", "LONDON", "Reuters", "March 3"),
        ("NAIROBI, Kenya (AP) — A", "NAIROBI, Kenya", "AP", None),
        ("PARIS (AFP) - France", "PARIS", "AFP", None),
        ("BEIJING, Jan 5, 2025 (Xinhua) -- China", "BEIJING", "Xinhua", "Jan 5, 2025"),
        ("Washington (CNN) — The", "WASHINGTON", "CNN", None),
        ("UNITED NATIONS (AP) — The", "UNITED NATIONS", "AP", None),
        ("WASHINGTON — The Senate", "WASHINGTON", None, None),
        ("London (CNN)It was the interview", "LONDON", "CNN", None),
        # a date in figures: ISO is read, day and month in either order are not
        ("LONDON, 2024-04-03 — Oil", "LONDON", None, "2024-04-03"),
        ("PORTHLEVEN, England, 03/04/2024 - The", "PORTHLEVEN, England", None, None),
        ("BERLIN, 03.04.2024 (dpa) - Die", "BERLIN", "dpa", None),
        # the Canadian Press, EFE and dpa as they write it
        ("TORONTO (CP) — Ontario", "TORONTO", "CP", None),
        ("KELOWNA, B.C. — (CP) — Thousands", "KELOWNA, B.C.", "CP", None),
        ("MADRID (EFE) — Los", "MADRID", "EFE", None),
        ("Madrid, Jan 5 (EFE).- Spain's", "MADRID", "EFE", "Jan 5"),
        ("Hamburg (dpa/lno) - Die", "HAMBURG", "dpa", None),
        # the day first, as British and non-English desks write it
        ("LONDON, 5 March (Reuters) - Oil", "LONDON", "Reuters", "5 March"),
        ("Madrid, 5 ene (EFE).- El", "MADRID", "EFE", "5 ene"),
        ("Berlin, 5. Januar (dpa) - Die", "BERLIN", "dpa", "5. Januar"),
        ("PARIS, 5 janv. 2024 (AFP) - Le", "PARIS", "AFP", "5 janv. 2024"),
        ("Roma, 12 giu (ANSA) - Il", "ROMA", "ANSA", "12 giu"),
    ],
)
def test_parse_dateline(lead, place, agency, date):
    found = parse_dateline(lead)
    assert (found.place, found.agency, found.date) == (place, agency, date)
    assert lead[found.length :][:1].isalpha()


@pytest.mark.parametrize(
    ("name", "dateline", "published", "opening"),
    [
        ("dateline-iso-date.txt", "LONDON", "2024-04-03", "Oil prices rose on Wednesday"),
        # 3 April or 4 March: the story is not dated rather than dated wrong
        ("dateline-day-month-figures.txt", "PORTHLEVEN, England", None, "The harbour wall"),
    ],
)
def test_a_dateline_with_a_date_in_figures(name, dateline, published, opening):
    story = article_from_text((WIRE / name).read_text("utf-8"), name)
    assert (story.dateline, story.published) == (dateline, published)
    assert story.body.startswith(opening)


@pytest.mark.parametrize(
    ("text", "published"),
    [
        ("PARIS, 5 janv. 2024 (AFP) - Le gouvernement a annoncé lundi un plan.", "2024-01-05"),
        ("LONDON, 5 March 2024 (Reuters) - Oil prices rose on Tuesday.", "2024-03-05"),
        ("Lisboa, 7 out 2023 (Lusa) - O governo anunciou hoje um plano.", "2023-10-07"),
    ],
)
def test_a_day_first_dateline_with_its_year_dates_the_story(text, published):
    """The lead leaves the body and, when nothing else dates the story, dates it."""
    story = article_from_text(f"Headline\n\n{text}\n", "story.txt")
    assert story.published == published
    assert story.body.startswith(text.split(" - ", 1)[1])


@pytest.mark.parametrize(
    "lead",
    [
        "Japan and Britain agreed - on Saturday",
        "FILE - In this Jan. 5 photo, a man walks",
        "The minister (AP) said",
        "Washington - the city",
        "TOKYO (REVISED) - table",
        "Apple (AAPL) shares rose",
    ],
)
def test_not_a_dateline(lead):
    found = parse_dateline(lead)
    assert found is None or found.agency is None and lead.startswith("TOKYO")


@pytest.mark.parametrize(
    ("copy", "dateline"),
    [
        ("COVID-19 cases rise\n\nCases rose again on Monday, officials said.\n", None),
        ("US-China talks resume\n\nBEIJING (AP) - Talks resumed on Monday.\n", "BEIJING"),
        ("G-7 leaders meet in Rome\n\nLeaders met on Monday.\n", None),
    ],
)
def test_a_headline_that_opens_with_a_hyphened_word_stays_whole(copy, dateline):
    story = article_from_text(copy, "story.txt")
    assert story.title == copy.split("\n")[0]
    assert story.dateline == dateline
    assert story.body.split("\n")[0] == copy.split("\n\n")[1].split(" - ")[-1].strip()


@pytest.mark.parametrize(
    ("credit", "names"),
    [
        (
            "Associated Press video journalist Mayuko Ono in Tokyo contributed to this report.",
            ["Mayuko Ono"],
        ),
        (
            "Associated Press writers Jane Doe in Berlin and John Roe in Paris contributed to this "
            "report.",
            ["Jane Doe", "John Roe"],
        ),
        (
            "Reporting by Jane Doe; Additional reporting by Ali Khan in Karachi; Editing by Tom Ng",
            ["Jane Doe", "Ali Khan"],
        ),
        ("(Reporting by Maria Lopez in Madrid; Editing by Peter Graff)", ["Maria Lopez"]),
        # the name follows its role, and a call to follow the writer is not a name
        (
            "Cone reported from Sacramento, Calif. Associated Press writer Joan Lowy and AP "
            "Medical Writer Lauran Neergaard contributed to this report.",
            ["Joan Lowy", "Lauran Neergaard"],
        ),
        (
            "Contributing: The Associated Press. Follow Richard Wolf on Twitter: @richardjwolf",
            [],
        ),
        # an outlet is not a person: neither its possessive before a name, nor its name
        ("Fox News' Morgan Phillis contributed to this report.", ["Morgan Phillis"]),
        (
            "NPR's Greg Myre and Fox News’ Andrew O'Reilly contributed.",
            ["Greg Myre", "Andrew O'Reilly"],
        ),
        ("Contributing: John Smith, USA TODAY; The Associated Press", ["John Smith"]),
        ("Contributing: The Wilmington News Journal", []),
        (
            "Contributing: Jane Roe and Sam R. Hall, The (Jackson, Miss.) Clarion-Ledger; Ann Lee,"
            " Detroit Free Press; Joe Bell, Pensacola (Fla.) News Journal",
            ["Jane Roe", "Sam R. Hall", "Ann Lee", "Joe Bell"],
        ),
        ("Contributing: Matthew VanTryon of The Indianapolis Star", ["Matthew VanTryon"]),
        ("Lena H. Sun and Larry Register contributed.", ["Lena H. Sun", "Larry Register"]),
        ("Jane Roe of NPR's Washington Desk contributed to this report.", ["Jane Roe"]),
        (
            "Contributing: Ann Lee, Bergen Record; Joe Bell, Sioux Falls Argus Leader",
            ["Ann Lee", "Joe Bell"],
        ),
    ],
)
def test_credit_names(credit, names):
    assert credit_names(credit) == names


@pytest.mark.parametrize(
    ("credit", "names"),
    [
        ("Contributing: Jane Roe USA TODAY", ["Jane Roe"]),
        (
            "Contributing: Jane Roe USA TODAY; John Doe The Arizona Republic; The Associated Press",
            ["Jane Roe", "John Doe"],
        ),
        ("Sam R. Hall USA TODAY Network contributed to this report.", ["Sam R. Hall"]),
        ("Contributing: Ann Lee NBC News and Joe Bell KSDK-TV", ["Ann Lee", "Joe Bell"]),
        # with the comma, as before
        (
            "Contributing: Jane Roe, USA TODAY; John Doe, The Arizona Republic",
            ["Jane Roe", "John Doe"],
        ),
        ("Contributing: USA TODAY Network", []),
    ],
)
def test_an_outlet_straight_after_a_name_is_cut_from_it(credit, names):
    """A credit may give the outlet after the name without a comma: the outlet in capitals
    ("USA TODAY") or opening with "The" is cut off, and the name is kept."""
    assert credit_names(credit) == names


@pytest.mark.parametrize(
    ("credit", "names"),
    [
        # outlets whose names end in no outlet's word
        (
            "Contributing: Jane Roe, USA TODAY; Ann Lee, Nashville Tennessean; Joe Bell and"
            " Sam Hall, Visalia Times-Delta",
            ["Jane Roe", "Ann Lee", "Joe Bell", "Sam Hall"],
        ),
        # a station and its city
        (
            "Contributing: Jane Roe, Ann Lee, USA TODAY; WFAA-TV, Dallas-Fort Worth",
            ["Jane Roe", "Ann Lee"],
        ),
        # a person after the last comma, placed or credited in turn, stays
        (
            "Contributing: Jane Roe in Washington, John Doe in Los Angeles; WKYC-TV, Cleveland",
            ["Jane Roe", "John Doe"],
        ),
        (
            "Contributing: Jane Roe, John Doe for USA TODAY; The Associated Press",
            ["Jane Roe", "John Doe"],
        ),
        # one credit with commas may be a list of names
        ("Contributing: Jane Roe, Ann Lee, John Doe", ["Jane Roe", "Ann Lee", "John Doe"]),
        ("Contributing: The Associated Press; Religion News Service", []),
    ],
)
def test_each_credit_of_a_contributing_list_ends_with_its_outlet(credit, names):
    """USA TODAY's network lists "Name, Outlet; Name and Name, Outlet; ...": what follows
    each credit's last comma is its outlet, whatever its words, and is no contributor."""
    assert credit_names(credit) == names


def test_reuters_credit_and_footer_leave_the_body():
    copy = clean_wire_copy(
        "LONDON (Reuters) - Oil rose on Monday.\n\nTraders said supply was tight.\n\n"
        "(Reporting by Maria Lopez in Madrid; Editing by Peter Graff)\n\n"
        "© 2026 Reuters. All rights reserved."
    )
    assert copy.body == "Oil rose on Monday.\n\nTraders said supply was tight."
    assert (copy.dateline, copy.agency, copy.contributors) == ("LONDON", "Reuters", ["Maria Lopez"])


def test_1987_reuter_signature_is_dropped_and_names_the_agency():
    copy = clean_wire_copy("Standard Oil Co said it plans a venture.\n    It said more.\n Reuter")
    assert copy.body == "Standard Oil Co said it plans a venture.\n\nIt said more."
    assert copy.agency == "Reuters"


@pytest.mark.parametrize(
    "signature", ["Reuter", "REUTER", "Reuter...", "REUTER...^M", "reuter^M", "REUTERS"]
)
@pytest.mark.parametrize("line_break", ["\n ", "\n\n"])
def test_every_spelling_of_the_1987_reuter_sign_off_leaves_and_names_the_agency(
    signature, line_break
):
    """The 1987 wire's sign-off, with the dots and the carriage return ("^M") the archive
    kept, at the end of the last line or on a line of its own; a story that only names
    Reuters in its text ("told Reuters") keeps it and names no agency."""
    copy = clean_wire_copy(f"Standard Oil Co said it plans a venture.{line_break}{signature}")
    assert (copy.body, copy.agency) == ("Standard Oil Co said it plans a venture.", "Reuters")
    told = clean_wire_copy("Standard Oil Co plans a venture, a spokesman told Reuters")
    assert (told.body, told.agency) == (
        "Standard Oil Co plans a venture, a spokesman told Reuters",
        None,
    )


@pytest.mark.parametrize(
    ("copy", "body", "agency"),
    [
        # a surname that ends the story is the story's, however it was wrapped
        (
            "The treaty was signed in 1952.\n\nIt was drafted by the lawyer Paul Reuter",
            "The treaty was signed in 1952.\n\nIt was drafted by the lawyer Paul Reuter",
            None,
        ),
        (
            "    The treaty was signed in 1952.\n    It was drafted by the lawyer Paul Reuter",
            "The treaty was signed in 1952.\n\nIt was drafted by the lawyer Paul Reuter",
            None,
        ),
        (
            "Two readers signed the letter.\n\nAnna Roe and Paul Reuter",
            "Two readers signed the letter.\n\nAnna Roe and Paul Reuter",
            None,
        ),
        # the sign-off on a line of its own, after a figure, a name or a company's ticker
        (
            "    Net profit 5.1 mln vs 4.2 mln\n    Revs 22.5 mln vs 20.1 mln\n Reuter",
            "Net profit 5.1 mln vs 4.2 mln\n\nRevs 22.5 mln vs 20.1 mln",
            "Reuters",
        ),
        (
            "    Acme sold its unit.\n    NOTE: Full name is Acme Holdings\nCorp\n Reuter",
            "Acme sold its unit.\n\nNOTE: Full name is Acme Holdings Corp",
            "Reuters",
        ),
        (
            "The board met.\n\nIts full name is Acme Holdings <ACME.L>\nREUTER^M",
            "The board met.\n\nIts full name is Acme Holdings <ACME.L>",
            "Reuters",
        ),
        # or after the last figure of a table's row
        (
            "    Rainfall in mm\n    North......12\n    South......17 REUTER",
            "Rainfall in mm\n\nNorth......12\n\nSouth......17",
            "Reuters",
        ),
    ],
)
def test_the_1987_sign_off_is_told_from_a_surname_that_ends_the_story(copy, body, agency):
    """The sign-off stands on its own line, or after a sentence or a figure; re-wrapped into
    the line above it, "Reuter" after a capitalised word is a name ("Paul Reuter")."""
    cleaned = clean_wire_copy(copy)
    assert (cleaned.body, cleaned.agency) == (body, agency)


def test_byline_becomes_authors():
    copy = clean_wire_copy("By Jane Doe and John Roe, Associated Press\n\nPARIS (AP) — The talks.")
    assert copy.authors == ["Jane Doe", "John Roe"]
    assert (copy.agency, copy.dateline, copy.body) == ("AP", "PARIS", "The talks.")


LEAD = "The Senate passed the bill on Tuesday after a debate that lasted most of the night"


@pytest.mark.parametrize(
    ("first_line", "title", "authors"),
    [
        ("By Jane Doe, Associated Press", LEAD, ["Jane Doe"]),
        ("BY JANE DOE AND JOHN ROE", LEAD, ["Jane Doe", "John Roe"]),
        ("By the numbers: a year of storms", "By the numbers: a year of storms", []),
    ],
)
def test_a_story_opening_with_its_byline_has_no_headline_of_it(first_line, title, authors):
    """A text file that starts with the byline: the byline names the authors, and the lead
    stands in for the headline, as for any story without one."""
    story = article_from_text(f"{first_line}\n\nWASHINGTON (AP) — {LEAD}.\n", "bill.txt")
    assert (story.title, story.authors, story.dateline) == (title, authors, "WASHINGTON")
    assert story.title_from_lead == bool(authors)


@pytest.mark.parametrize(
    "byline",
    [
        "By MARI YAMAGUCHI and JOSH BOAK Associated Press",  # AP's own style: no comma
        "By Mari Yamaguchi and Josh Boak, The Associated Press",
    ],
)
def test_an_agency_straight_after_the_names_is_the_agency(byline):
    copy = clean_wire_copy(f"{byline}\n\nTOKYO (AP) — A strong earthquake shook Japan.")
    assert [name.title() for name in copy.authors] == ["Mari Yamaguchi", "Josh Boak"]
    assert (copy.agency, copy.dateline) == ("AP", "TOKYO")
    assert copy.body == "A strong earthquake shook Japan."


def test_a_name_ending_in_an_agencys_one_word_name_is_a_name():
    copy = clean_wire_copy("By Thomas Reuter\n\nBERLIN (dpa) - The talks went on.")
    assert copy.authors == ["Thomas Reuter"] and copy.agency == "dpa"


def test_long_block_after_separator_stays_in_the_body():
    story = "Lead paragraph.\n\n___\n\n" + "WHAT'S NEXT: " + "A long explainer section. " * 60
    assert "WHAT'S NEXT" in clean_wire_copy(story).body


def test_bbc_first_line_is_the_title():
    path = corpus(CORPORA / "bbc" / "business" / "001.txt")
    article = article_from_text(path.read_text("utf-8"), str(path))
    assert article.title == "Ad sales boost Time Warner profit"
    assert article.body.startswith("Quarterly profits at US media giant TimeWarner")


def test_split_title_refuses_a_lead_sentence():
    assert split_title("TOKYO (AP) — Japan agreed.\nMore.")[0] == ""
    assert split_title("A sentence that ends with a full stop.\nMore.")[0] == ""


def test_reuters_record_fields():
    path = corpus(CORPORA / "reuters21578" / "reuters21578.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        record = json.loads(fh.readline())
    article = article_from_fields(
        {
            "id": record["id"],
            "title": record["title"],
            "body": record["body"],
            "published": record["date"],
            "dateline": record["dateline"],
            "topics": record["topics"],
        }
    )
    assert (article.id, article.dateline, article.agency) == ("reuters-1", "SALVADOR", "Reuters")
    assert article.published == "1987-02-26T15:01:01"
    assert article.topics == ["cocoa"]
    assert article.body.startswith("Showers continued throughout the week in the Bahia cocoa zone")
    assert not article.body.rstrip().endswith("Reuter")


def test_byline_field_with_agency():
    article = article_from_fields(
        {"title": "T", "body": "Some text here.", "authors": "by Janie Gabbett, Reuters"}
    )
    assert article.authors == ["Janie Gabbett"] and article.agency == "Reuters"


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2016-09-20", "2016-09-20"),
        ("1/21/18", "2018-01-21"),
        ("Sat, 31 Jan 2026 10:00:00 GMT", "2026-01-31T10:00:00+00:00"),
        ("2026-01-31T09:30:00Z", "2026-01-31T09:30:00+00:00"),
        ("19870305", "1987-03-05"),  # ISO's compact form: year, month, day (not 3 May)
        ("20240305", "2024-03-05"),
        ("0001-11-30", None),
        ("2050-09-30", None),
        ("", None),
        ("yesterday-ish", None),
    ],
)
def test_normalise_date(raw, iso):
    assert normalise_date(raw) == iso


ALLSIDES_GROUPS = [
    ("Fox News", ["Fox Online News", "Fox News", "Fox News (Online)", "Fox News Opinion"]),
    ("CNN", ["CNN (Web News)", "CNN - Editorial"]),
    ("NPR", ["NPR Online News", "NPR Editorial "]),
    (
        "New York Times",
        [
            "New York Times - News",
            "New York Times - Opinion",
            "New York Times (Online News)",
            "New York Times Editorial Board",
        ],
    ),
    ("Newsmax", ["Newsmax", "Newsmax - News", "Newsmax - Opinion", "Newsmax (News)"]),
    ("NBC News", ["NBC News (Online)", "NBCNews.com", "NBC (Web News)"]),
    ("Des Moines Register", ["DesMoines Register", "Des Moines Register"]),
    ("The Hill", ["The Hill"]),
]


@pytest.mark.parametrize(("outlet", "variants"), ALLSIDES_GROUPS)
def test_publisher_variants_are_one_outlet(outlet, variants):
    assert {normalise_publisher(v) for v in variants} == {outlet}


def test_allsides_sources_join_into_fewer_outlets():
    path = corpus(CORPORA / "allsides" / "allsides.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        names = {json.loads(line)["source"] for line in fh}
    joined = {normalise_publisher(n) for n in names}
    # The corpus README counts 491 names, 462 once its 19 groups are joined.
    assert len(names) == 491 and len(joined) <= 462
    assert "Fox" not in joined and "CNN (Web News)" not in joined


@pytest.mark.parametrize(
    "module",
    [
        search.indexing.analysis,
        search.extract,
        search.extract.dates,
        search.extract.language,
        search.extract.publishers,
        search.extract.wire,
    ],
)
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    ("byline", "agency"), [("By The Associated Press", "AP"), ("By Reuters Staff", "Reuters")]
)
def test_a_byline_naming_only_an_agency_leaves_the_body(byline, agency):
    copy = clean_wire_copy(f"{byline}\n\nDENVER ({agency}) — Town officials approved a plan.")
    assert (copy.dateline, copy.agency, copy.authors) == ("DENVER", agency, [])
    assert copy.body == "Town officials approved a plan."


def test_story_sentences_that_look_like_furniture_stay():
    """ "Copyright lawyers ..." is the story's; "Copyright 2024 The Associated Press ..." is
    not. "Reporting by ProPublica ... found that ..." reports a finding, not who wrote it."""
    copy = clean_wire_copy(
        "NEW YORK (AP) — A court heard a music sampling case.\n\n"
        "Copyright lawyers packed the courtroom.\n\n"
        "Reporting by ProPublica and the Texas Tribune found that inspectors flagged cracks.\n\n"
        "Copyright 2024 The Associated Press. All rights reserved."
    )
    assert copy.body == (
        "A court heard a music sampling case.\n\n"
        "Copyright lawyers packed the courtroom.\n\n"
        "Reporting by ProPublica and the Texas Tribune found that inspectors flagged cracks."
    )
    assert copy.contributors == []


@pytest.mark.parametrize(
    ("line", "published"),
    [
        ("Published March 5, 2024", "2024-03-05"),
        ("Updated 2:15 PM EST, Tuesday, March 5, 2024", "2024-03-05"),
        ("Published: 05/03/2024 14:00 GMT", None),  # day or month first: not guessed
    ],
)
def test_a_line_that_only_dates_a_text_story_dates_it(line, published):
    story = article_from_text(
        f"Markets rally on rate-cut hopes\n\n{line}\n\n"
        "NEW YORK (AP) — Stocks rallied on Tuesday as traders bet on cuts later in the year.\n",
        "markets.txt",
    )
    assert (story.published, story.dateline) == (published, "NEW YORK")
    assert story.body.startswith("Stocks rallied")


@pytest.mark.parametrize(
    ("label", "published"),
    [
        ("UPDATED: March 5, 2024 3:45 PM", "2024-03-05"),
        ("Updated 2:15 PM EST, Tuesday, March 5, 2024", "2024-03-05"),
        ("UPDATE: New details added", None),
    ],
)
def test_an_update_label_above_the_headline_is_not_the_title(label, published):
    """A label over the headline is not the headline; when it is a date, it dates the story."""
    story = article_from_text(
        f"{label}\n\nMarkets rally on rate-cut hopes\n\n"
        "NEW YORK (AP) — Stocks rallied on Tuesday as traders bet on cuts later in the year.\n",
        "markets.txt",
    )
    assert (story.title, story.published) == ("Markets rally on rate-cut hopes", published)
    assert story.body.startswith("Stocks rallied")


def test_an_update_headline_over_its_story_stays_the_title():
    story = article_from_text(
        "UPDATE: Road reopened after crash\n\nThe road reopened at 5 p.m. on Tuesday after a "
        "crash closed it for hours, police said.\n",
        "road.txt",
    )
    assert story.title == "UPDATE: Road reopened after crash"


@pytest.mark.parametrize(
    ("headline", "title"),
    [
        ("UPDATE 2-Oil rises on supply fears", "Oil rises on supply fears"),
        ("CORRECTED-Oil rises on supply fears", "Oil rises on supply fears"),
        ("REFILE-UPDATE 1-Oil rises on supply fears", "Oil rises on supply fears"),
        ("RPT-Oil rises on supply fears", "Oil rises on supply fears"),
        ("EXCLUSIVE-OPEC weighs deeper cuts, sources say", "OPEC weighs deeper cuts, sources say"),
        ("WRAPUP 1-Oil rises on supply fears", "Oil rises on supply fears"),
        ("FOCUS-Why oil traders fear a cold winter", "Why oil traders fear a cold winter"),
        ("ANALYSIS-Why oil traders fear a cold winter", "Why oil traders fear a cold winter"),
        ("BREAKINGVIEWS-Oil's rally has legs", "Oil's rally has legs"),
        # not slugs: hyphenated words, 1987's all-caps headlines, a label with a colon
        ("X-RAY scanners found the fault", "X-RAY scanners found the fault"),
        ("F-35 jets grounded after crash", "F-35 jets grounded after crash"),
        ("Wal-Mart raises wages", "Wal-Mart raises wages"),
        (
            "CORRECTION - GM SEES RISE IN EUROPEAN SALES",
            "CORRECTION - GM SEES RISE IN EUROPEAN SALES",
        ),
        (
            "CORRECTED-HECLA <HL> TO BUY MINE STAKE FROM BP",
            "CORRECTED-HECLA <HL> TO BUY MINE STAKE FROM BP",
        ),
        ("U.S. TRADE DEFICIT NARROWS IN JANUARY", "U.S. TRADE DEFICIT NARROWS IN JANUARY"),
        ("UPDATE: Road reopened after crash", "UPDATE: Road reopened after crash"),
    ],
)
def test_a_reuters_desk_slug_is_not_part_of_the_headline(headline, title):
    """Reuters' slug before a headline ("UPDATE 2-", "EXCLUSIVE-") tells its desk the
    version or kind of story; the reader's title is the headline after it, whether the
    headline is the text's first line or the record's own title field."""
    story = article_from_text(f"{headline}\n\nLONDON (Reuters) - Oil rose on Monday.\n", "oil.txt")
    record = article_from_fields({"title": headline, "body": "Oil rose on Monday."})
    assert (story.title, record.title) == (title, title)
    assert story.body == "Oil rose on Monday."


def test_reuters_credits_above_its_standards_line_leave_and_editors_are_not_contributors():
    copy = clean_wire_copy(
        "KYIV (Reuters) - Ukraine said talks would resume on Monday.\n\n"
        "Reporting by Olena Harmash and Pavel Polityuk; Editing by Sandra Maler and Diane Craft"
        "\n\nOur Standards: The Thomson Reuters Trust Principles."
    )
    assert copy.body == "Ukraine said talks would resume on Monday."
    assert copy.contributors == ["Olena Harmash", "Pavel Polityuk"]


@pytest.mark.parametrize(
    ("name", "title", "dateline", "opening", "ending", "contributors"),
    [
        (
            "editors-note-above-headline.txt",
            "Villagers describe the night the soldiers came",
            "HORENKA, Ukraine",
            "Residents of this village north of the capital",
            "investigators had begun recording the accounts.",
            [],
        ),
        (
            "revision-label-above-headline.txt",
            "Oil climbs as refinery outage tightens supply",
            "LONDON",
            "Oil prices rose on Monday",
            "the finance minister told reporters.",
            ["Maria Lopez"],
        ),
    ],
)
def test_a_desk_note_is_neither_the_headline_nor_the_story(
    name, title, dateline, opening, ending, contributors
):
    """An editor's note or a revision label ("UPDATED: Adds comment ...", "(Corrects day
    ...)") above or below the headline, and a marked correction after the story, are the
    desk's notes: the headline stays the title, the dateline lead opens the body."""
    story = article_from_text((WIRE / name).read_text("utf-8"), name)
    assert (story.title, story.dateline, story.contributors) == (title, dateline, contributors)
    assert story.body.startswith(opening) and story.body.endswith(ending)


@pytest.mark.parametrize(
    "note",
    [
        "CORRECTION: An earlier version of this story misstated the day the minister spoke.",
        "This article has been updated to include comment from the union.",
    ],
)
def test_a_marked_correction_after_the_story_leaves_the_body(note):
    copy = clean_wire_copy(
        "BRUSSELS (AP) — Ministers agreed a new budget rule on Tuesday.\n\n"
        "The rule takes effect next year.\n\n"
        f"{note}\n\nAssociated Press writer Jane Doe contributed to this report."
    )
    assert (
        copy.body
        == "Ministers agreed a new budget rule on Tuesday.\n\nThe rule takes effect next year."
    )
    assert copy.contributors == ["Jane Doe"]
    assert ("note", note) in copy.furniture


@pytest.mark.parametrize(
    "paragraph",
    [
        "Updated figures showed the economy grew 2% in the quarter.",
        "Corrections officers at the prison went on strike on Monday.",
        "CHANGES AT THE TOP",
    ],
)
def test_story_text_that_opens_like_a_note_stays(paragraph):
    copy = clean_wire_copy(f"{paragraph}\n\nThe rest of the story.\n\nIts end.")
    assert copy.body.startswith(paragraph)


def test_a_bloomberg_story_names_its_agency_and_leaves_its_foot():
    """Bloomberg opens with the agency alone, "(Bloomberg) --", and ends with the names that
    assisted and whom to contact, addresses and all: none of that is the story."""
    story = article_from_text((WIRE / "bloomberg-story.txt").read_text("utf-8"), "bb.txt")
    assert (story.title, story.agency, story.dateline) == (
        "Stocks Climb as Traders Weigh Slower Path for Rate Cuts",
        "Bloomberg",
        None,
    )
    assert story.contributors == ["Jane Doe", "Carlos Mendes"]
    assert story.authors == ["Alex Smith"]  # the reporter the foot names; not its editors
    assert story.body.startswith("Stocks rose for a third day as traders weighed comments")
    assert story.body.endswith("said Ana Ruiz, a strategist at a New York brokerage.")
    assert "@" not in story.body and "contact" not in story.body


BLOOMBERG_STORY = (
    "(Bloomberg) -- Copper rose to a two-month high as mines in Chile cut output.\n\n"
    "Stockpiles in London fell for a fifth week, the exchange said.\n\n"
    "--With assistance from Mia Park.\n\n"
)
EDITORS_FOOT = (
    "To contact the editors responsible for this story:\nAnn Lee at alee@bloomberg.net\nRos Vale"
)


@pytest.mark.parametrize(
    ("reporters_foot", "authors"),
    [
        (
            "To contact the reporter on this story:\nJane Doe in London at jdoe@bloomberg.net",
            ["Jane Doe"],
        ),
        (
            "To contact the reporter on this story: Jean-Luc de la Rue in Paris at"
            " jrue@bloomberg.net",
            ["Jean-Luc de la Rue"],
        ),
        (
            "To contact the reporters on this story:\nJane Doe in London at jdoe@bloomberg.net;"
            "\nJohn Q. Roe in New York at jroe@bloomberg.net",
            ["Jane Doe", "John Q. Roe"],
        ),
        # one paragraph once re-wrapped: each name ends at its address
        (
            "To contact the reporters on this story: Jane Doe in London at jdoe@bloomberg.net"
            " John Roe at jroe@bloomberg.net",
            ["Jane Doe", "John Roe"],
        ),
        # a column names its author there
        ("To contact the author of this story:\n\nTom B Hale at thale@example.edu", ["Tom B Hale"]),
    ],
)
def test_the_reporters_in_a_bloomberg_foot_are_the_authors(reporters_foot, authors):
    """Bloomberg copy has no byline: its reporters are named only in the contact foot, with
    their city and address. The editors named below them are neither authors nor contributors,
    and the "With assistance from" names stay contributors."""
    story = article_from_text(f"{BLOOMBERG_STORY}{reporters_foot}\n\n{EDITORS_FOOT}")
    assert story.authors == authors
    assert story.contributors == ["Mia Park"]
    assert story.body.endswith("the exchange said.")


@pytest.mark.parametrize(
    ("byline", "fields", "authors"),
    [
        ("By Kim Sato\n\n", {}, ["Kim Sato"]),
        ("", {"authors": "Kim Sato"}, ["Kim Sato"]),
        ("", {"authors": "J. Doe"}, ["J. Doe"]),
        # a field that names only the agency names no reporter
        ("", {"authors": "Bloomberg News"}, ["Jane Doe"]),
    ],
)
def test_a_byline_or_the_sources_author_field_wins_over_the_contact_foot(byline, fields, authors):
    foot = "To contact the reporter on this story:\nJane Doe in London at jdoe@bloomberg.net"
    body = f"{byline}{BLOOMBERG_STORY}{foot}\n\n{EDITORS_FOOT}"
    story = article_from_fields({"title": "Copper rises", "body": body, **fields})
    assert story.authors == authors
    assert clean_wire_copy(body).reporters == ["Jane Doe"]


@pytest.mark.parametrize(
    ("lead", "agency"), [("(Bloomberg) -- Stocks", "Bloomberg"), ("(Reuters) - Oil", "Reuters")]
)
def test_a_lead_that_names_only_its_agency(lead, agency):
    copy = clean_wire_copy(f"{lead} rose on Monday.\n\nTraders said supply was tight.")
    assert (copy.dateline, copy.agency) == (None, agency)
    assert copy.body.startswith(lead.split(" ")[-1] + " rose on Monday.")


@pytest.mark.parametrize(
    ("lead", "dateline", "agency"),
    [
        ("NEW YORK--(BUSINESS WIRE)--", "NEW YORK", "Business Wire"),
        ("NEW YORK, March 3, 2026 /PRNewswire/ -- ", "NEW YORK", "PR Newswire"),
        ("WASHINGTON, March 3, 2026 /PRNewswire-USNewswire/ -- ", "WASHINGTON", "PR Newswire"),
        ("Austin, Texas, March 3, 2026 /PRNewswire/ -- ", "AUSTIN, Texas", "PR Newswire"),
        ("CHICAGO (PRNewswire) -- ", "CHICAGO", "PR Newswire"),
        ("SAN FRANCISCO, March 03, 2026 (GLOBE NEWSWIRE) -- ", "SAN FRANCISCO", "GlobeNewswire"),
    ],
)
def test_a_press_release_wires_lead_names_it_as_the_wire_spells_itself(lead, dateline, agency):
    """Press releases come over their own wires, each with its lead: the wire is filed under
    its proper name, however the lead capitalises or spaces it, and the lead leaves the body."""
    copy = clean_wire_copy(f"{lead}Acme Corp. (NYSE: ACME) today announced a new chief executive.")
    assert (copy.dateline, copy.agency) == (dateline, agency)
    assert copy.body == "Acme Corp. (NYSE: ACME) today announced a new chief executive."


RELEASE = (
    "NEW YORK, March 3, 2026 /PRNewswire/ -- Acme Corp. today named a new chief executive.\n\n"
    "About Acme: Acme Corp. makes anvils.\n\nMedia Contact: Jane Doe, press@acme.example"
)
RELEASE_URL = "https://www.prnewswire.com/news-releases/acme-names-chief-301234567.html"


@pytest.mark.parametrize(
    ("foot", "removed"),
    [
        (
            f"View original content:{RELEASE_URL}\n\nSOURCE Acme Corp",
            [f"View original content:{RELEASE_URL}", "SOURCE Acme Corp"],
        ),
        (
            f"Cision View original content to download multimedia:{RELEASE_URL}\n\nSOURCE Acme",
            [f"Cision View original content to download multimedia:{RELEASE_URL}", "SOURCE Acme"],
        ),
        # on consecutive lines, one paragraph once re-wrapped
        (
            f"View original content to download multimedia:{RELEASE_URL}\nSOURCE Acme Corp.",
            [f"View original content to download multimedia:{RELEASE_URL} SOURCE Acme Corp."],
        ),
        (
            f"Cision\n\nView original content:{RELEASE_URL}\n\nSOURCE Acme Corp",
            ["Cision", f"View original content:{RELEASE_URL}", "SOURCE Acme Corp"],
        ),
        (
            "SOURCE Acme Corp\n\nRelated Links\n\nhttps://www.acme.example",
            ["SOURCE Acme Corp", "Related Links", "https://www.acme.example"],
        ),
    ],
)
def test_a_press_releases_source_line_and_link_to_the_original_leave_the_body(foot, removed):
    """PR Newswire ends a release with a link to its own copy and the issuer's name ("SOURCE
    Acme Corp"): the wire's furniture, not the release. The contacts above them stay."""
    copy = clean_wire_copy(f"{RELEASE}\n\n{foot}")
    assert copy.body == (
        "Acme Corp. today named a new chief executive.\n\nAbout Acme: Acme Corp. makes anvils."
        "\n\nMedia Contact: Jane Doe, press@acme.example"
    )
    assert [line for kind, line in copy.furniture if kind == "release"] == removed


@pytest.mark.parametrize(
    ("paragraphs", "kept"),
    [
        # not at the foot
        (["SOURCE Acme Corp", "Acme Corp. today named a chief."], 2),
        ([f"View original content:{RELEASE_URL}", "Acme Corp. today named a chief."], 2),
        # a source named in the story: with a colon, or in a sentence; the contacts
        (["Oil rose on Monday.", "SOURCE: Reuters"], 2),
        (["Oil rose on Monday.", "Source: the ministry said talks would resume next week."], 2),
        (["Oil rose on Monday.", "SOURCE Acme Corp /CONTACT: Jane Doe, press@acme.example"], 2),
        # links at the foot of a story that is not a release, or above the wire's lines
        (["Oil rose on Monday.", "Related Links", "https://www.acme.example"], 3),
        (["Acme named a chief.", "https://www.acme.example", "SOURCE Acme Corp"], 2),
    ],
)
def test_a_source_or_a_link_that_is_not_a_releases_foot_stays(paragraphs, kept):
    assert strip_release_foot(paragraphs)[0] == paragraphs[:kept]


BUSINESS_WIRE_RELEASE = (
    "NEW YORK--(BUSINESS WIRE)--Acme Corp. (NYSE: ACME) today named a new chief executive.\n\n"
    "About Acme: Acme Corp. makes anvils."
)
SOURCE_VERSION = (
    "View source version on businesswire.com: "
    "https://www.businesswire.com/news/home/20260303005012/en/"
)


@pytest.mark.parametrize(
    ("foot", "body_foot"),
    [
        # above the contacts, as the wire places it
        (
            f"{SOURCE_VERSION}\n\nContacts\n\nMedia: Jane Doe, press@acme.example",
            "Contacts\n\nMedia: Jane Doe, press@acme.example",
        ),
        # re-wrapped into one paragraph with the contacts below it
        (
            f"{SOURCE_VERSION}\nContacts\nJane Doe, press@acme.example",
            "Contacts Jane Doe, press@acme.example",
        ),
        # at the very foot, when the release gives no contacts
        (SOURCE_VERSION, ""),
    ],
)
def test_business_wires_link_to_its_copy_leaves_the_body_wherever_it_sits(foot, body_foot):
    """Business Wire puts "View source version on businesswire.com: URL" above the release's
    contacts: it is the wire's line, not the release's, so it leaves the body and the
    contacts below it stay."""
    copy = clean_wire_copy(f"{BUSINESS_WIRE_RELEASE}\n\n{foot}")
    story = "Acme Corp. (NYSE: ACME) today named a new chief executive.\n\n"
    story += "About Acme: Acme Corp. makes anvils."
    assert copy.body == (f"{story}\n\n{body_foot}" if body_foot else story)
    assert [line for kind, line in copy.furniture if kind == "release"] == [SOURCE_VERSION]
    assert copy.agency == "Business Wire"


def test_business_wires_link_leaves_a_release_kept_one_line_a_paragraph():
    contacts = "\n".join(
        ["Contacts", "Media", "Jane Doe", "Acme Corp.", "+1 555 0100", "press@acme.example"]
        + ["Investors", "John Roe", "Acme Corp.", "+1 555 0101", "ir@acme.example"]
    )
    copy = clean_wire_copy(f"Acme Corp. named a chief.\n{SOURCE_VERSION}\n{contacts}")
    assert copy.body.split("\n\n") == ["Acme Corp. named a chief.", *contacts.split("\n")]


GLOBE_RELEASE = (
    "OSLO, Norway, March 03, 2026 (GLOBE NEWSWIRE) -- Acme ASA today reported higher sales."
    "\n\nFor more information, contact:\n\nJane Doe, +47 555 0100, ir@acme.example"
)
GLOBE_BODY = (
    "Acme ASA today reported higher sales.\n\nFor more information, contact:"
    "\n\nJane Doe, +47 555 0100, ir@acme.example"
)


@pytest.mark.parametrize(
    ("copy", "body", "removed"),
    [
        (
            f"{GLOBE_RELEASE}\n\nAttachments\n\nAcme Q4 2025 Report\n\nAcme Logo",
            GLOBE_BODY,
            ["Attachments", "Acme Q4 2025 Report", "Acme Logo"],
        ),
        (f"{GLOBE_RELEASE}\n\nAttachment\n\nAcme Logo", GLOBE_BODY, ["Attachment", "Acme Logo"]),
        # the heading over lines that are not files' names: a contact's address
        (
            f"{GLOBE_RELEASE}\n\nAttachment\n\nJohn Roe, jroe@acme.example",
            f"{GLOBE_BODY}\n\nAttachment\n\nJohn Roe, jroe@acme.example",
            [],
        ),
        # a sentence about attachments is the release's
        (
            f"{GLOBE_RELEASE}\n\nAttachments to the report are on the company's website.",
            f"{GLOBE_BODY}\n\nAttachments to the report are on the company's website.",
            [],
        ),
        # not from that wire: a story's own section stays
        (
            "OSLO (AP) — The council met.\n\nAttachments\n\nBudget 2026",
            "The council met.\n\nAttachments\n\nBudget 2026",
            [],
        ),
    ],
)
def test_globenewswires_list_of_attachments_leaves_the_body(copy, body, removed):
    """GlobeNewswire ends a release with the names of the files attached to it under an
    "Attachment(s)" heading: the wire's furniture, not the release; the contacts above stay."""
    cleaned = clean_wire_copy(copy)
    assert cleaned.body == body
    assert [line for kind, line in cleaned.furniture if kind == "release"] == removed


def test_a_wires_sign_off_names_the_agency_and_leaves_the_body():
    """dpa signs its copy off with its desk's code ("dpa/lno"): the agency, not the story."""
    copy = clean_wire_copy(
        "Die Lokführer haben für Montag einen Streik angekündigt.\n\n"
        "Die Bahn nannte den Streik unverhältnismäßig.\n\ndpa/lno"
    )
    assert copy.agency == "dpa"
    assert copy.body.endswith("Die Bahn nannte den Streik unverhältnismäßig.")


@pytest.mark.parametrize(
    ("byline", "agency"),
    [
        ("By Alan Jones, PA Industrial Correspondent", "PA"),
        ("By ALAN JONES AP Science Writer", "AP"),  # AP's own style: no comma
        ("By Alan Jones, Press Association Chief Political Editor", "PA"),
    ],
)
def test_a_wires_desk_after_the_name_is_the_agency_not_an_author(byline, agency):
    story = article_from_text(
        f"Rail strike called for March\n\n{byline}\n\n"
        "Rail workers will strike for three days next month, their union said on Monday.\n",
        "strike.txt",
    )
    assert (story.authors, story.agency) == (["Alan Jones"], agency)
    assert story.body.startswith("Rail workers will strike")


def test_the_lines_that_end_an_ap_story_are_not_its_text():
    story = article_from_text(
        (WIRE / "ap-story-trailing-furniture.txt").read_text("utf-8"), "floods.txt"
    )
    assert (story.dateline, story.agency, story.contributors) == (
        "DES MOINES, Iowa",
        "AP",
        ["Hannah Fingerhut"],
    )
    assert story.body.endswith('"The levees did their job."')


@pytest.mark.parametrize(
    "line",
    [
        "-30-",
        "###",
        "# # #",
        "(END)",
        "Follow Jane Doe on Twitter at https://twitter.com/janedoe",
        "Follow AP's coverage of the election at https://apnews.com/hub/election-2024",
        "Find more AP coverage of Asia at https://apnews.com/hub/asia-pacific",
        "(AP Photo/Jane Doe, File)",
    ],
)
def test_a_line_that_ends_wire_copy_leaves_the_body(line):
    copy = clean_wire_copy(f"ROME (AP) — The talks went on.\n\nThey ended late.\n\n{line}")
    assert copy.body == "The talks went on.\n\nThey ended late."


@pytest.mark.parametrize(
    "line",
    [
        "Follow-up talks are set for March.",
        "Follow the money, investigators said.",
        "AP coverage of the trial drew complaints from the defence.",
    ],
)
def test_a_last_line_of_story_text_stays(line):
    copy = clean_wire_copy(f"ROME (AP) — The talks went on.\n\n{line}")
    assert copy.body == f"The talks went on.\n\n{line}"
