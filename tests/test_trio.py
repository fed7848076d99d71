"""The SDK on trio: aiobotocore's httpx transport, prefetching pagers and shared waiters."""

from __future__ import annotations

import pytest
import trio

from robomaker_deploy import ConfigurationError, DeploymentStatus, RobotStatus
from robomaker_deploy.emulator import Emulator
from robomaker_deploy.emulator._seeding import seed_jobs
from tests.support.world import build_world


def test_listing_with_prefetch_and_waiting_on_trio(robomaker_emulator_background: Emulator) -> None:
    emulator = robomaker_emulator_background
    arns = seed_jobs(emulator, 45)

    async def main() -> None:
        async with emulator.client() as client:
            listed = [job.arn async for job in client.list_deployment_jobs(page_size=10, prefetch=1)]
            assert listed == arns[::-1]

            world = await build_world(client, robots=2)
            job = await client.create_deployment_job(fleet=world.fleet, application_configs=[world.config()])
            async with trio.open_nursery() as nursery:
                finals = []

                async def wait() -> None:
                    finals.append(
                        await client.wait_for_deployment_job(job, min_delay=0.05, max_delay=0.2, timeout=60)
                    )

                for _ in range(3):
                    nursery.start_soon(wait)
            assert [f.status for f in finals] == [DeploymentStatus.SUCCEEDED] * 3
            summary = finals[0].robot_deployment_summary
            assert len(summary) == 2
            assert {r.status for r in summary} == {RobotStatus.IN_SYNC}

            # Leaving a watch early is fine on trio too: no async generator is left to finalize.
            other = await build_world(client, name="other", robots=1)
            running = await client.create_deployment_job(
                fleet=other.fleet, application_configs=[other.config()]
            )
            async for snapshot in client.watch_deployment_job(running, min_delay=0.05, max_delay=0.1):
                assert snapshot.arn == running.arn
                break
            assert client._poller().idle

            # A consumer cancelled mid-listing leaves the client usable and closes cleanly.
            with trio.move_on_after(0.05):
                async for _ in client.list_deployment_jobs(page_size=1):
                    await trio.sleep(0.02)
            assert len(await client.list_fleets().collect()) >= 1

    trio.run(main)


def test_async_with_emulator_on_trio_says_to_run_it_in_the_background() -> None:
    async def main() -> None:
        async with Emulator():
            pass

    with pytest.raises(ConfigurationError, match=r"Emulator\(\)\.run_in_background\(\)") as caught:
        trio.run(main)
    assert caught.value.code == "UnsupportedEventLoop"
