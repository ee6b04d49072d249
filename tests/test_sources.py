"""Readers: every format from the real corpora, field mapping, sources, and bad files."""

from __future__ import annotations

import gzip
import io
import itertools
import json
import re
from pathlib import Path

import pytest

from search.errors import BadParameter, BadSource
from search.sources import FORMATS, RawRecord, Skipped, parse_field_map, read_sources

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
DEMO = Path(__file__).resolve().parents[1] / "search" / "demo"
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")


def corpus(*parts: str) -> Path:
    path = CORPORA.joinpath(*parts)
    if not path.exists():
        pytest.skip("corpus missing")
    return path


def read(*sources: str | Path, **options) -> list[RawRecord | Skipped]:
    return list(read_sources([str(s) for s in sources], **options))


def records(results: list) -> list[RawRecord]:
    return [r for r in results if isinstance(r, RawRecord)]


def skips(results: list) -> list[Skipped]:
    return [r for r in results if isinstance(r, Skipped)]


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


STORY = "LONDON (Reuters) - Shares rose on Monday.\n\nTraders said the mood was calm.\n"


# Real corpora -------------------------------------------------------------------------------


def test_seed_wire_story_reads_as_text():
    (record,) = read(corpus("seed", "srnnews-japan-britain.txt"))
    assert record.kind == "text"
    assert record.data.startswith("TOKYO (AP) — Japan and Britain agreed Saturday")
    assert "Brought to you by www.srnnews.com" in record.data


def test_bbc_latin1_file_keeps_its_pound_sign():
    (record,) = read(corpus("bbc", "sport", "199.txt"))
    assert "£15.8m" in record.data


def test_bbc_glob_reads_files_in_sorted_order():
    corpus("bbc")
    results = read(CORPORA / "bbc" / "*" / "00[12].txt")
    names = [r.source_file for r in results]
    assert len(names) == 10 and not skips(results)
    assert names == sorted(names)
    assert names[0].endswith("business/001.txt")
    assert all(r.kind == "text" and "\n\n" in r.data for r in results)


def test_reuters_jsonl_gz_streams_canonical_fields():
    path = corpus("reuters21578", "reuters21578.jsonl.gz")
    first = list(itertools.islice(read_sources([str(path)]), 300))
    assert len(first) == 300 and not skips(first)
    bahia = first[0].fields
    assert bahia["id"] == "reuters-1"
    assert bahia["title"] == "BAHIA COCOA REVIEW"
    assert bahia["dateline"] == "SALVADOR, Feb 26 -"
    assert bahia["published"] == "1987-02-26T15:01:01"
    assert bahia["topics"] == ["cocoa"]
    assert bahia["places"] == ["el-salvador", "usa", "uruguay"]
    assert bahia["body"].startswith("Showers continued throughout the week")
    assert "<BP>" in first[1].fields["body"]  # a ticker, not HTML
    assert not any("body_html" in r.fields for r in first)
    assert all(r.source_file == str(path) for r in first)


def test_allsides_maps_content_original_source_and_id():
    path = corpus("allsides", "allsides.jsonl.gz")
    first = list(itertools.islice(read_sources([str(path)]), 50))
    assert len(first) == 50 and not skips(first)
    fields = first[0].fields
    assert fields["id"] == "004Gt3gcsotuiYmz"
    assert fields["publisher"] == "New York Times - News"
    assert fields["title"] == "Bomb Suspect Changed After Trip Abroad, Friends Say"
    assert fields["authors"] == "N. R. Kleinfield"
    assert fields["topics"] == "terrorism"
    assert fields["body"].startswith("Besides his most recent trip to Quetta")
    assert all(len(r.fields["body"]) > 1000 for r in first)


def test_trafilatura_page_gz_reads_as_html_bytes():
    pages = corpus("trafilatura-eval", "pages")
    first = sorted(pages.glob("*.html.gz"))[0]
    (record,) = read(first)
    assert record.kind == "html"
    assert isinstance(record.data, bytes) and b"<html" in record.data[:2000].lower()


def _feed_table() -> dict[str, int]:
    readme = CORPORA / "feeds" / "README.md"
    if not readme.exists():
        return {}
    rows = re.findall(
        r"^\| \d+ \| \[`([^`]+)`\]\([^)]*\) \| [^|]+ \| (\d+) \|", readme.read_text(), re.M
    )
    return {name: int(count) for name, count in rows}


