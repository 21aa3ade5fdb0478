"""The harness's statistics and its schedule, in plain Python so that tests can check them on known numbers.

Definitions (also in the README's Benchmarks section):

- latency: seconds from sending a request to having read the whole answer, per request;
- median and p95: of every latency sample of one query on one endpoint, pooled over the rounds; a
  percentile is interpolated linearly between the closest ranks (numpy's default, "inclusive");
- throughput of a query: answered requests / seconds the batches of that query took, summed over the rounds
  (each batch keeps `concurrency` requests in flight until its requests are done);
- throughput of the mix: the number of queries in the mix over the time to run each of them once at that
  concurrency, i.e. n / sum(1 / throughput_q): every query counts the same however fast it is;
- ratio: ours / the peer's, for throughput (above 1: ours answers more) and for the median latency (below 1:
  ours answers sooner); the geometric mean of the per-query throughput ratios is given beside the mix's.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The `fraction` quantile (0..1) with linear interpolation between closest ranks; NaN when empty."""
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must be within 0..1, got {fraction}")
    if not samples:
        return math.nan
    ordered = sorted(samples)
    position = (len(ordered) - 1) * fraction
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def median(samples: Sequence[float]) -> float:
    return percentile(samples, 0.5)


def p95(samples: Sequence[float]) -> float:
    return percentile(samples, 0.95)


def throughput(answered: int, seconds: float) -> float:
    """Answers per second; NaN when nothing was timed."""
    return answered / seconds if seconds > 0 else math.nan


def mix_throughput(per_query: Sequence[float]) -> float:
    """Queries per second for the mix that runs each query once: n / sum(1/t). 0 if a query never answered."""
    if not per_query:
        return math.nan
    if any(math.isnan(t) for t in per_query):
        return math.nan
    if any(t <= 0 for t in per_query):
        return 0.0
    return len(per_query) / sum(1 / t for t in per_query)


def ratio(ours: float, theirs: float) -> float:
    """ours / theirs; inf when theirs is 0 and ours is not, NaN when either is unknown."""
    if math.isnan(ours) or math.isnan(theirs):
        return math.nan
    if theirs == 0:
        return math.inf if ours > 0 else math.nan
    return ours / theirs


def geometric_mean(values: Sequence[float]) -> float:
    """Geometric mean of the finite, positive values (NaN if there are none)."""
    usable = [v for v in values if v > 0 and math.isfinite(v)]
    if not usable:
        return math.nan
    return math.exp(sum(math.log(v) for v in usable) / len(usable))


def schedule(endpoints: Sequence[str], rounds: int) -> Iterator[tuple[int, str]]:
    """(round, endpoint) in the order the batches run: A B A B ... so that drift of the machine hits all alike."""
    if rounds < 1:
        raise ValueError("at least one round")
    if len(set(endpoints)) != len(endpoints):
        raise ValueError("endpoints must be distinct")
    for round_number in range(rounds):
        for endpoint in endpoints:
            yield round_number, endpoint


def batch_size(warm_latency: float, concurrency: int, seconds: float, smallest: int, largest: int) -> int:
    """Requests per batch so that a batch lasts about `seconds` at this concurrency, within [smallest, largest]."""
    if warm_latency <= 0 or math.isnan(warm_latency):
        return largest
    wanted = int(seconds / warm_latency * concurrency)
    return max(smallest, min(largest, wanted))
