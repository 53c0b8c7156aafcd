"""The ``qitxl lite`` command: the files a user pastes into xlwings Lite, with a short README.

xlwings Lite (a free Excel add-in for Windows, Mac and Excel on the web) runs Python in the browser
through Pyodide. A workbook's code lives in the workbook as ``main.py`` and its packages come from
a ``requirements.txt``. qitxl's core needs only numpy (Pyodide builds it), so ``main.py`` imports
``qitxl.xlwings_udfs`` and ``requirements.txt`` names numpy and qitxl: a release on PyPI by
default, or a wheel at a URL the browser may fetch (``--wheel-url``).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from . import __version__
from .exceptions import QitxlError


class WheelUrlError(QitxlError, ValueError):
    """``--wheel-url`` is not an https address of a pure-Python qitxl wheel."""


#: The xlwings version whose Office.js code path the QIT functions were checked against.
XLWINGS_CHECKED = "0.37.8"

MAIN_PY = '''\
"""QIT functions for xlwings Lite, written by `qitxl lite` (qitxl {version}).

Paste this file into the main.py tab of the xlwings Lite editor, and the lines of requirements.txt
into its requirements.txt tab. =QIT_TIER, =QIT_SCORE, =QIT_RANK, =QIT_PROFILE, =QIT_PROVINCES,
=QIT_INDICATOR, =QIT_SOURCE, =QIT_RESOLVE, =QIT_NAME, =QIT_INFO and =QIT_WHY then work in this
workbook. Your own functions and scripts can follow the import.
"""

from qitxl.xlwings_udfs import *  # noqa: F403 - registers the QIT_* functions listed above
'''

REQUIREMENTS = '''\
# Written by `qitxl lite` (qitxl {version}). Add these lines below the xlwings line that
# xlwings Lite already has (the functions were checked with xlwings {xlwings}).
# numpy comes from Pyodide's own build: do not pin it.
numpy
{qitxl}
'''

README = '''\
# QIT functions in xlwings Lite

Written by `qitxl lite` (qitxl {version}). xlwings Lite runs Python inside Excel on Windows, on a
Mac and in Excel on the web, with nothing to install but the add-in.

1. In Excel: **Home > Add-ins**, search for **xlwings Lite**, click **Add**. An **xlwings Lite**
   button appears at the right of the Home tab; it opens the editor.
2. Open the workbook that should have the functions, then the editor.
3. **requirements.txt** tab: add the lines of `requirements.txt` below the `xlwings` line that is
   already there. Installation starts by itself; the Output pane shows its log.
4. **main.py** tab: replace the sample code with `main.py` (or add its import line to your code).
5. Type `=QIT_TIER("Anhui")` in a cell. Save the workbook: the code and requirements are stored in
   it, so anyone who opens it with xlwings Lite gets the functions.

The functions keep their plain names (`=QIT_TIER`, no prefix). Errors are real Excel errors (ISNA
and IFERROR see them) but carry no reason: ask `=QIT_WHY("QIT_TIER", A2)` with the same arguments.
Lists with fixed choices (basis, pillar, tier, region, lang) offer a drop-down while you type.

{source}
More: the "Excel for Mac and Excel on the web" section of qitxl's docs/excel.md.
'''

SOURCE_PYPI = ('qitxl comes from PyPI (`{qitxl}`). If your copy of qitxl is not published there,\n'
               'build its wheel (`pip wheel --no-deps -w dist .` in qitxl\'s folder), put it where\n'
               'the browser may fetch it (a web server that allows cross-origin requests, such as a\n'
               'GitHub release), and run `qitxl lite -o DIR --wheel-url URL` again.\n')
SOURCE_URL = ('qitxl comes from `{qitxl}`. That server must allow cross-origin requests,\n'
              'or the installation fails with a network error in the Output pane.\n')


def requirement(wheel_url: str | None) -> str:
    """The requirements line for qitxl: this version from PyPI, or a checked https URL of a wheel."""
    if wheel_url is None:
        return f"qitxl=={__version__}"
    url = urlparse(wheel_url)
    name = Path(url.path).name
    if url.scheme != "https" or not url.netloc:
        raise WheelUrlError(f"--wheel-url must be an https:// address (the browser fetches it), not {wheel_url!r}")
    if not (name.startswith("qitxl-") and name.endswith("-py3-none-any.whl")):
        raise WheelUrlError(f"--wheel-url must point at a pure-Python qitxl wheel "
                         f"(qitxl-VERSION-py3-none-any.whl), not {name!r}")
    return wheel_url


def files(wheel_url: str | None = None) -> dict[str, str]:
    """File name -> text of everything ``qitxl lite`` writes."""
    req = requirement(wheel_url)
    source = (SOURCE_URL if wheel_url else SOURCE_PYPI).format(qitxl=req)
    return {
        "main.py": MAIN_PY.format(version=__version__),
        "requirements.txt": REQUIREMENTS.format(version=__version__, xlwings=XLWINGS_CHECKED, qitxl=req),
        "README.md": README.format(version=__version__, source=source),
    }