FEED_TABLE = _feed_table()


@pytest.mark.parametrize("name", sorted(FEED_TABLE) or ["(no corpus)"])
def test_every_feed_yields_the_entries_its_readme_counts(name):
    path = corpus("feeds", name)
    results = read(path)
    expected = FEED_TABLE[name]
    if expected == 0:
        assert results == [Skipped(str(path), "no entries")]
        return
    assert not skips(results)
    assert len(results) == expected
    assert all(r.kind == "fields" for r in results)
    assert all(r.fields.get("title") or r.fields.get("body_html") for r in results)


@pytest.fixture(scope="module")
def feeds() -> dict[str, list[dict]]:
    folder = corpus("feeds")
    by_file: dict[str, list[dict]] = {}
    for result in read_sources([str(folder)]):
        if isinstance(result, RawRecord):
            by_file.setdefault(Path(result.source_file).name, []).append(result.fields)
    return by_file


def test_feed_directory_reads_every_feed_but_not_the_readme(feeds):
    assert len(feeds) == 36  # 37 files, one of them empty
    assert sum(len(entries) for entries in feeds.values()) == sum(FEED_TABLE.values())


def test_feed_encoding_declarations_that_lie_are_corrected(feeds):
    laut = " ".join(
        e.get("body_html", "") for e in feeds["laut-de-news-rss1-encoding-mismatch.xml"]
    )
    assert "Kölner" in laut and "Ã" not in laut
    finanzen = feeds["finanzen-net-rss2-encoding-mismatch-nodates.xml"][0]
    assert "für" in finanzen["body_html"]
    uol = feeds["uol-noticias-rss-nodecl-latin1.xml"][0]
    assert "simulações" in uol["title"]
    oren = feeds["oren-ru-rss2-windows-1251.xml"][0]
    assert oren["title"].startswith("В Бузулуке")


def test_feed_fields_are_canonical(feeds):
    bbc = feeds["bbc-news-home-rss2.xml"][0]
    assert bbc["publisher"] == "BBC News - Home"
    assert bbc["language"] == "en-gb"
    assert bbc["url"].startswith("https://www.bbc.co.uk/news/")
    assert ISO_UTC.match(bbc["published"])
    guardian = feeds["guardian-us-rss2.xml"][0]
    assert guardian["authors"] == ["David Smith in Washington"]
    assert "US politics" in guardian["topics"]
    techcrunch = feeds["techcrunch-rss2.xml"][0]  # blank line before the declaration
    assert len(techcrunch["body_html"]) > 4000  # content:encoded beats the description
    alerts = feeds["google-alerts-atom.atom"][0]
    assert "<b>" not in alerts["title"] and "authors" not in alerts  # empty <name></name>


def test_feed_dates_keep_their_offset_or_raw_when_unparsable(feeds):
    uol = feeds["uol-noticias-rss-nodecl-latin1.xml"][0]
    assert uol["published"] == "Seg, 24 Set 2018 19:42:40 -0300"
    assert not any("published" in e for e in feeds["heise-online-rss090.xml"])
    cnn = feeds["cnn-homepage-rss2.xml"]
    assert sum("published" not in e for e in cnn) == 10
    never = feeds["neverwinter-news-rss2-relative-links.xml"][0]
    assert never["published"] == "2017-12-07T10:00:29-08:00"  # two-digit year, PST kept


def test_feed_relative_links_never_become_urls(feeds):
    for entry in feeds["neverwinter-news-rss2-relative-links.xml"]:
        assert entry.get("url", "https://").startswith(("http://", "https://"))


def test_json_feeds_1_and_1_1(feeds):
    fireball = feeds["daringfireball-jsonfeed1.json"][0]
    assert fireball["authors"] == ["John Gruber"] and fireball["publisher"] == "Daring Fireball"
    assert fireball["body_html"]
    blog = feeds["3960-journal-jsonfeed11.json"][0]
    assert blog["language"] == "de-DE" and blog["authors"] == ["Frank Boës"]
    assert blog["topics"] == ["Lustiges"]
    dorny = feeds["lukedorny-jsonfeed11.json"][0]
    assert dorny["url"].startswith("https://lukedorny.com/")


# Field mapping ----------------------------------------------------------------------------


