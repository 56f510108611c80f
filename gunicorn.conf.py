"""gunicorn's settings for the portal: how its workers' garbage collector runs.

gunicorn reads this file by itself when started from the project directory
(``gunicorn portal.wsgi --preload ...``); ``manage.py bench`` names it, so the benchmark
measures the workers production runs. Only the collector is set here: binding, workers
and threads stay on the command line, and the portal's settings in ``portal/settings``.

Why: with ``--preload`` the master imports the portal once (about 190,000 objects the
collector tracks: Django, Wagtail, URL patterns, templates) and forks its workers.
CPython's collector, left as it is, rescans all of them in every full collection
(about 140 ms of CPU measured on this portal, one request's worth of delay for whoever
is waiting) and, by writing to them, copies the pages the workers share with the master.

- ``gc.freeze()`` just before each fork moves what the master holds into a permanent
  generation that no collection scans: a full collection in a warm worker scans only
  what the worker made itself (about 45,000 objects, 30-40 ms), and each worker keeps
  about 18 MiB more of its memory shared with the master (measured at 3,000 stories:
  proportional set size 100 to 82 MiB per worker, peak resident size 135 to 137 MiB).
- The young generation is collected every 10,000 new objects instead of every 700: an
  uncached story page triggered 0.21 young and 0.02 middle collections per request,
  now 0.016 and 0.002, so the full collections these lead to come about ten times more
  rarely. Reference counting still frees at once whatever is not in a cycle (a cached
  answer or a 304 leaves nothing for the collector: no collection ran in 4,000 of
  them either way). 50,000 saved no collector time over 10,000 and cost 12 MiB more
  per worker.

Without ``--preload`` each worker imports the portal itself; the threshold still
applies and freezing the master's small heap does no harm.
"""

import gc

# Young-generation allocations between collections (CPython's default: 700).
YOUNG_COLLECTION_THRESHOLD = 10_000


def _collect_less_often() -> None:
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, middle, old)


# In the master too: it imports the portal (with --preload) under the same threshold,
# and every worker it forks inherits it.
_collect_less_often()


def pre_fork(server, worker) -> None:
    """In the master, just before a worker is forked: nothing it holds is scanned again."""
    gc.freeze()


def post_fork(server, worker) -> None:
    """In the new worker: the threshold, even if the portal's import changed it."""
    _collect_less_often()
