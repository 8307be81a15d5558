"""Settings from the environment and `.env`, with one clear line for each mistake.

A migrant-facing bot is often set up by a volunteer, not a developer: a wrong setting must say which one and
why, never print a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent
TELEGRAM_API_URL = "https://api.telegram.org"
PLACEHOLDER_TOKEN = "123456:replace-with-your-token"  # what .env.example ships; never a real bot's token
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
DEFAULT_LISTEN = "127.0.0.1:8080"


DEFAULT_DATABASE = Path("data/koldoo.sqlite3")
_DATABASE_SCHEMES = ("sqlite", "sqlite+aiosqlite", "postgresql", "postgresql+asyncpg", "postgres")


class DatabaseSettings(BaseSettings):
    """What operator tools (migrate, backup, restore, user-data) need: no token, just the database.

    DATABASE_URL names the database (`sqlite:///data/koldoo.sqlite3`, `postgresql://user:pass@host/db`);
    DATABASE_PATH, the older setting, names a SQLite file and is read when DATABASE_URL is not set. After
    validation `database_url` is always set, and `database_path` is the SQLite file (None on PostgreSQL).
    """

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", env_ignore_empty=True, extra="ignore"
    )

    database_url: str = ""
    database_path: Path | None = None

    @field_validator("database_url")
    @classmethod
    def _database_scheme(cls, value: str) -> str:
        if not value:
            return value
        scheme = value.partition("://")[0].lower()
        if "://" not in value or scheme not in _DATABASE_SCHEMES:
            raise ValueError("must start with sqlite:/// (a file) or postgresql:// (user:password@host/database)")
        if scheme == "postgres":
            value = "postgresql" + value[len(scheme):]
        return value

    @model_validator(mode="after")
    def _one_database(self) -> DatabaseSettings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.database_path or DEFAULT_DATABASE}"
        if self.database_url.startswith("sqlite"):
            database = self.database_url.partition("://")[2].removeprefix("/")
            self.database_path = Path(database) if database else Path(":memory:")
        else:
            self.database_path = None
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_path is not None


class Settings(DatabaseSettings):
    bot_token: SecretStr
    bot_api_url: str = TELEGRAM_API_URL
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    broadcast_rate: float = Field(default=25.0, gt=0, le=30)
    # Messages a second in all, replies included: Telegram's ~30 for a bot. Raise it only where Telegram
    # allows more (paid broadcasts) or no Telegram limits apply (a benchmark against the fake Bot API).
    send_cap: float = Field(default=30.0, ge=1)
    default_locale: Literal["ky", "ru", "en"] = "ru"
    content_dir: Path = PROJECT_DIR / "content"
    coordinator_chat_id: int | None = None
    # Talk to a person: a forum supergroup for the cases, and optionally one group per language.
    operator_chat_id: int | None = None
    operator_chat_id_ky: int | None = None
    operator_chat_id_ru: int | None = None
    operator_chat_id_en: int | None = None
    retention_days: int = Field(default=365, ge=1)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str | None = None  # deprecated alias of WEB_LISTEN, read when WEB_LISTEN is not set
    web_listen: str = DEFAULT_LISTEN  # the one HTTP server (console, webhook, /healthz); empty: console off
    web_base_url: str = "http://127.0.0.1:8080"
    web_login_widget: bool = False
    request_timeout: float = Field(default=30.0, gt=0, le=300)
    redis_url: str = ""  # several replicas: dialogue state, per-user locks, the pace and job leases in Redis
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    export_dir: Path | None = None  # where export files are written; see `exports_dir`

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if value.get_secret_value() == PLACEHOLDER_TOKEN:
            raise ValueError("the placeholder from .env.example; put your bot's token from @BotFather in .env")
        if not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", value.get_secret_value()):
            raise ValueError("must look like 123456:ABC-DEF (from @BotFather)")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, _EmptyWebListen(settings_cls, dotenv_settings), env_settings, dotenv_settings, file_secret_settings

    @field_validator("bot_api_url", "webhook_url", "web_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/") if value else value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        if value and not re.fullmatch(r"(rediss?|unix)://\S+", value):
            raise ValueError("must be a redis:// (or rediss://, unix://) URL, e.g. redis://127.0.0.1:6379/0")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(re.fullmatch(r"-?\d+", part) for part in parts):
                raise ValueError("must be comma-separated Telegram user ids, e.g. 12345,67890")
            return [int(part) for part in parts]
        return value

    @field_validator("webhook_listen", "web_listen")
    @classmethod
    def _host_port(cls, value: str | None) -> str | None:
        if not value:  # an empty WEB_LISTEN turns the console off
            return value
        host, _, port = value.rpartition(":")
        if not host or not port.isdigit() or not 0 <= int(port) < 65536:
            raise ValueError("must be host:port, e.g. 127.0.0.1:8080")
        return value

    @model_validator(mode="after")
    def _deprecated_webhook_listen(self) -> Settings:
        if self.webhook_listen and "web_listen" not in self.model_fields_set:
            self.web_listen = self.webhook_listen
        return self

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url:
            if not self.webhook_url.startswith("https://"):
                raise ValueError("WEBHOOK_URL must be a public https:// URL")
            secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
            if not _WEBHOOK_SECRET.fullmatch(secret):
                raise ValueError("WEBHOOK_SECRET is required with WEBHOOK_URL: 1-256 of A-Z a-z 0-9 _ -")
        return self

    @property
    def operator_chats(self) -> dict[int, str | None]:
        """Every operator group and the language its volunteers speak (None: all, the main group)."""
        if self.operator_chat_id is None:
            return {}
        chats: dict[int, str | None] = {self.operator_chat_id: None}
        for locale in ("ky", "ru", "en"):
            chat_id = getattr(self, f"operator_chat_id_{locale}")
            if chat_id is not None:
                chats[chat_id] = locale
        return chats

    def operator_chat_for(self, locale: str) -> int | None:
        """The group a case in `locale` goes to: its language's group when there is one, else the main."""
        if self.operator_chat_id is None:
            return None
        return getattr(self, f"operator_chat_id_{locale}", None) or self.operator_chat_id

    @property
    def exports_dir(self) -> Path:
        """EXPORT_DIR, else beside the SQLite file (`koldoo.sqlite3.exports`), else `data/koldoo.exports`."""
        from bot.services.export import export_dir

        return self.export_dir or export_dir(self.database_path)

    @property
    def console_enabled(self) -> bool:
        return bool(self.web_listen)

    @property
    def listen_host_port(self) -> tuple[str, int]:
        """Where the HTTP server listens: WEB_LISTEN; with the console off, a webhook still needs an address."""
        address = self.web_listen or self.webhook_listen or DEFAULT_LISTEN
        host, _, port = address.rpartition(":")
        return host.strip("[]"), int(port)