def test_common_names_map_case_insensitively(tmp_path):
    line = {
        "Headline": "Port strike ends",
        "Description": "Short teaser.",
        "content_original": "The strike at the port ended on Tuesday after talks.",
        "pubDate": "2025-03-04",
        "Byline": "Jane Doe",
        "Link": "https://news.example/port",
        "Section": "business",
        "site_name": "Harbour Times",
        "GUID": "abc-1",
        "lang": "en",
        "dateline": "ROTTERDAM",
        "Location": ["Rotterdam"],
        "extra": "ignored",
        "blank": "  ",
    }
    (record,) = read(write(tmp_path / "a.jsonl", json.dumps(line) + "\n"))
    assert record.fields == {
        "title": "Port strike ends",
        "body": "The strike at the port ended on Tuesday after talks.",
        "published": "2025-03-04",
        "authors": "Jane Doe",
        "url": "https://news.example/port",
        "topics": "business",
        "publisher": "Harbour Times",
        "id": "abc-1",
        "language": "en",
        "dateline": "ROTTERDAM",
        "places": ["Rotterdam"],
    }


def test_html_bodies_go_to_body_html_and_empty_values_are_missing(tmp_path):
    lines = [
        {"title": "A", "content": "<p>First <a href='/x'>par</a>.</p><p>Second.</p>"},
        {"title": "B", "body": "", "description": "Only a teaser.", "author": ""},
        {"title": "C", "body": "Shares of <BP> rose.</p>"},
    ]
    results = read(write(tmp_path / "b.jsonl", "\n".join(map(json.dumps, lines))))
    a, b, c = (r.fields for r in results)
    assert "body" not in a and a["body_html"].startswith("<p>First")
    assert b == {"title": "B", "body": "Only a teaser."}
    assert "body_html" in c


def test_news_api_and_objects_reduce_to_names(tmp_path):
    doc = {
        "status": "ok",
        "articles": [
            {
                "source": {"id": "wire", "name": "Wire Daily"},
                "author": [{"name": "Ann Lee"}, {"name": ""}],
                "title": "Markets calm",
                "publishedAt": "2024-05-01T10:00:00Z",
                "content": "Markets were calm.",
                "id": 17,
            }
        ],
    }
    (record,) = read(write(tmp_path / "news.json", json.dumps(doc)))
    assert record.fields["publisher"] == "Wire Daily"
    assert record.fields["authors"] == ["Ann Lee"]
    assert record.fields["published"] == "2024-05-01T10:00:00Z"
    assert record.fields["id"] == "17"


def test_map_override_wins_over_automatic_names(tmp_path):
    line = {"title": "T", "body": "auto body", "full": "the real body", "when": "2026-01-02"}
    path = write(tmp_path / "c.jsonl", json.dumps(line))
    field_map = parse_field_map(["body=full", "published=When", "title = title"])
    assert field_map == {"body": "full", "published": "When", "title": "title"}
    (record,) = read(path, field_map=field_map)
    assert record.fields["body"] == "the real body"
    assert record.fields["published"] == "2026-01-02"


@pytest.mark.parametrize("pair", ["body", "=content", "body=", "colour=content"])
def test_malformed_map_pairs_are_refused(pair):
    with pytest.raises(BadParameter):
        parse_field_map([pair])


def test_map_given_twice_is_refused():
    with pytest.raises(BadParameter, match="twice"):
        parse_field_map(["body=a", "body=b"])


def test_map_columns_no_record_had_are_known_once_the_records_are_read(tmp_path):
    jsonl = write(tmp_path / "a.jsonl", json.dumps({"headline": "H", "copy": "Text."}) + "\n")
    csv_file = write(tmp_path / "b.csv", "title,copy,Byline\nT,Body.,Ann Lee\n")
    field_map = {"body": "copy", "authors": "byline", "published": "sent_at"}
    results = read_sources([str(jsonl), str(csv_file)], field_map=field_map)
    assert [r.fields["body"] for r in results] == ["Text.", "Body."]
    # byline: one file had it (in another case); sent_at: no record at all
    assert results.unmatched_map() == {"published": "sent_at"}


# Formats: json, csv, feeds written here --------------------------------------------------


@pytest.mark.parametrize("key", ["items", "articles", "data", "results", "docs"])
def test_json_object_holding_a_list(tmp_path, key):
    doc = {key: [{"title": "One", "text": "Body one."}, {"title": "Two", "text": "Body two."}]}
    results = read(write(tmp_path / "x.json", json.dumps(doc)))
    assert [r.fields["title"] for r in results] == ["One", "Two"]


