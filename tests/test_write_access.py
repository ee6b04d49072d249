"""Who may write over HTTP, against a real ``newsindex serve`` (gunicorn) over loopback.

What an operator checks: without a configured token the write routes do not exist; with one,
a request without it, with another scheme or with a near miss is refused (401) and changes
nothing; the token is compared in constant time; a body over the configured size is refused
(413) whether it declares its length or arrives in chunks, and a chunked body within it is
read whole.
"""

from __future__ import annotations

import http.client
import json
import sys
from urllib.parse import urlsplit

import pytest
from conftest import BODY_LIMIT, WRITE_TOKEN
from served import serving

pytestmark = pytest.mark.reliability

PROBE_ID = "write-access-probe"


def call(
    base: str,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str | bytes] | None = None,
    chunk: int = 0,
) -> tuple[int, dict, dict]:
    """One request as any client may send it (raw header bytes allowed); ``chunk`` > 0
    sends the body with chunked transfer encoding, in pieces of that size."""
    where = urlsplit(base)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=60)
    try:
        connection.putrequest(method, path)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        if body is not None and chunk:
            connection.putheader("Transfer-Encoding", "chunked")
        elif body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders()
        if body is not None and chunk:
            for start in range(0, len(body), chunk):
                piece = body[start : start + chunk]
                connection.send(b"%x\r\n%s\r\n" % (len(piece), piece))
            connection.send(b"0\r\n\r\n")
        elif body is not None:
            connection.send(body)
        answer = connection.getresponse()
        data = answer.read()
        return answer.status, dict(answer.getheaders()), json.loads(data) if data else {}
    finally:
        connection.close()


