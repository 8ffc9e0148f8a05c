"""The one base class of the package's errors, like python-stdnum's ``ValidationError``.

Every error a user can cause (a file that is not a roster, a bad database URL, a parameter file
that does not cover a month, a refused password) derives from :class:`ShebaoError`, so a front
end needs one handler: the command line prints the message on one line and exits with 2, a
page shows it. Anything else is a bug and is reported as an internal error.

An error may carry its message as a code and parameters (``compliance.catalogue``): ``str()`` is
the English text, as the command line prints it; a page shows ``catalogue.render(exc.code, lang,
**exc.params)``. Both survive pickling (a worker process raises, the page renders).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Self


class ShebaoError(Exception):
    """An error whose message is fit for the user: one line, no personal data (no ID number, no
    name, no cell value beyond what the user typed as an argument). The CLI maps it to exit 2."""

    code: str | None = None
    params: Mapping[str, object] = {}

    @classmethod
    def coded(cls, code: str, /, **params: object) -> Self:
        """The error of catalogue message ``code``: its English text, and the code and parameters
        a page renders in its language."""
        from compliance import catalogue  # here, not at the top: the CLI's parser imports this module, and no pandas

        error = cls(catalogue.render(code, "en", **params))
        error.code, error.params = code, dict(params)
        return error

    def render(self, lang: str) -> str:
        """The message in ``lang``; an error raised as plain text stays as it is."""
        from compliance import catalogue

        return str(self) if self.code is None else catalogue.render(self.code, lang, **self.params)
