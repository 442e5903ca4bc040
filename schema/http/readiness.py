"""GET /healthz (the process is up) and GET /readyz (it can serve: PostgreSQL and Redis
answer, and the database schema is the one this code expects), for load balancers and
orchestrators. GET /health stays, with the live events' state for people.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from models.database import pending_migrations, ping_database
from models.failures import is_connection_failure
from schema.services import Services

logger = logging.getLogger(__name__)

# A check that has not answered by then has failed: a load balancer's probe is short.
CHECK_TIMEOUT_SECONDS = 2.0
OK = "ok"
NO_STORE = {"Cache-Control": "no-store"}


async def healthz(request: Request) -> Response:
    """The process is up and serving; nothing else is asked, so a dependency's outage
    never gets a healthy API restarted."""
    return JSONResponse({"status": OK}, headers=NO_STORE)


async def readyz(request: Request) -> Response:
    """200 when every check passes; else 503 naming what failed."""
    services: Services = request.app.state.services
    database, redis = await asyncio.gather(
        _outcome("database", _database), _outcome("redis", lambda: _redis(services))
    )
    # Tortoise reads what was applied as "nothing" when it cannot ask.
    migrations = (
        await _outcome("migrations", _migrations)
        if database == OK
        else "not checked: the database did not answer"
    )
    outcome = {"database": database, "redis": redis, "migrations": migrations}
    failed = [name for name, result in outcome.items() if result != OK]
    return JSONResponse(
        {"status": "not ready" if failed else "ready", "checks": outcome, "failed": failed},
        status_code=503 if failed else 200,
        headers=NO_STORE,
    )


async def _outcome(name: str, check: Callable[[], Awaitable[str]]) -> str:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            return await check()
    except TimeoutError:
        return f"no answer within {CHECK_TIMEOUT_SECONDS:g} s"
    except Exception as exc:
        if is_connection_failure(exc):
            return "unreachable"
        logger.exception("readiness check %s failed", name)
        return f"failed ({type(exc).__name__})"


async def _database() -> str:
    await ping_database()
    return OK


async def _redis(services: Services) -> str:
    await services.queue.ping()
    return OK


async def _migrations() -> str:
    pending = await pending_migrations()
    return f"not applied: {', '.join(pending)}" if pending else OK