class _EmptyWebListen(PydanticBaseSettingsSource):
    """`WEB_LISTEN=` (empty) turns the console off, although an empty value of any other setting means
    "the default" (env_ignore_empty): this source sees the empty value the others drop."""

    def __init__(self, settings_cls: type[BaseSettings], dotenv: PydanticBaseSettingsSource) -> None:
        super().__init__(settings_cls)
        self.env_file = getattr(dotenv, "env_file", None)

    def get_field_value(self, field: object, field_name: str) -> tuple[object, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, object]:
        for source in (
            EnvSettingsSource(self.settings_cls, env_ignore_empty=False),
            DotEnvSettingsSource(self.settings_cls, env_file=self.env_file, env_ignore_empty=False),
        ):
            value = source().get("web_listen")
            if value is not None:
                return {"web_listen": ""} if value == "" else {}
        return {}


S = TypeVar("S", bound=DatabaseSettings)


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


def describe_error(error: ValidationError) -> str:
    """The first problem as one line: `BOT_TOKEN is not set`, `BROADCAST_RATE is invalid: ...`."""
    first = error.errors()[0]
    name = str(first["loc"][0]).upper() if first["loc"] else ""
    if first["type"] == "missing" or first.get("input") == "":
        return f"{name} is not set"
    message = first["msg"].removeprefix("Value error, ")
    if not name:  # a model-level rule names its settings itself
        return message
    return f"{name} is invalid: {message}"


def load_settings(settings_class: type[S] = Settings, **overrides: object) -> S:  # type: ignore[assignment]
    try:
        return settings_class(**overrides)
    except ValidationError as error:
        raise SettingsError(describe_error(error)) from None
    except UnicodeDecodeError as error:  # only the .env file is decoded here
        env_file = overrides.get("_env_file", settings_class.model_config.get("env_file"))
        raise SettingsError(_not_utf8(Path(str(env_file)), error)) from None


def _not_utf8(path: Path, error: UnicodeDecodeError) -> str:
    """Where the first undecodable byte is, so the operator knows which line an editor saved wrongly."""
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exact:
        error = exact
    except OSError:
        pass
    line = error.object[: error.start].count(b"\n") + 1
    return f"{path} is not UTF-8 text (byte 0x{error.object[error.start]:02x} on line {line}): save it as UTF-8"