def test_json_array_and_single_object(tmp_path):
    array = write(tmp_path / "a.json", json.dumps([{"headline": "H", "story": "S."}]))
    single = write(tmp_path / "s.json", "\ufeff" + json.dumps({"headline": "H2", "story": "S2."}))
    results = read(array, single)
    assert [r.fields["title"] for r in results] == ["H", "H2"]


def test_csv_with_sniffed_delimiter_bom_and_multiline_bodies(tmp_path):
    text = (
        "\ufefftitle;body;date;author\n"
        'Rail strike;"Trains stopped, ""all day"".\n\nSecond paragraph.";2024-06-01;Ann Lee\n'
        "Calm day;Nothing happened;2024-06-02;\n"
    )
    results = read(write(tmp_path / "a.csv", text))
    assert [r.fields["title"] for r in results] == ["Rail strike", "Calm day"]
    assert results[0].fields["body"] == 'Trains stopped, "all day".\n\nSecond paragraph.'
    assert "authors" not in results[1].fields


def test_csv_in_cp1252_and_gzip(tmp_path):
    text = "headline,content\nCafé opens,Price £3 and “fair”\n".encode("cp1252")
    (record,) = read(write(tmp_path / "a.csv.gz", gzip.compress(text)))
    assert record.fields == {"title": "Café opens", "body": "Price £3 and “fair”"}


PLAIN_ROWS = "Good three,Body three.\nGood four,Body four.\n"
QUOTED_ROWS = 'Good three,Body three.\nGood four,"Body ""four"", quoted"\n'


@pytest.mark.parametrize(
    ("bad_line", "after", "reason"),
    [
        ('"Bad title,Body two\n', PLAIN_ROWS, "a quote is never closed"),
        ('Bad row,"Body two left open\n', PLAIN_ROWS, "a quote is never closed"),
        # Left open, the quote is closed by the next quote, two lines down: read leniently,
        # lines 3 to 5 would be one row, its body the text between the two quotes.
        ('Bad row,"Body two left open\n', QUOTED_ROWS, "',' expected after '\"', line 5"),
    ],
)
def test_csv_row_with_an_unclosed_quote_is_skipped_and_the_rows_around_it_kept(
    tmp_path, bad_line, after, reason
):
    path = write(tmp_path / "desk.csv", "title,body\nGood one,Body one.\n" + bad_line + after)
    results = read(path)
    assert skips(results) == [Skipped(f"{path}:3", f"not valid CSV ({reason})")]
    kept = records(results)
    assert [r.fields["title"] for r in kept] == ["Good one", "Good three", "Good four"]
    assert [r.line for r in kept] == [2, 4, 5]
    assert kept[2].fields["body"] in ("Body four.", 'Body "four", quoted')


def test_csv_text_after_a_closing_quote_is_read_as_lenient_readers_do(tmp_path):
    path = write(tmp_path / "sloppy.csv", 'title,body\n"Paris" ,Talks resumed.\nB,"y" \n')
    results = read(path)
    assert not skips(results)
    assert [r.fields for r in results] == [
        {"title": "Paris", "body": "Talks resumed."},
        {"title": "B", "body": "y"},
    ]


