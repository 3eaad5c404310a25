"""The REST API's server time against the web page that shows the same, and its throughput.

Builds accounts with the agenda benchmark's builder (10,000 contacts with 50,000 touches, and
100,000 contacts) on SQLite, then:

- times complete requests with Django's test client (middleware, token check, views, queries,
  JSON): ``GET /api/v1/agenda`` against Today (``/``) and ``GET /api/v1/contacts`` (a page of 50)
  against the Contacts tab (``/contacts/``), median of N runs after warm-up;
- starts ``ringback serve`` on that database and sends requests from 8 concurrent clients (each
  its own keep-alive connection) for ``--seconds`` to the two endpoints, in turn: requests per
  second and the median and 95th-percentile latency.

    .venv/bin/python benchmarks/api.py [--sizes 10000,100000] [--runs 30] [--seconds 10]

Goals (issue 15): each endpoint within 1.2× of its web page's server time; at 100,000 contacts
within 1.5× of the 10,000 figure (flat growth). The requests per second are reported, with the
machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import agenda as bench

RATIO = 1.2
GROWTH = 1.5
CLIENTS = 8
RESULTS = Path(__file__).resolve().parent / "results"
#: What is compared: (API path, web page that shows the same).
PAIRS = {"agenda": ("/api/v1/agenda", "/"), "contacts": ("/api/v1/contacts", "/contacts/")}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _load(port: int, token: str, paths: list[str], seconds: float, clients: int = CLIENTS) -> dict[str, Any]:
    """``clients`` threads, each with its own keep-alive connection, asking ``paths`` in turn."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": f"Bearer {token}", "Host": "127.0.0.1"}
        mine: list[float] = []
        n = index
        while time.perf_counter() < stop:
            path = paths[n % len(paths)]
            n += 1
            began = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - began)
            if response.status != 200:
                with lock:
                    errors.append(f"{path}: {response.status}")
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    assert not errors, errors[:5]
    return {
        "clients": clients,
        "requests": len(latencies),
        "seconds": round(elapsed, 2),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "median_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1),
    }


def run_size(size: int, *, runs: int, warmup: int, seconds: float) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"ringback-api-{size}-"))
    try:
        os.environ["RINGBACK_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
        os.environ["RINGBACK_API_RATE_LIMIT"] = "100000000/60"
        bench.setup_django(data_dir)
        from django.contrib.auth import get_user_model
        from django.test import Client

        from ringback.accounts.models import Account, Membership
        from ringback.accounts.services import account_update, api_token_create
        from ringback.core import clock

        bench.log(f"api benchmark: building {size:,} contacts in {data_dir}")
        built = bench.Builder(size).build()
        account = Account.objects.get(name="Bench Seller")
        account_update(account=account, minutes_per_day=240)
        membership = account.memberships.select_related("user").first()
        if membership is None:
            user = get_user_model().objects.create_user("bench-api", password="bench-password-1")
            Membership.objects.create(user=user, account=account)
        else:
            user = membership.user
        _, token = api_token_create(account=account, user=user, name="bench", scope="read")
        web = Client()
        web.force_login(user)
        api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

        def get(client: Any, path: str) -> Any:
            def action() -> None:
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code, response.content[:300])

            return action

        with clock.frozen(bench.NOW):
            actions = []
            for api_path, web_path in PAIRS.values():
                actions += [get(api, api_path), get(web, web_path)]
            samples = bench.repeat(*actions, runs=runs, warmup=warmup)
            items = len(api.get("/api/v1/agenda").json()["items"])
        timed = iter(samples)
        pairs = {
            name: {"api": bench.summary(next(timed)), "web": bench.summary(next(timed))} for name in PAIRS
        }

        port = _free_port()
        env = {**os.environ, "RINGBACK_NOW": bench.NOW.isoformat()}
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("ringback")), "serve", "--port", str(port), "--no-worker"]
            if "--no-worker" in _serve_help()
            else [str(Path(sys.executable).with_name("ringback")), "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(port)
            paths = [api_path for api_path, _ in PAIRS.values()]
            _load(port, token, paths, 2.0)  # warm-up
            alone = _load(port, token, paths, seconds, clients=1)  # the same server, one client
            throughput = _load(port, token, paths, seconds)
        finally:
            server.terminate()
            server.wait(timeout=30)
        return {
            "size": size,
            "touches": built.touches,
            "agenda_items": items,
            "pairs": pairs,
            "serve": throughput,
            "serve_one_client": alone,
        }
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _serve_help() -> str:
    ringback = str(Path(sys.executable).with_name("ringback"))
    return subprocess.run([ringback, "serve", "--help"], capture_output=True, text=True, check=False).stdout


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("ringback serve did not start")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="account sizes in contacts")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0, help="how long the 8 clients send requests")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    if len(sizes) > 1:  # each size in a fresh process, Django set up on its own database
        results = []
        for size in sizes:
            command = [sys.executable, __file__, "--sizes", str(size), "--runs", str(args.runs)]
            code = subprocess.call([*command, "--warmup", str(args.warmup), "--seconds", str(args.seconds)])
            if code != 0:
                return code
            results.append(json.loads((RESULTS / f"api-{size}.json").read_text()))
        report(results)
        (RESULTS / "api.json").write_text(json.dumps(results, indent=2))
        return 0
    result = run_size(sizes[0], runs=args.runs, warmup=args.warmup, seconds=args.seconds)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"api-{sizes[0]}.json").write_text(json.dumps(result, indent=2))
    report([result])
    return 0


def report(results: list[dict[str, Any]]) -> None:
    print(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, SQLite"
    )
    print(f"{'endpoint':12}{'size':>10}{'API ms':>10}{'web ms':>10}{'ratio':>8}   (median server time)")
    for result in results:
        for name, pair in result["pairs"].items():
            ratio = pair["api"]["median_ms"] / pair["web"]["median_ms"]
            verdict = "met" if ratio <= RATIO else "MISSED"
            print(
                f"{name:12}{result['size']:>10,}{pair['api']['median_ms']:>10.1f}{pair['web']['median_ms']:>10.1f}"
                f"{ratio:>8.2f}   (goal ≤ {RATIO}: {verdict})"
            )
    if len(results) > 1:
        for name in PAIRS:
            growth = (
                results[-1]["pairs"][name]["api"]["median_ms"] / results[0]["pairs"][name]["api"]["median_ms"]
            )
            print(
                f"  {name}: ×{growth:.2f} from {results[0]['size']:,} to {results[-1]['size']:,} "
                f"(goal ≤ ×{GROWTH}: {'met' if growth <= GROWTH else 'MISSED'})"
            )
    for result in results:
        for serve in (result["serve_one_client"], result["serve"]):
            print(
                f"ringback serve, {serve['clients']} client(s), {result['size']:,} contacts: "
                f"{serve['requests_per_second']} requests/s (median {serve['median_ms']} ms, "
                f"p95 {serve['p95_ms']} ms)"
            )


if __name__ == "__main__":
    sys.exit(main())
