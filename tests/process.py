"""Running `python -m bot` as a real process against the fake Telegram, for restart and crash tests."""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import sys
from pathlib import Path

from bot.devtools.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def bound_by_file_modes() -> None:
    """Run in a child before exec: as root, drop the powers to ignore file modes, so a read-only file is
    read-only for the bot as it is for any service user (a no-op for a normal user)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


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
            "WEB_LISTEN": "",  # no console, no fixed port, unless a test asks for one
            **env,
        }
        self.process: asyncio.subprocess.Process | None = None
        self.log_path = workdir / "bot.log"

    async def start(self, timeout: float = 60) -> None:
        log_before = len(self.log())
        log = self.log_path.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=self.workdir, env=self.env, stdout=log, stderr=log
        )
        log.close()
        await self.tg.wait_for(
            # logged once commands are registered, loops run and SIGTERM is handled; then polling starts
            lambda: "bot.started" in self.log()[log_before:] or self.process.returncode is not None,
            timeout=timeout,  # a loaded machine (several test runs at once) takes that long to import and start
        )
        assert self.process.returncode is None, self.log()

    async def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 20) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(sig)
        return await asyncio.wait_for(self.process.wait(), timeout)

    async def run_to_exit(self, timeout: float = 60) -> tuple[int, list[str]]:
        """Run until the process ends by itself (a start that fails): its exit code and stderr lines.

        File modes bind it even when the tests run as root. A process still running after `timeout` hangs:
        it is killed and the test fails."""
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=self.workdir, env=self.env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE, preexec_fn=bound_by_file_modes,
        )
        try:
            _, stderr = await asyncio.wait_for(process.communicate(), timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise AssertionError(f"python -m bot still running after {timeout} s: it hangs") from None
        return process.returncode, stderr.decode(errors="replace").splitlines()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