def test_csv_field_over_the_limit_ends_the_file_keeping_the_rows_before(tmp_path):
    text = 'title,body\nGood one,Body one.\nBad,"' + "long line\n" * 300 + 'x"\nLost,row\n'
    path = write(tmp_path / "huge.csv", text)
    results = read(path, max_bytes=1000)
    assert [r.fields["title"] for r in records(results)] == ["Good one"]
    assert skips(results) == [
        Skipped(
            f"{path}:3", "not valid CSV (a field over 1000 bytes; the rest of the file not read)"
        )
    ]


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Demo Wire</title><link>https://wire.example/</link><language>en</language>
<item><title>Relative</title><link>/news/1</link><guid isPermaLink="false">n1</guid>
<description>&lt;p&gt;Hello&lt;/p&gt;</description><dc:creator>Jo Bloggs</dc:creator>
<category>world</category><pubDate>Sat, 01 Jun 2024 12:00:00 +0200</pubDate></item>
</channel></rss>"""


def test_rss_entry_fields_and_relative_link(tmp_path):
    (record,) = read(write(tmp_path / "feed.rss", RSS))
    assert record.fields == {
        "id": "n1",
        "url": "https://wire.example/news/1",
        "title": "Relative",
        "body_html": "<p>Hello</p>",
        "published": "2024-06-01T12:00:00+02:00",  # the offset it was written with
        "authors": ["Jo Bloggs"],
        "topics": ["world"],
        "publisher": "Demo Wire",
        "language": "en",
    }


@pytest.mark.parametrize(
    ("written", "published"),
    [
        # 22:30 in New York on the 5th is the 6th in UTC: the day readers are shown stays
        ("Tue, 05 Mar 2024 22:30:00 EST", "2024-03-05T22:30:00-05:00"),
        ("Mon, 01 Jul 2024 02:00:00 +0530", "2024-07-01T02:00:00+05:30"),
        # a zone RSS does not define is not passed off as UTC: the time, without an offset
        ("Tue, 05 Mar 2024 10:00:00 CEST", "2024-03-05T10:00:00"),
        ("2024-03-05T10:00:00+01:00", "2024-03-05T10:00:00+01:00"),
    ],
)
def test_rss_dates_keep_the_offset_they_were_written_with(tmp_path, written, published):
    feed = RSS.replace("Sat, 01 Jun 2024 12:00:00 +0200", written)
    (record,) = read(write(tmp_path / "feed.rss", feed))
    assert record.fields["published"] == published


ATOM_WITH_AUTHOR = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Jane's Notes</title><id>urn:f</id>
<updated>2024-05-02T10:00:00Z</updated><author><name>Jane Doe</name></author>
<entry><title>Own author</title><id>urn:1</id><updated>2024-05-01T10:00:00Z</updated>
<author><name>Ann Lee</name></author><content>The harbour reopened on Friday.</content></entry>
<entry><title>Feed's author</title><id>urn:2</id><updated>2024-05-02T10:00:00Z</updated>
<content>The ferry returned on Saturday.</content></entry>
</feed>"""


def test_an_atom_entry_without_an_author_has_the_feeds(tmp_path):
    own, inherited = read(write(tmp_path / "notes.atom", ATOM_WITH_AUTHOR))
    assert own.fields["authors"] == ["Ann Lee"]
    assert inherited.fields["authors"] == ["Jane Doe"]  # RFC 4287, 4.2.1


def test_an_rss_channels_editor_is_not_the_items_author(tmp_path):
    editor = "<managingEditor>desk@wire.example (Max Editor)</managingEditor>"
    feed = RSS.replace("<dc:creator>Jo Bloggs</dc:creator>", "").replace(
        "</language>", "</language>" + editor
    )
    (record,) = read(write(tmp_path / "feed.rss", feed))
    assert "authors" not in record.fields


def test_feed_in_utf16_with_bom(tmp_path):
    data = RSS.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    (record,) = read(write(tmp_path / "feed16.xml", data))
    assert record.fields["title"] == "Relative"


# Sources: directories, globs, stdin, gzip ---------------------------------------------------


def test_directory_is_recursive_sorted_and_skips_hidden_and_non_news(tmp_path):
    write(tmp_path / "b" / "2.txt", STORY)
    write(tmp_path / "a.txt", STORY)
    write(tmp_path / "b" / "1.txt", STORY)
    write(tmp_path / ".hidden.txt", STORY)
    write(tmp_path / ".git" / "x.txt", STORY)
    write(tmp_path / "logo.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    write(tmp_path / "app.js", "var x = 1;")
    write(tmp_path / "README.md", "# about")
    write(tmp_path / "story", STORY)  # no extension: sniffed
    results = read(tmp_path)
    names = [Path(r.source_file).relative_to(tmp_path).as_posix() for r in results]
    assert names == ["a.txt", "b/1.txt", "b/2.txt", "story"]
    assert not skips(results)


def test_recursive_glob(tmp_path):
    write(tmp_path / "x" / "y" / "deep.txt", STORY)
    write(tmp_path / "top.txt", STORY)
    results = read(f"{tmp_path}/**/*.txt")
    assert sorted(Path(r.source_file).name for r in results) == ["deep.txt", "top.txt"]


def test_explicit_non_news_file_is_reported_not_hidden(tmp_path):
    logo = write(tmp_path / "logo.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert read(logo) == [Skipped(str(logo), "binary file")]


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (STORY.encode(), "text"),
        (b"<!DOCTYPE html><html><body><p>Hi</p></body></html>", "html"),
        (RSS.encode(), "fields"),
        (b'{"title": "A", "body": "B"}\n{"title": "C", "body": "D"}\n', "fields"),
        (b"title,body\nA,B\n", "fields"),
    ],
)
def test_stdin_is_sniffed(data, kind):
    results = read("-", stdin=io.BytesIO(gzip.compress(data)))
    assert results and all(r.kind == kind for r in results)
    assert all(r.source_file == "<stdin>" for r in results)


