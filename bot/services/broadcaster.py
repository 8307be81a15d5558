"""The delivery engine: sends every running broadcast to its recipients at one shared pace, exactly once.

Telegram is reached only through an injected `deliver(delivery) -> Outcome`, so this module knows nothing of
aiogram and its tests run with an in-memory deliver function.

- Every send first passes the bot's one shared pace (`bot.services.pace`) at bulk priority: the global rate
  (BROADCAST_RATE), the per-chat limit, and any 429 pause. Replies and notifications pass the same pace
  with a higher priority, so broadcasts slow down to leave them room.
- Recipients are paged from the database by keyset and at most `concurrency` are in flight, so memory stays
  flat whatever the audience.
- Each recipient row is committed `sending` right before the API call and to its outcome right after it; a
  crash leaves at most the rows in flight `sending`, which `resume()` turns `ambiguous` and never resends.
  A call whose answer was lost (a timeout: Telegram may have delivered it) is `ambiguous` at once, likewise.
- A write that fails (disk full, database error) pauses the broadcast instead of skipping rows: the run stops,
  what it could not record is kept in memory and written first when it resumes, the sender's progress
  message says why, and the engine tries again every `pause_retry` seconds (and at every start).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.db import broadcasts as store
from bot.db.broadcasts import Content, Counts, Recipient
from bot.db.connection import Database
from bot.db.errors import STORAGE_ERRORS, fault_kind, make_room
from bot.services.pace import Clock, MemoryPace, Pace, Priority, SystemClock

__all__ = ["Clock", "MemoryPace", "Pace", "SystemClock"]

log = logging.getLogger(__name__)


# What one API call came to, as the Telegram adapter reports it.
@dataclass(frozen=True)
class Sent:
    pass


@dataclass(frozen=True)
class Blocked:
    """403: the user blocked the bot or the account is gone."""


@dataclass(frozen=True)
class RetryAfter:
    """429: Telegram asks every sender of this bot to wait."""

    seconds: float


@dataclass(frozen=True)
class TransientError:
    """5xx, network error or timeout: worth trying again later."""

    reason: str


@dataclass(frozen=True)
class PermanentError:
    """Any other 400-type refusal: trying again would fail the same way."""

    reason: str


@dataclass(frozen=True)
class Unknown:
    """The request went out but its answer never came (a timeout): Telegram may have delivered it."""

    reason: str


Outcome = Sent | Blocked | RetryAfter | TransientError | PermanentError | Unknown


@dataclass(frozen=True)
class Delivery:
    broadcast_id: int
    user_id: int
    content: Content
    locale: str = ""  # the recipient's language: the header and buttons around the content speak it


Deliver = Callable[[Delivery], Awaitable[Outcome]]


@dataclass(frozen=True)
class Progress:
    """A snapshot for the sender: counts, messages per second in this run, seconds to finish (None: unknown).

    `paused` names why a running broadcast stopped sending for now ("disk_full", "database"), else None."""

    broadcast_id: int
    status: str
    total: int
    counts: Counts
    rate: float
    eta: float | None
    paused: str | None = None


ProgressCallback = Callable[[Progress], Awaitable[None]]


@dataclass(frozen=True)
class EngineSettings:
    page_size: int = 200
    concurrency: int = 4  # rows in flight per broadcast: also the most a crash can leave ambiguous
    max_attempts: int = 4  # tries of one row on transient errors before it is failed
    backoff_base: float = 1.0  # seconds before the 2nd try; doubled for each further one
    backoff_max: float = 60.0
    progress_interval: float = 5.0
    schedule_poll: float = 5.0  # how often due scheduled broadcasts are looked for
    pause_retry: float = 60.0  # seconds between tries to resume a broadcast paused by a failed write


@dataclass
class _Run:
    broadcast_id: int
    content: dict[str, Content]
    fallback: Content
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    settled: asyncio.Event = field(default_factory=asyncio.Event)  # no row of this run is in flight any more
    cancelled: bool = False
    task: asyncio.Task[None] | None = None
    started_at: float = 0.0  # clock time this run began, for the rate
    done_before: int = 0  # rows already settled when it began (a resumed broadcast)
    last_report: float = float("-inf")
    fault: str | None = None  # why a write failed: the run pauses instead of going on


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Broadcaster:
    """Runs broadcasts: starts, resumes, schedules and cancels them, and reports their progress."""

    def __init__(
        self,
        db: Database,
        deliver: Deliver,
        pace: Pace,
        *,
        default_locale: str,
        on_progress: ProgressCallback | None = None,
        settings: EngineSettings | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._db = db
        self._deliver = deliver
        self._pace = pace
        self._default_locale = default_locale
        self._on_progress = on_progress
        self._settings = settings or EngineSettings()
        self._clock = clock or SystemClock()
        self._runs: dict[int, _Run] = {}
        # Broadcasts paused by a failed write: when to try again, and the row outcomes still to record.
        self._paused: dict[int, float] = {}
        self._unrecorded: dict[int, list[tuple[int, str, str | None]]] = {}

    # --- lifecycle -----------------------------------------------------------------------------------------

    async def resume(self) -> int:
        """At process start: settle rows left in flight by a crash, then go on with every running broadcast.

        Returns how many rows became ambiguous."""
        if (
            self._runs
        ):  # rows of a live run are `sending` for real: only a fresh engine may call them ambiguous
            raise RuntimeError("resume() needs an engine with no broadcast running")
        ambiguous = await store.mark_ambiguous(self._db)
        if ambiguous:
            log.warning("broadcast.ambiguous", extra={"rows": ambiguous})
        for broadcast_id in await store.running_broadcasts(self._db):
            await self._launch(broadcast_id)
        return ambiguous

    async def run_forever(self) -> None:
        """The background task: resume, then start scheduled broadcasts when they fall due and retry paused
        ones. A database that fails here (a full disk) is waited out, not a crash of the loop."""
        await self.resume()
        while True:
            try:
                await self.resume_paused()
                await self.start_due()
            except Exception:
                log.exception("broadcast.schedule_failed")
            await self._clock.sleep(self._settings.schedule_poll)

    @property
    def paused(self) -> list[int]:
        return list(self._paused)

    async def resume_paused(self, force: bool = False) -> list[int]:
        """Go on with broadcasts paused by a failed write whose retry time has come (all, with `force`)."""
        resumed = []
        for broadcast_id, at in list(self._paused.items()):
            if (force or self._clock.now() >= at) and broadcast_id not in self._runs:
                try:
                    await make_room(self._db)
                    await self._record_leftovers(broadcast_id)
                except STORAGE_ERRORS as error:
                    self._paused[broadcast_id] = self._clock.now() + self._settings.pause_retry
                    log.warning(
                        "broadcast.still_paused",
                        extra={"broadcast_id": broadcast_id, "reason": fault_kind(error), "error": str(error)},
                    )
                    continue
                del self._paused[broadcast_id]
                log.info("broadcast.resumed", extra={"broadcast_id": broadcast_id})
                await self._launch(broadcast_id)
                resumed.append(broadcast_id)
        return resumed

    async def _record_leftovers(self, broadcast_id: int) -> None:
        """Write the outcomes a failed write left in memory, each as the state step it would have been."""
        rows = self._unrecorded.get(broadcast_id, [])
        while rows:
            user_id, target, error = rows[0]
            await self._settle_row(broadcast_id, user_id, target, error)
            rows.pop(0)
        self._unrecorded.pop(broadcast_id, None)

    async def _settle_row(self, broadcast_id: int, user_id: int, target: str, error: str | None) -> None:
        match target:
            case "sent":
                await store.mark_sent(self._db, broadcast_id, user_id)
            case "blocked":
                await store.mark_blocked(self._db, broadcast_id, user_id)
            case "failed":
                await store.mark_failed(self._db, broadcast_id, user_id, error or "")
            case "ambiguous":
                await store.mark_lost(self._db, broadcast_id, user_id, error or "")
            case _:
                await store.mark_retry(self._db, broadcast_id, user_id, error or "")

    async def start_due(self) -> list[int]:
        started = []
        for broadcast_id in await store.due_broadcasts(self._db, _utcnow()):
            if await self.start(broadcast_id):
                started.append(broadcast_id)
        return started

    async def start(self, broadcast_id: int) -> bool:
        """Write the recipients of a scheduled broadcast and start sending; False if it was not scheduled."""
        total = await store.start_broadcast(self._db, broadcast_id, _utcnow(), self._default_locale)
        if total is None:
            return False
        log.info("broadcast.started", extra={"broadcast_id": broadcast_id, "total": total})
        await self._launch(broadcast_id)
        return True

    async def cancel(self, broadcast_id: int) -> bool:
        """Stop a scheduled or running broadcast; rows in flight finish, the rest stay unsent."""
        if not await store.cancel_broadcast(self._db, broadcast_id, _utcnow()):
            return False
        log.info("broadcast.cancelled", extra={"broadcast_id": broadcast_id})
        run = self._runs.get(broadcast_id)
        if run is not None:
            run.cancelled = True
            run.stop.set()
        self._paused.pop(broadcast_id, None)
        return True

    async def wait(self, broadcast_id: int) -> None:
        """Until the broadcast's run in this process ends (at once if there is none)."""
        run = self._runs.get(broadcast_id)
        if run is not None and run.task is not None:
            await asyncio.shield(run.task)

    async def shutdown(self) -> None:
        """Let rows in flight finish, so a planned restart leaves nothing ambiguous; broadcasts stay running."""
        runs = list(self._runs.values())
        for run in runs:
            run.stop.set()
        await asyncio.gather(*(run.settled.wait() for run in runs))
        tasks = [run.task for run in runs if run.task is not None]
        for task in tasks:  # what is left is a final progress report: not worth holding a shutdown for
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    @property
    def active(self) -> list[int]:
        return list(self._runs)

    # --- one broadcast -------------------------------------------------------------------------------------

    async def _launch(self, broadcast_id: int) -> None:
        if broadcast_id in self._runs:
            return
        info = await store.get_broadcast(self._db, broadcast_id)
        versions = await store.get_versions(self._db, broadcast_id)
        if info is None or info.sender_locale not in versions:
            log.error("broadcast.unreadable", extra={"broadcast_id": broadcast_id})
            return
        run = _Run(broadcast_id, versions, versions[info.sender_locale])
        self._runs[broadcast_id] = run
        run.task = asyncio.create_task(self._run(run, info.total or 0), name=f"broadcast-{broadcast_id}")

    async def _run(self, run: _Run, total: int) -> None:
        try:
            if not await self._send_and_settle(run, total):
                return
            if run.fault is not None:  # paused: the sender hears why at once
                await self._report(run, total)
            elif run.cancelled or not run.stop.is_set():
                # The last word, still no sooner than `progress_interval` after the previous one.
                await self._clock.sleep(
                    run.last_report + self._settings.progress_interval - self._clock.now()
                )
                await self._report(run, total)
        finally:
            del self._runs[run.broadcast_id]

    async def _send_and_settle(self, run: _Run, total: int) -> bool:
        """Send until done or stopped, with progress reports meanwhile; False if the database failed."""
        reporter = None
        try:
            run.started_at = self._clock.now()
            run.done_before = (await store.state_counts(self._db, run.broadcast_id)).done
            reporter = asyncio.create_task(self._report_while_running(run, total))
            await self._send_all(run)
            if not run.stop.is_set():
                try:
                    finished = await store.finish_broadcast(self._db, run.broadcast_id, _utcnow())
                except STORAGE_ERRORS as error:
                    self._pause(run, error)
                else:
                    if finished:
                        log.info("broadcast.finished", extra={"broadcast_id": run.broadcast_id})
            return True
        except STORAGE_ERRORS as error:  # a read failed under us: paused like a failed write
            self._pause(run, error)
            return True
        finally:
            if reporter is not None:
                reporter.cancel()
            run.settled.set()

    async def _send_all(self, run: _Run) -> None:
        """Page pending rows and hand each to a sender task, with at most `concurrency` in flight."""
        slots = asyncio.Semaphore(self._settings.concurrency)
        in_flight: set[asyncio.Task[None]] = set()
        cursor = 0
        while not run.stop.is_set():
            try:
                page = await store.pending_page(self._db, run.broadcast_id, cursor, self._settings.page_size)
            except STORAGE_ERRORS as error:
                self._pause(run, error)
                break
            if not page:
                break
            for recipient in page:
                await slots.acquire()
                if run.stop.is_set():
                    slots.release()
                    break
                task = asyncio.create_task(self._send_one(run, recipient))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
                task.add_done_callback(lambda _: slots.release())
            cursor = page[-1].user_id
        await asyncio.gather(*in_flight)

    def _pause(self, run: _Run, error: BaseException) -> None:
        """A write failed: stop this run, keep the broadcast running in the database, retry later."""
        if run.fault is None:
            run.fault = fault_kind(error)
            log.error(
                "broadcast.paused",
                extra={"broadcast_id": run.broadcast_id, "reason": run.fault, "error": type(error).__name__},
            )
        self._paused[run.broadcast_id] = self._clock.now() + self._settings.pause_retry
        run.stop.set()

    async def _send_one(self, run: _Run, recipient: Recipient) -> None:
        """Deliver to one recipient, the row committed around every try; a failed write pauses the run."""
        bid, uid = run.broadcast_id, recipient.user_id
        outcome: tuple[str, str | None] | None = None  # what the row is to become, once known
        try:
            outcome = await self._deliver_row(run, recipient)
            if outcome is not None:
                await self._settle_row(bid, uid, *outcome)
        except STORAGE_ERRORS as error:
            if outcome is not None:  # Telegram answered but the answer could not be written: kept for later
                self._unrecorded.setdefault(bid, []).append((uid, *outcome))
            self._pause(run, error)

    async def _deliver_row(self, run: _Run, recipient: Recipient) -> tuple[str, str | None] | None:
        """Send until there is an outcome to record; None if there is nothing to record (the row is not
        ours, or the run stopped before a try)."""
        bid, uid = run.broadcast_id, recipient.user_id
        delivery = Delivery(bid, uid, run.content.get(recipient.locale, run.fallback), recipient.locale)
        failures = 0
        sending = False
        while True:
            if not await self._unless_stopped(run, self._pace.acquire(uid, Priority.BULK)):
                return ("pending", "stopped") if sending else None  # stopped in a 429 pause: not delivered
            if not sending:
                if not await store.mark_sending(self._db, bid, uid):
                    return None
                sending = True
            match await self._try(delivery):
                case Sent():
                    return ("sent", None)
                case Blocked():
                    return ("blocked", None)
                case PermanentError(reason):
                    return ("failed", reason)
                case Unknown(reason):  # maybe delivered: never sent again, counted as ambiguous
                    log.warning("broadcast.answer_lost", extra={"broadcast_id": bid, "user_id": uid})
                    return ("ambiguous", reason)
                case RetryAfter(seconds):  # the same row goes again once the pause is over
                    log.warning("broadcast.retry_after", extra={"broadcast_id": bid, "seconds": seconds})
                    await self._pace.penalise(seconds)
                case TransientError(reason):
                    failures += 1
                    if failures >= self._settings.max_attempts:
                        return ("failed", reason)
                    try:
                        await store.mark_retry(self._db, bid, uid, reason)
                    except STORAGE_ERRORS:
                        self._unrecorded.setdefault(bid, []).append((uid, "pending", reason))
                        raise
                    sending = False
                    if not await self._unless_stopped(run, self._clock.sleep(self._backoff(failures))):
                        return None

    @staticmethod
    async def _unless_stopped(run: _Run, waiting: Coroutine[Any, Any, None]) -> bool:
        """Await `waiting` unless the run is stopped first (a long 429 pause must not hold up a shutdown)."""
        work = asyncio.ensure_future(waiting)
        stopped = asyncio.ensure_future(run.stop.wait())
        done, _ = await asyncio.wait({work, stopped}, return_when=asyncio.FIRST_COMPLETED)
        work.cancel()
        stopped.cancel()
        if work in done:
            work.result()  # a wait that failed must say so, not pass for a wait that ended
        return work in done and not run.stop.is_set()

    async def _try(self, delivery: Delivery) -> Outcome:
        """One API call; an exception the adapter did not map is treated as transient, never as a crash."""
        try:
            return await self._deliver(delivery)
        except Exception as error:  # the broadcast must survive one bad call
            log.exception("broadcast.deliver_error", extra={"broadcast_id": delivery.broadcast_id})
            return TransientError(type(error).__name__)

    def _backoff(self, attempt: int) -> float:
        return min(self._settings.backoff_max, self._settings.backoff_base * 2 ** (attempt - 1))

    # --- progress ------------------------------------------------------------------------------------------

    async def _report_while_running(self, run: _Run, total: int) -> None:
        while True:
            await self._report(run, total)
            await self._clock.sleep(self._settings.progress_interval)

    async def _report(self, run: _Run, total: int) -> None:
        if self._on_progress is None:
            return
        try:
            info = await store.get_broadcast(self._db, run.broadcast_id)
        except STORAGE_ERRORS:  # the database is failing: the next report will tell
            log.exception("broadcast.progress_unreadable", extra={"broadcast_id": run.broadcast_id})
            return
        if info is None:
            return
        run.last_report = self._clock.now()
        elapsed = run.last_report - run.started_at
        rate = (info.counts.done - run.done_before) / elapsed if elapsed > 0 else 0.0
        eta = info.counts.left / rate if rate > 0 else (0.0 if info.counts.left == 0 else None)
        progress = Progress(run.broadcast_id, info.status, total, info.counts, rate, eta, run.fault)
        try:
            await self._on_progress(progress)
        except Exception:  # a failed progress edit must not stop the broadcast
            log.exception("broadcast.progress_error", extra={"broadcast_id": run.broadcast_id})
        run.last_report = self._clock.now()  # when the edit went: it may have waited out a 429 in the pace
