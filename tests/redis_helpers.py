"""Redis for the tests of shared state: KOLDOO_TEST_REDIS_URL (default the local server, database 15).

Each test gets its own key prefix, removed afterwards, so xdist workers and tests never share keys. Without
a Redis server the tests skip with one line; in CI (`CI` set) they fail instead: CI must run them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

REDIS_URL = os.environ.get("KOLDOO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


async def connect() -> Redis:
    """A client of the test Redis, or the test skipped (failed in CI) with one line."""
    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (RedisError, OSError) as error:
        await client.aclose()
        message = f"Redis at {REDIS_URL} does not answer ({type(error).__name__}): set KOLDOO_TEST_REDIS_URL"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return client


def new_prefix() -> str:
    return f"koldoo-test:{uuid.uuid4().hex[:10]}"


async def clear(client: Redis, prefix: str) -> None:
    keys = [key async for key in client.scan_iter(match=f"{prefix}:*")]
    if keys:
        await client.delete(*keys)


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = await connect()
    yield client
    await client.aclose()


@pytest.fixture
async def prefix(redis: Redis) -> AsyncIterator[str]:
    name = new_prefix()
    yield name
    await clear(redis, name)
