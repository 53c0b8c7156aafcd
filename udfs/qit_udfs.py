"""The xlwings add-in's entry for the QIT_* functions: everything lives in ``qitxl.xlwings_udfs``.

Point the add-in's "UDF Modules" at ``qitxl.xlwings_udfs`` (installed with qitxl), or at
``qit_udfs`` with this folder on the add-in's PYTHONPATH; both give the same functions.
"""

from qitxl.xlwings_udfs import *  # noqa: F403 - the QIT_* functions, as listed in its __all__
from qitxl.xlwings_udfs import __all__  # noqa: F401
