"""The package picks Arrow's allocator before pyarrow loads (``dashboard/__init__.py``)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

POOL_OF = ("import dashboard, pyarrow; "
           "print(pyarrow.default_memory_pool().backend_name, end='')")


@pytest.mark.skipif(sys.platform != "linux", reason="jemalloc is chosen on Linux only")
@pytest.mark.parametrize(("given", "pool"), [
    (None, "jemalloc"),  # the package's choice
    ("system", "system"),  # the user's own wins
    ("mimalloc", "mimalloc"),
])
def test_arrow_allocates_through_the_pool_chosen_before_pyarrow_loads(given, pool):
    environment = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if given is not None:
        environment["ARROW_DEFAULT_MEMORY_POOL"] = given
    shown = subprocess.run([sys.executable, "-c", POOL_OF], env=environment, check=True,
                           capture_output=True, text=True)
    assert shown.stdout == pool
