"""Settings: defaults, and one clear line for each missing or malformed setting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:TEST-token"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("BOT_TOKEN", "BOT_API_URL", "DATABASE_PATH", "ADMIN_IDS", "BROADCAST_RATE", "DEFAULT_LOCALE",
                 "WEBHOOK_URL", "WEBHOOK_SECRET", "WEBHOOK_LISTEN", "COORDINATOR_CHAT_ID", "RETENTION_DAYS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    settings = load_settings()
    assert settings.bot_token.get_secret_value() == TOKEN
    assert settings.bot_api_url == "https://api.telegram.org"
    assert settings.database_path == Path("data/koldoo.sqlite3")
    assert settings.admin_ids == []
    assert settings.broadcast_rate == 25
    assert settings.default_locale == "ru"
    assert settings.webhook_url is None


def test_values_from_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"BOT_TOKEN={TOKEN}\nADMIN_IDS=1, 2,3\nDEFAULT_LOCALE=ky\n")
    monkeypatch.setenv("BROADCAST_RATE", "20")
    settings = load_settings()
    assert settings.admin_ids == [1, 2, 3]
    assert settings.default_locale == "ky"
    assert settings.broadcast_rate == 20


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "BOT_TOKEN is not set"),
        ({"BOT_TOKEN": ""}, "BOT_TOKEN is not set"),
        ({"BOT_TOKEN": "nonsense"}, "BOT_TOKEN is invalid"),
        ({"BOT_TOKEN": "123456:replace-with-your-token"}, "BOT_TOKEN is invalid: the placeholder from .env.example"),
        ({"BOT_TOKEN": TOKEN, "ADMIN_IDS": "12,abc"}, "ADMIN_IDS is invalid"),
        ({"BOT_TOKEN": TOKEN, "BROADCAST_RATE": "fast"}, "BROADCAST_RATE is invalid"),
        ({"BOT_TOKEN": TOKEN, "BROADCAST_RATE": "100"}, "BROADCAST_RATE is invalid"),
        ({"BOT_TOKEN": TOKEN, "DEFAULT_LOCALE": "de"}, "DEFAULT_LOCALE is invalid"),
        ({"BOT_TOKEN": TOKEN, "BOT_API_URL": "ftp://x"}, "BOT_API_URL is invalid"),
        ({"BOT_TOKEN": TOKEN, "WEBHOOK_URL": "https://bot.example.org/tg"}, "WEBHOOK_SECRET is required"),
        ({"BOT_TOKEN": TOKEN, "WEBHOOK_URL": "http://x.org", "WEBHOOK_SECRET": "abc"}, "WEBHOOK_URL"),
        ({"BOT_TOKEN": TOKEN, "WEBHOOK_URL": "https://x.org", "WEBHOOK_SECRET": "a b"}, "WEBHOOK_SECRET"),
        ({"BOT_TOKEN": TOKEN, "WEBHOOK_LISTEN": "8080"}, "WEBHOOK_LISTEN is invalid"),
    ],
)
def test_bad_settings_name_the_setting(monkeypatch: pytest.MonkeyPatch, env: dict, message: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_python_m_bot_exits_2_with_one_line(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "BROADCAST_RATE": "fast", "BOT_TOKEN": TOKEN}
    result = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "BROADCAST_RATE is invalid: Input should be a valid number, unable to parse string as a number"
    ]
    assert result.stdout == ""


def test_a_dotenv_that_is_not_utf8_names_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(f"BOT_TOKEN={TOKEN}\nDEFAULT_LOCALE=ky\n# Настройки\n".encode("cp1251"))
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert str(error.value) == ".env is not UTF-8 text (byte 0xcd on line 3): save it as UTF-8"


def test_a_missing_token_is_said_before_aiogram_is_imported(tmp_path: Path) -> None:
    """aiogram takes seconds to import: settings are read first, so a missing token is said at once."""
    probe = "import sys; from bot.__main__ import main; code = main([]); print(code, 'aiogram' in sys.modules)"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout.split() == ["2", "False"]
    assert result.stderr.strip().splitlines() == ["BOT_TOKEN is not set"]
