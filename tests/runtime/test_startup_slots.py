"""Start-up slots (runtime.bots.startup_slots): at most N holders at once, a waiter gets the
slot a holder gives back, a holder that is killed or holds too long frees its slot, a waiter
told to stop gives up, and 0 slots hold nothing."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from runtime.bots.startup_slots import SLOT_DIR, StartupSlot

WAIT_S = 30.0  # a generous bound on what should happen at once; never the expected time


def _take_in_thread(folder: Path, slots: int, stop: threading.Event,
                    hold_s: float = 60.0) -> tuple[threading.Thread, list[StartupSlot]]:
    got: list[StartupSlot] = []
    thread = threading.Thread(
        target=lambda: got.append(StartupSlot.take(folder, slots, stop, hold_s=hold_s)),
        daemon=True)
    thread.start()
    return thread, got


def test_at_most_n_hold_a_slot_and_a_waiter_gets_the_one_given_back(tmp_path: Path) -> None:
    stop = threading.Event()
    first = StartupSlot.take(tmp_path, 2, stop, hold_s=60)
    second = StartupSlot.take(tmp_path, 2, stop, hold_s=60)
    assert first.held and second.held and {first.index, second.index} == {0, 1}
    thread, got = _take_in_thread(tmp_path, 2, stop)
    thread.join(0.3)
    assert thread.is_alive() and not got  # both slots are taken: it waits
    second.release()
    thread.join(WAIT_S)
    assert got and got[0].held and got[0].index == second.index
    second.release()  # idempotent
    for slot in (first, got[0]):
        slot.release()
    assert (tmp_path / SLOT_DIR).is_dir()


def test_a_waiter_told_to_stop_gives_up_holding_nothing(tmp_path: Path) -> None:
    stop = threading.Event()
    holder = StartupSlot.take(tmp_path, 1, stop, hold_s=60)
    waiting = threading.Event()
    thread, got = _take_in_thread(tmp_path, 1, waiting)
    thread.join(0.2)
    assert thread.is_alive()
    waiting.set()
    thread.join(WAIT_S)
    assert got and not got[0].held
    holder.release()


def test_a_slot_held_too_long_is_given_back(tmp_path: Path) -> None:
    stop = threading.Event()
    slow = StartupSlot.take(tmp_path, 1, stop, hold_s=0.2)
    assert slow.held
    thread, got = _take_in_thread(tmp_path, 1, stop)
    thread.join(WAIT_S)  # the first holder's 0.2 s run out
    assert got and got[0].held
    assert not slow.held
    got[0].release()


def test_release_after_gives_the_slot_back_within_that_time(tmp_path: Path) -> None:
    stop = threading.Event()
    slot = StartupSlot.take(tmp_path, 1, stop, hold_s=60)
    slot.release_after(0.1)
    again = StartupSlot.take(tmp_path, 1, stop, hold_s=60)  # waits at most ~0.1 s
    assert again.held and not slot.held
    again.release()
    again.release_after(0.1)  # nothing held: nothing to do


def test_a_killed_holder_frees_its_slot(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, threading; from pathlib import Path; "
         "from runtime.bots.startup_slots import StartupSlot; "
         f"s = StartupSlot.take(Path({str(tmp_path)!r}), 1, threading.Event(), hold_s=600); "
         "print(s.held, flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parents[2])
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "True"
        stop = threading.Event()
        thread, got = _take_in_thread(tmp_path, 1, stop)
        thread.join(0.2)
        assert thread.is_alive()  # the other process holds the only slot
        holder.kill()
        holder.wait()
        thread.join(WAIT_S)
        assert got and got[0].held
        got[0].release()
    finally:
        holder.kill()
        holder.wait()


def test_no_slots_means_no_limit(tmp_path: Path) -> None:
    stop = threading.Event()
    slots = [StartupSlot.take(tmp_path, 0, stop) for _ in range(5)]
    assert not any(s.held for s in slots)
    assert not (tmp_path / SLOT_DIR).exists()


def test_a_waiter_queued_at_the_turnstile_gives_up_and_leaves_it_free(tmp_path: Path) -> None:
    """Only one waiter looks for a slot; the others queue at the turnstile. One of those told
    to stop gives up at once, and the turnstile is not left held: the next bots get through."""
    never = threading.Event()
    holder = StartupSlot.take(tmp_path, 1, never, hold_s=60)
    first, got_first = _take_in_thread(tmp_path, 1, never)  # through, looking for a slot
    queued_stop = threading.Event()
    queued, got_queued = _take_in_thread(tmp_path, 1, queued_stop)  # at the turnstile
    queued.join(0.3)
    assert queued.is_alive() and first.is_alive()
    queued_stop.set()
    queued.join(WAIT_S)
    assert got_queued and not got_queued[0].held
    holder.release()
    first.join(WAIT_S)
    assert got_first and got_first[0].held
    got_first[0].release()
    again = StartupSlot.take(tmp_path, 1, never, hold_s=60)
    assert again.held
    again.release()
