"""Running `python -m bot` as a real process against the fake Telegram, for restart and crash tests."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.devtools.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent


def _no_bare_python(workdir: Path) -> Path:
    """A PATH entry whose `python` fails: a subprocess started by name instead of `sys.executable` would run
    whatever interpreter PATH finds (not this virtualenv's), so the tests make that mistake fail loudly."""
    shims = workdir / "no-bare-python"
    shims.mkdir(exist_ok=True)
    for name in ("python", "python3"):
        shim = shims / name
        shim.write_text("#!/bin/sh\necho 'started by name, not sys.executable' >&2\nexit 127\n")
        shim.chmod(0o755)
    return shims


class BotProcess:
    def __init__(self, tg: FakeTelegram, workdir: Path, **env: str) -> None:
        self.tg = tg
        self.workdir = workdir
        self.env = {
            "PATH": f"{_no_bare_python(workdir)}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": tg.token,
            "BOT_API_URL": tg.base_url,
            **env,
        }
        self.process: asyncio.subprocess.Process | None = None
        self.log_path = workdir / "bot.log"

    async def start(self) -> None:
        started_before = len(self.tg.calls_of("setMyCommands"))
        log = self.log_path.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=self.workdir, env=self.env, stdout=log, stderr=log
        )
        log.close()
        await self.tg.wait_for(
            # commands are registered once per language and once by default, then polling starts
            lambda: len(self.tg.calls_of("setMyCommands")) >= started_before + 4 or self.process.returncode is not None,
            timeout=30,
        )
        assert self.process.returncode is None, self.log()

    async def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 20) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(sig)
        return await asyncio.wait_for(self.process.wait(), timeout)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
