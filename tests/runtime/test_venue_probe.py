"""`known_venue` tells a venue that is slow to answer (an embedded venue serving many bots) from
one that is not running: the service waits longer than the default probe before it says the
venue is not running."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from conftest import make_settings

from runtime.bots.venue_host import ENDPOINT_FILE, known_venue, venue_credentials, venue_root

ANSWER_AFTER_S = 0.6


class _SlowClock(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        time.sleep(ANSWER_AFTER_S)  # the far end being busy, not the test waiting
        body = json.dumps({"is_open": False}).encode()
        self.send_response(200 if self.path == "/v2/clock" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_busy_venue_is_found_by_a_caller_that_waits_and_missed_by_a_quick_probe(
        tmp_path: Path, sample_market_dir: Path) -> None:
    settings = make_settings(tmp_path, sample_market_dir)
    venue_credentials(settings)  # the data directory's venue keys, as the supervisor makes them
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowClock)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        (venue_root(settings) / ENDPOINT_FILE).write_text(json.dumps({"url": url}))
        assert known_venue(settings, timeout_s=ANSWER_AFTER_S / 3) is None
        found = known_venue(settings, timeout_s=ANSWER_AFTER_S * 10)
        assert found is not None and found.url == url
    finally:
        server.shutdown()
        server.server_close()
