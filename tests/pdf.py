"""Reading the PDFs the app makes, with poppler's command-line tools."""

import shutil
import subprocess


def poppler(tool: str, *arguments: str) -> str:
    executable = shutil.which(tool)
    assert executable, f"{tool} (poppler-utils) is needed to read PDFs"
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
