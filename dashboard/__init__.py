"""Border security dashboard: events tied to their sources."""

import os
import sys

# Arrow's allocator. A load frees a lot (every column passes through several temporary
# copies), and how the allocator hands that memory back to the system decides much of a
# first open's time: on Linux, mimalloc (Arrow's default) spent more time in the kernel
# than the validation itself spent computing, jemalloc a fifth of it (docs/benchmark.md,
# "The first open of a Parquet file", third round). Linux builds of pyarrow carry
# jemalloc; elsewhere mimalloc stays, handing freed memory back at once (which lowered
# the peak of loading 2M events and what stayed after it). Read when Arrow first
# allocates, so it is set before anything imports pyarrow; a value the user set wins.
if sys.platform == "linux":
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
os.environ.setdefault("MIMALLOC_PURGE_DELAY", "0")