def test_stdin_with_format_given():
    data = b"title\tbody\nA\tB\n"
    (record,) = read("-", stdin=io.BytesIO(data), format="csv")
    assert record.fields == {"title": "A", "body": "B"}


def test_gzip_is_known_by_magic_bytes(tmp_path):
    path = write(tmp_path / "story.txt", gzip.compress(STORY.encode()))
    (record,) = read(path)
    assert record.data == STORY


def test_format_option_overrides_the_extension(tmp_path):
    path = write(tmp_path / "export.dat", '{"title": "A", "text": "B"}\n')
    (record,) = read(path, format="jsonl")
    assert record.fields == {"title": "A", "body": "B"}


# Bad sources and bad files -----------------------------------------------------------------


def test_missing_path_is_bad_source_before_anything_is_read(tmp_path):
    good = write(tmp_path / "good.txt", STORY)
    with pytest.raises(BadSource, match="no such file or directory"):
        read_sources([str(good), str(tmp_path / "nope.txt")])


def test_empty_glob_and_unknown_format_are_bad_sources(tmp_path):
    with pytest.raises(BadSource, match="no files match"):
        read_sources([f"{tmp_path}/*.jsonl"])
    with pytest.raises(BadSource, match="unknown format 'xml'"):
        read_sources([str(tmp_path)], format="xml")
    assert "xml" not in FORMATS


def _gzip_of(text: str) -> bytes:
    return gzip.compress(text.encode())


