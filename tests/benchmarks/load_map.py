"""N people opening the map at once: the app runs as `streamlit run` (one process), and N
Streamlit sessions, each a raw websocket as a browser opens it, ask for the map page at the
same moment, several times. Prints p50 and p95 of the time from asking to the page's script
having finished (all of its messages received), what one view sends, and the server's CPU
seconds per view (read from /proc, so other work on the machine does not count). Asserts
nothing.

    python -m tests.benchmarks.load_map [--records 10000] [--sessions 10] [--views 5]

The records are placed as bench_map places them: in the demo city's neighbourhoods. The map a
public visitor gets with every point of the city (more than SAMENSPEL_MAP_POINTS_MAX) is the
one counted per neighbourhood; `--points-max 200000` measures every point drawn.

Target (issue 17): 10 simultaneous map views with 10k records in one process, p95 under 3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from tests.benchmarks.bench_map import load

TICKS = os.sysconf("SC_CLK_TCK")


def child_pid() -> int:
    """The app server: the one process this script started."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():
            return int(stat.parent.name)
    raise SystemExit("the app server is not running")


def server_cpu(pid: int) -> float:
    """CPU seconds (user and system) the process and its threads used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def one_view(socket, page: str) -> tuple[float, int, bool]:
    """Ask for the page once (its URL path; "" is the home page); (seconds until its script
    finished, bytes received, whether a map component came)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    ask = BackMsg()
    ask.rerun_script.query_string = ""
    ask.rerun_script.page_script_hash = ""
    ask.rerun_script.page_name = page
    began = time.perf_counter()
    await socket.send(ask.SerializeToString())
    received, has_map = 0, False
    while True:
        data = await socket.recv()
        received += len(data)
        has_map = has_map or b"streamlit_folium" in data
        message = ForwardMsg()
        message.ParseFromString(data)
        if message.WhichOneof("type") == "script_finished":
            if message.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                return time.perf_counter() - began, received, has_map


async def session(url: str, page: str, views: int, start: asyncio.Event, results: list) -> None:
    from websockets.asyncio.client import connect

    async with connect(url, subprotocols=["streamlit"], max_size=None) as socket:
        await start.wait()
        for _ in range(views):
            results.append(await one_view(socket, page))


async def crowd(url: str, page: str, sessions: int, views: int) -> list[tuple[float, int, bool]]:
    start, results = asyncio.Event(), []
    tasks = [
        asyncio.create_task(session(url, page, views, start, results)) for _ in range(sessions)
    ]
    await asyncio.sleep(1)  # every session connected
    start.set()
    await asyncio.gather(*tasks)
    return results


def main() -> None:
    from tests.e2e.conftest import running_app

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--views", type=int, default=5, help="views per session")
    parser.add_argument("--points-max", type=int, default=None)
    parser.add_argument(
        "--page", default="", help="another public page's URL path instead (e.g. login)"
    )
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="samenspel-load-"))
    os.environ.update({"SAMENSPEL_INSTANCE_DIR": str(instance), "SAMENSPEL_DEMO": "1"})
    os.environ.pop("SAMENSPEL_DATABASE_URL", None)
    load(args.records)
    env = {} if args.points_max is None else {"SAMENSPEL_MAP_POINTS_MAX": str(args.points_max)}
    with running_app(instance, env=env) as base:
        url, server = base.replace("http", "ws", 1) + "/_stcore/stream", child_pid()
        warm = asyncio.run(crowd(url, args.page, 1, 2))  # the caches filled, as after a while
        if not args.page and not all(has_map for _, _, has_map in warm):
            raise SystemExit("the page sent no map: is the public home page still the map?")
        print(f"{args.records:,} records; one view sends {warm[-1][1] / 1e6:.2f} MB")
        print(f"{'sessions':>8} {'views':>6} {'p50 s':>7} {'p95 s':>7} {'server CPU-s/view':>18}")
        for sessions in args.sessions:
            cpu = server_cpu(server)
            results = asyncio.run(crowd(url, args.page, sessions, args.views))
            per_view = (server_cpu(server) - cpu) / len(results)
            seconds = sorted(s for s, _, _ in results)
            p95 = seconds[min(len(seconds) - 1, round(0.95 * (len(seconds) - 1)))]
            print(f"{sessions:>8} {len(results):>6} {statistics.median(seconds):>7.2f}"
                  f" {p95:>7.2f} {per_view:>18.3f}")  # fmt: skip


if __name__ == "__main__":
    os.chdir(Path(__file__).resolve().parents[2])
    main()
