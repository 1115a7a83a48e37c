"""Reading the PDFs the app makes, with poppler's command-line tools.

Like the browser, poppler is a system package (`apt-get install poppler-utils`): without it a
test that reads a PDF is skipped with a message on a workstation, and fails in CI.
"""

import os
import shutil
import subprocess

import pytest


def poppler(tool: str, *arguments: str) -> str:
    executable = shutil.which(tool)
    if executable is None:
        message = f"Reading PDFs needs {tool}: run `apt-get install poppler-utils`."
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    # Our own tool on a file our test wrote: no untrusted input.
    result = subprocess.run(  # noqa: S603
        [executable, *arguments], capture_output=True, check=True, text=True
    )
    return result.stdout


def pdf_text(path) -> str:
    return poppler("pdftotext", "-layout", str(path), "-")


def pdf_info(path) -> dict[str, str]:
    lines = poppler("pdfinfo", str(path)).splitlines()
    return dict((part.strip() for part in line.split(":", 1)) for line in lines if ":" in line)


def pdf_pages(path) -> int:
    return int(pdf_info(path)["Pages"])