def article(words: int = 40, article_id: str = PROBE_ID) -> bytes:
    body = " ".join(["lighthouse keeper harbour storm"] * (words // 4))
    return json.dumps({"id": article_id, "title": "Lighthouse probe", "body": body}).encode()


def bearer(token: str | bytes) -> dict[str, str | bytes]:
    return {
        "Authorization": b"Bearer " + token if isinstance(token, bytes) else f"Bearer {token}",
        "Content-Type": "application/json",
    }


def exists(base: str, article_id: str = PROBE_ID) -> bool:
    status, _, _ = call(base, "GET", f"/api/articles/{article_id}")
    assert status in (200, 404)
    return status == 200


@pytest.fixture(scope="module")
def read_only(demo_index):
    """The server with no write token configured (it never writes: the shared demo index)."""
    with serving(demo_index) as base:
        yield base


def test_without_a_configured_token_the_write_routes_do_not_exist(read_only):
    some_id = call(read_only, "GET", "/api/search?per_page=1")[2]["hits"][0]["id"]
    for headers in ({}, bearer(WRITE_TOKEN), bearer("")):
        status, _, answer = call(read_only, "POST", "/api/articles", article(), headers)
        assert (status, answer["error"]) == (404, "not_found")
        status, _, answer = call(read_only, "DELETE", f"/api/articles/{some_id}", None, headers)
        assert (status, answer["error"]) == (404, "not_found")
    assert exists(read_only, some_id) and not exists(read_only)


NEAR_MISSES = {
    "no header": None,
    "empty": "",
    "scheme only": "Bearer",
    "another scheme": f"Basic {WRITE_TOKEN}",
    "wrong": "Bearer nope",
    "a prefix": f"Bearer {WRITE_TOKEN[:-1]}",
    "one more character": f"Bearer {WRITE_TOKEN}x",
    "another case": f"Bearer {WRITE_TOKEN.upper()}",
    "the token twice": f"Bearer {WRITE_TOKEN} {WRITE_TOKEN}",
    "bytes that are not ASCII": b"Bearer \xe9\xff" + WRITE_TOKEN.encode(),
}


@pytest.mark.parametrize("authorization", NEAR_MISSES.values(), ids=NEAR_MISSES.keys())
def test_a_missing_or_wrong_token_is_401_and_writes_nothing(served_demo, authorization):
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    some_id = call(served_demo, "GET", "/api/search?per_page=1")[2]["hits"][0]["id"]
    status, sent, answer = call(served_demo, "POST", "/api/articles", article(), headers)
    assert (status, answer["error"]) == (401, "unauthorized")
    assert sent["WWW-Authenticate"].startswith("Bearer")
    status, _, answer = call(served_demo, "DELETE", f"/api/articles/{some_id}", None, headers)
    assert (status, answer["error"]) == (401, "unauthorized")
    assert exists(served_demo, some_id) and not exists(served_demo)


def test_the_token_writes_and_deletes(served_demo):
    status, _, report = call(served_demo, "POST", "/api/articles", article(), bearer(WRITE_TOKEN))
    assert status == 200 and report["indexed"] + report["updated"] == 1
    assert exists(served_demo)
    status, _, report = call(
        served_demo, "DELETE", f"/api/articles/{PROBE_ID}", None, bearer(WRITE_TOKEN)
    )
    assert status == 200 and report["deleted"] == 1
    assert not exists(served_demo)


def test_tokens_are_compared_in_constant_time(demo_index):
    """Timing is not asserted (the machine is shared); what makes it constant is: every
    compare goes through ``hmac.compare_digest``, over two digests of one length, so
    neither where a guess goes wrong nor the token's length shows in the time taken."""
    from web import create_app

    app = create_app({"INDEX": str(demo_index), "WRITE_TOKEN": WRITE_TOKEN, "TESTING": True})
    client = app.test_client()
    compared: list[tuple[int, int]] = []

    def watch(frame, event, arg):
        if event == "c_call" and getattr(arg, "__name__", "") == "compare_digest":
            compared.append(tuple(len(v) for v in frame.f_locals.values() if isinstance(v, bytes)))

    guesses = ["x", WRITE_TOKEN[:-1] + "?", WRITE_TOKEN * 8]
    sys.setprofile(watch)
    try:
        statuses = [
            client.post("/api/articles", json={}, headers={"Authorization": f"Bearer {g}"})
            for g in guesses
        ]
    finally:
        sys.setprofile(None)
    assert [s.status_code for s in statuses] == [401, 401, 401]
    assert len(compared) == len(guesses)
    assert {sizes for sizes in compared} == {(32, 32)}  # SHA-256 of each, whatever its length


@pytest.mark.parametrize("chunk", [0, 8192], ids=["declared length", "chunked"])
def test_a_body_over_the_limit_is_413_and_writes_nothing(served_demo, chunk):
    too_big = article(words=BODY_LIMIT // 6)
    assert len(too_big) > BODY_LIMIT
    status, _, answer = call(
        served_demo, "POST", "/api/articles", too_big, bearer(WRITE_TOKEN), chunk
    )
    assert (status, answer["error"]) == (413, "request_entity_too_large")
    assert not exists(served_demo)


def test_a_chunked_body_valid_only_when_cut_at_the_limit_is_413(served_demo):
    """Werkzeug cuts a chunked body at the limit; what it cut must not be read as the body."""
    valid_prefix = article()
    padded = valid_prefix + b" " * (BODY_LIMIT - len(valid_prefix)) + b', "x"]'
    status, _, answer = call(
        served_demo, "POST", "/api/articles", padded, bearer(WRITE_TOKEN), chunk=4096
    )
    assert (status, answer["error"]) == (413, "request_entity_too_large")
    assert not exists(served_demo)


def test_a_chunked_body_within_the_limit_is_read_whole(served_demo):
    body = article(words=BODY_LIMIT // 12, article_id="chunked-probe")
    assert BODY_LIMIT / 3 < len(body) < BODY_LIMIT
    status, _, report = call(
        served_demo, "POST", "/api/articles", body, bearer(WRITE_TOKEN), chunk=1000
    )
    assert status == 200 and report["indexed"] + report["updated"] == 1
    assert exists(served_demo, "chunked-probe")
    call(served_demo, "DELETE", "/api/articles/chunked-probe", None, bearer(WRITE_TOKEN))


def test_a_body_limit_that_is_not_a_number_is_refused_in_one_line(demo_index, monkeypatch):
    from click.testing import CliRunner

    from search.cli import cli

    monkeypatch.setenv("NEWSINDEX_MAX_CONTENT_LENGTH", "16MB")
    result = CliRunner().invoke(cli, ["serve", "--index", str(demo_index)])
    assert result.exit_code == 1
    assert result.output == (
        "Error: setting NEWSINDEX_MAX_CONTENT_LENGTH must be a whole number, not '16MB'\n"
    )
