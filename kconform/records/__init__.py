"""Records of a run: what each backend returned on each case, and how far off it was.

See :mod:`kconform.records.schema` for the format and
:mod:`kconform.records.store` for atomic writing and reading.
"""

from .schema import SCHEMA_VERSION, case_key
from .store import RecordsError, Run, RunWriter, load_run

__all__ = ["SCHEMA_VERSION", "RecordsError", "Run", "RunWriter", "case_key", "load_run"]
