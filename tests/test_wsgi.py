"""The WSGI entry point, loaded as a server loads it: in a process of its own."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_what_the_app_loads_to_start_is_left_out_of_full_garbage_collections():
    loaded = subprocess.run(  # noqa: S603 - this interpreter, our own module
        [sys.executable, "-c",
         "import gc, config.wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    frozen, tracked = map(int, loaded.stdout.split())
    # Tens of thousands of modules, models and settings objects, which a full pass skips; what
    # it still scans is what requests make.
    assert frozen > 20_000
    assert tracked < frozen / 10
