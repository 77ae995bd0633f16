"""Border security dashboard: events tied to their sources."""

import os
import sys

# Arrow's allocator. A load frees a lot (every column passes through several temporary
# copies), and how the allocator hands that memory back to the system decides much of a
# first open's time: on Linux, mimalloc (Arrow's default) spent more time in the kernel
# than the validation spent computing, jemalloc a fraction of it (docs/benchmark.md, "The
# first open of a Parquet file", third round). jemalloc keeps freed pages for a decay
# before handing them back; Arrow's default decay raised the peak of loading 2M events from
# CSV past 2.5 GB, so it is shortened to a tenth of a second. Linux builds of pyarrow carry
# jemalloc; elsewhere mimalloc stays, handing freed memory back at once. The pool is chosen
# when pyarrow loads, so this runs before anything else imports it; a pool the user chose
# (``ARROW_DEFAULT_MEMORY_POOL``) wins. (The decay is set whoever chose jemalloc: a process
# this one starts inherits the variable.)
JEMALLOC_DECAY_MS = 100
if sys.platform == "linux":
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
    import pyarrow

    if pyarrow.default_memory_pool().backend_name == "jemalloc":
        pyarrow.jemalloc_set_decay_ms(JEMALLOC_DECAY_MS)
os.environ.setdefault("MIMALLOC_PURGE_DELAY", "0")
