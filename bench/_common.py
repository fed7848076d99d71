"""Shared pieces of the benchmarks: a separate emulator process, raw and typed clients, timing."""

from __future__ import annotations

import contextlib
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

from aiobotocore.client import AioBaseClient
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session

from robomaker_deploy import DeploymentClient
from robomaker_deploy._wire.model import register_data_path
from robomaker_deploy.emulator import Emulator
from robomaker_deploy.emulator._process import emulator_process as spawn

KEY_ID = SECRET = "testing"
REGION = "us-east-1"


@contextlib.contextmanager
def seeded_state(seed: Callable[[Emulator], object]) -> Iterator[Path]:
    """A state file filled in process by ``seed`` (fast), for a server process to serve."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "state.sqlite"
        with Emulator(state_file=path, speed=1000).run_in_background() as emulator:
            seed(emulator)
        yield path


@contextlib.contextmanager
def emulator_process(state_file: Path, *, speed: float = 1.0) -> Iterator[str]:
    """The emulator in its own process (so its work does not share our GIL), on ``state_file``; its URL."""
    with spawn("--speed", str(speed), "--state-file", str(state_file)) as (_, url):
        yield url


@contextlib.asynccontextmanager
async def raw_client(url: str) -> AsyncIterator[AioBaseClient]:
    """Plain aiobotocore on the project's model, with botocore's own response parser."""
    session = get_session()
    register_data_path(session.get_component("data_loader"))
    config = AioConfig(retries={"total_max_attempts": 1, "mode": "standard"}, parameter_validation=False)
    async with session.create_client(
        "robomaker",
        region_name=REGION,
        endpoint_url=url,
        config=config,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    ) as client:
        yield client


def typed_client(url: str) -> DeploymentClient:
    """The SDK's client on the same server."""
    return DeploymentClient(
        region_name=REGION, endpoint_url=url, aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET
    )


async def timed(call: Callable[[], Awaitable[Any]], repeat: int) -> list[float]:
    """Seconds per call, ``repeat`` times (after one warm-up call)."""
    await call()
    out = []
    for _ in range(repeat):
        began = time.perf_counter()
        await call()
        out.append(time.perf_counter() - began)
    return out


async def interleaved(calls: dict[str, Callable[[], Awaitable[Any]]], repeat: int) -> dict[str, list[float]]:
    """Time several calls in alternation, so drift on a noisy machine hits all of them alike."""
    for call in calls.values():
        await call()
    out: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeat):
        for name, call in calls.items():
            began = time.perf_counter()
            await call()
            out[name].append(time.perf_counter() - began)
    return out


def paired_ratio(samples: dict[str, list[float]], numerator: str, denominator: str) -> float:
    """The median of the ratios of runs taken in the same round: steadier on a loaded machine."""
    return statistics.median(a / b for a, b in zip(samples[numerator], samples[denominator], strict=True))


def median_ms(samples: list[float]) -> float:
    """The median, in milliseconds."""
    return statistics.median(samples) * 1000


class Report:
    """Rows of (figure, value, anchor, ratio, target) that the runner prints and charts."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def ratio(
        self,
        figure: str,
        value: float,
        anchor_name: str,
        anchor: float,
        target: str,
        unit: str = "ms",
        *,
        ratio: float | None = None,
    ) -> None:
        # ``ratio`` is given when it was measured pair by pair (see bench_import), which is steadier
        # on a noisy machine than the ratio of the two medians.
        if ratio is None:
            ratio = value / anchor if anchor else float("nan")
        self.rows.append(
            {
                "figure": figure,
                "value": value,
                "anchor_name": anchor_name,
                "anchor": anchor,
                "ratio": ratio,
                "target": target,
                "unit": unit,
            }
        )
        print(
            f"  {figure}: {value:.3f} {unit} vs {anchor_name} {anchor:.3f} {unit}"
            f" -> ratio {ratio:.2f} (target {target})",
            flush=True,
        )

    def paired(
        self,
        figure: str,
        samples: dict[str, list[float]],
        key: str,
        anchor_name: str,
        anchor_key: str,
        target: str,
    ) -> None:
        """A row of timings taken in rounds: the medians in ms, and the median of the rounds' ratios."""
        self.ratio(
            figure,
            median_ms(samples[key]),
            anchor_name,
            median_ms(samples[anchor_key]),
            target,
            ratio=paired_ratio(samples, key, anchor_key),
        )
