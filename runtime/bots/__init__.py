"""Deployed bots: one worker process per deployment, watched by one supervisor per data directory.

* `runtime.bots.config` — what the supervisor tells a bot (`config.json`, the key variables);
* `runtime.bots.journal` — what a bot tells the supervisor (`events.jsonl` as typed events,
  `heartbeat.json`, exit codes);
* `runtime.bots.ingest` — the supervisor copying a bot's journal and heartbeat into the database;
* `runtime.bots.venue_host` — finding, or starting, the local paper venue bots trade on;
* `runtime.bots.venue_process` — that venue as a process of its own, the supervisor's child;
* `runtime.bots.supervisor` — the supervisor process and its loop;
* `runtime.bots.controls` — what clients (API, CLI) call: start, stop and ask the supervisor;
* `runtime.bots.live_worker` — the bot process itself;
* `runtime.bots.launcher` — the warm process bots are forked from;
* `runtime.bots.import_policy` — the libraries a bot process does not load (pyarrow);
* `runtime.bots.startup_slots` — how many bots may be starting at once (off by default).

Import the submodules by their full path; this package re-exports nothing.
"""