BAD_FILES = {
    "nul.txt": (b"title\x00\x00\x01\x02 binary", "binary file"),
    "zero.txt": (b"", "empty file"),
    "spaces.txt": (b"  \n\t\n  ", "empty file"),
    "truncated.txt.gz": (_gzip_of(STORY * 50)[:-30], "truncated gzip"),
    "corrupt.jsonl.gz": (_gzip_of(STORY * 50)[:12] + b"\xff" * 40, "corrupt gzip"),
    "odd.txt": (b"\xff\xfeA\x00B", "not valid UTF-16 (1 invalid byte)"),
    "broken.json": (b'{"title": ', "not valid JSON (line 1: Expecting value)"),
    "allbad.jsonl": (b"nope\n", "not valid JSON (line 1: Expecting value)"),
    "empty.json": (b"[]", "no records"),
    "notext.csv": (
        b"name,price\nwidget,3\n",
        "no title or body column (its columns: name, price; name the text's with --map "
        "body=COLUMN)",
    ),
    "garbage.xml": (b"<?xml version='1.0'?><config><a>1</b></config>", "not a valid feed"),
    "empty-feed.rss": (
        b"<rss version='2.0'><channel><title>T</title></channel></rss>",
        "no entries",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_yields_one_skip_and_the_good_file_still_reads(tmp_path, name):
    data, reason = BAD_FILES[name]
    bad = write(tmp_path / name, data)
    good = write(tmp_path / "zz-good.txt", STORY)
    results = read(tmp_path)
    assert len(skips(results)) == 1
    (skip,) = skips(results)
    assert skip.source_file == str(bad)
    assert skip.reason.startswith(reason)
    assert [r.source_file for r in records(results)] == [str(good)]


def test_file_over_the_size_limit(tmp_path):
    big = write(tmp_path / "big.txt", "word " * 300_000)
    bomb = write(tmp_path / "bomb.txt.gz", _gzip_of("news " * 2_000_000))
    good = write(tmp_path / "good.txt", STORY)
    results = read(big, bomb, good, max_bytes=1 << 20)
    assert results[:2] == [
        Skipped(str(big), "larger than 1 MB"),
        Skipped(str(bomb), "larger than 1 MB"),
    ]
    assert records(results)[0].source_file == str(good)


def test_jsonl_bad_lines_are_skipped_one_by_one(tmp_path):
    lines = [
        '{"title": "one", "body": "1"}',
        "{broken",
        "",
        '["not", "an", "object"]',
        '{"title": "two", "body": "2"}',
    ]
    path = write(tmp_path / "mixed.jsonl", "\n".join(lines) + "\n")
    results = read(path)
    assert [r.fields["title"] for r in records(results)] == ["one", "two"]
    assert skips(results) == [
        Skipped(f"{path}:2", "not valid JSON (Expecting property name enclosed in double quotes)"),
        Skipped(f"{path}:4", "not a JSON object"),
    ]


def test_jsonl_line_over_the_limit_is_skipped_alone(tmp_path):
    lines = ['{"title": "one", "body": "1"}', json.dumps({"body": "x" * 5000}), '{"title": "t"}']
    path = write(tmp_path / "long.jsonl", "\n".join(lines))
    results = read(path, max_bytes=1000)
    assert [type(r).__name__ for r in results] == ["RawRecord", "Skipped", "RawRecord"]
    assert results[1] == Skipped(f"{path}:2", "line larger than 1000 bytes")


def test_truncated_jsonl_gz_keeps_the_records_before_the_break(tmp_path):
    lines = "".join(
        json.dumps({"title": f"t{i}", "body": f"story {i} " * 40}) + "\n" for i in range(400)
    )
    path = write(tmp_path / "cut.jsonl.gz", gzip.compress(lines.encode())[:-400])
    results = read(path)
    assert skips(results) == [Skipped(str(path), "truncated gzip")]
    assert 0 < len(records(results)) < 400


def test_unrecognised_markup_is_skipped(tmp_path):
    sgml = write(tmp_path / "reut.sgm", '<!DOCTYPE lewis SYSTEM "lewis.dtd">\n<REUTERS>\n')
    assert read(sgml) == [Skipped(str(sgml), "unrecognised format")]


# The bundled demo ---------------------------------------------------------------------------


def test_every_demo_file_reads_without_a_skip():
    results = read(DEMO)
    assert not skips(results), skips(results)
    by_kind: dict[str, int] = {}
    for record in results:
        by_kind[record.kind] = by_kind.get(record.kind, 0) + 1
    assert by_kind["text"] >= 10 and by_kind["html"] >= 6 and by_kind["fields"] >= 26


def test_demo_has_every_format_and_stays_small():
    files = [p for p in DEMO.rglob("*") if p.is_file()]
    suffixes = {"".join(p.suffixes[-2:]) if p.suffix == ".gz" else p.suffix for p in files}
    assert {".txt", ".html", ".jsonl", ".csv", ".xml", ".atom", ".json", ".txt.gz"} <= suffixes
    assert sum(p.stat().st_size for p in files) < 300_000


# Encodings and skip reasons ------------------------------------------------------------------

TEXT = "Zürich café: Müller said the £5 levy would rise.\n\nA second paragraph follows."
ROWS = [{"title": "Café opens", "body": "Müller said £5."}, {"title": "Zwei", "body": "Straße."}]
JSONL = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in ROWS)
CSV = "title,body\nCafé opens,Müller said £5.\nZwei,Straße.\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
@pytest.mark.parametrize(("suffix", "content"), [(".txt", TEXT), (".jsonl", JSONL), (".csv", CSV)])
def test_utf16_with_and_without_bom_reads_as_text(tmp_path, encoding, suffix, content):
    path = write(tmp_path / f"story{suffix}", content.encode(encoding))
    results = read(path)
    assert not skips(results)
    if suffix == ".txt":
        assert [r.data for r in results] == [TEXT]
    else:
        assert [r.fields["title"] for r in results] == ["Café opens", "Zwei"]
        assert results[0].fields["body"] == "Müller said £5."


def test_page_in_utf16_without_bom():
    from search.extract.html import decode

    page = "<html><body><p>Zürich café Müller</p></body></html>"
    assert decode(page.encode("utf-16-le")) == page


DAMAGED = "Z\u00fcrich".encode() + b" prices \xc3( rose"


@pytest.mark.parametrize(
    ("name", "data", "where"),
    [
        ("damaged.txt", b"Headline\n\n" + DAMAGED, ""),
        (
            "damaged.jsonl",
            b'{"title": "A", "body": "ok"}\n{"title": "B", "body": "' + DAMAGED + b'"}\n',
            ":2",
        ),
        ("damaged.csv", b"title,body\nA,ok\nB," + DAMAGED + b"\n", ":3"),
    ],
)
def test_damaged_utf8_is_reported_where_it_is_not_indexed_as_mojibake(tmp_path, name, data, where):
    path = write(tmp_path / name, data)
    results = read(path)
    assert skips(results) == [Skipped(f"{path}{where}", "not valid UTF-8 (1 invalid byte)")]
    for record in records(results):
        assert "Ã" not in json.dumps(record.fields, ensure_ascii=False) + str(record.data)


def test_western_legacy_text_is_cp1252_and_cyrillic_is_detected(tmp_path):
    latin = write(
        tmp_path / "latin.txt", "Headline\n\nMüller paid £5 for the café.".encode("latin-1")
    )
    cyrillic = write(
        tmp_path / "ru.txt", "Заголовок\n\nВ Бузулуке открыли новую школу.".encode("cp1251")
    )
    (western,), (russian,) = read(latin), read(cyrillic)
    assert western.data.endswith("Müller paid £5 for the café.")
    assert russian.data.endswith("В Бузулуке открыли новую школу.")


def test_a_file_named_gz_that_is_not_gzip(tmp_path):
    path = write(tmp_path / "export.jsonl.gz", '{"title": "A", "body": "B"}\n')
    assert read(path) == [Skipped(str(path), "not gzip (the name ends in .gz)")]


def test_a_record_without_text_is_skipped_with_its_line_or_item(tmp_path):
    from search.extract import extract_or_skip

    jsonl = write(
        tmp_path / "a.jsonl", '{"title": "A", "body": "B"}\n{"url": "https://x.example/1"}\n'
    )
    rss = write(
        tmp_path / "feed.rss",
        RSS.replace("<title>Relative</title>", "").replace(
            "<description>&lt;p&gt;Hello&lt;/p&gt;</description>", ""
        ),
    )
    skipped = [s for s in map(extract_or_skip, read(jsonl, rss)) if isinstance(s, Skipped)]
    assert skipped == [
        Skipped(f"{jsonl}:2", "no article text"),
        Skipped(f"{rss}, item 1 (id n1)", "no article text"),
    ]


def test_a_feed_skip_names_the_item_by_its_place_in_the_feed(tmp_path):
    """An entry with nothing but a date is item 2 of the feed, and the next one item 3: a
    reader counting the feed's items finds the one named."""
    from search.extract import extract_or_skip

    item = "<item><title>{}</title><description>{}</description><guid>{}</guid></item>"
    rss = write(
        tmp_path / "gaps.rss",
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Desk</title>"
        + item.format("Ferry timetable changes", "The ferry will sail hourly.", "a1")
        + "<item><pubDate>Mon, 02 Dec 2024 10:00:00 GMT</pubDate></item>"
        + item.format("-", "", "a3")
        + item.format("Council approves bridge budget", "The council approved it.", "a4")
        + "</channel></rss>",
    )
    results = list(map(extract_or_skip, read(rss)))
    assert skips(results) == [
        Skipped(f"{rss}, item 2", "no article text"),
        Skipped(f"{rss}, item 3 (id a3)", "no article text"),
    ]
    assert [r.id for r in results if not isinstance(r, Skipped)] == ["a1", "a4"]


def test_a_record_of_dashes_and_dots_is_no_article_whatever_its_format(tmp_path):
    from search.extract import extract_or_skip

    text = write(tmp_path / "dash.txt", "  —  \n\n…\n")
    csv_file = write(tmp_path / "rows.csv", "id,title,body\nc1,—,...\nc2,Real title,\n")
    jsonl = write(tmp_path / "rows.jsonl", json.dumps({"id": "j1", "title": "•", "body": "– –"}))
    rss = write(tmp_path / "feed.rss", RSS.replace("<title>Relative</title>", "<title>-</title>"))
    rss = write(rss, rss.read_text().replace("&lt;p&gt;Hello&lt;/p&gt;", "&lt;p&gt;…&lt;/p&gt;"))
    results = list(map(extract_or_skip, read(text, csv_file, jsonl, rss)))
    assert skips(results) == [
        Skipped(str(text), "no article text"),
        Skipped(f"{csv_file}:2", "no article text"),
        Skipped(f"{jsonl}:1", "no article text"),
        Skipped(f"{rss}, item 1 (id n1)", "no article text"),
    ]
    (headline_only,) = [r for r in results if not isinstance(r, Skipped)]
    assert (headline_only.title, headline_only.word_count) == ("Real title", 0)
