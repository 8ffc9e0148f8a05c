"""The one base class of the package's errors, like python-stdnum's ``ValidationError``.

Every error a user can cause (a file that is not a roster, a bad database URL, a parameter file
that does not cover a month, a refused password) derives from :class:`ShebaoError`, so a front
end needs one handler: the command line prints the message on one line and exits with 2, a
page shows it. Anything else is a bug and is reported as an internal error.
"""

from __future__ import annotations


class ShebaoError(Exception):
    """An error whose message is fit for the user: one line, no personal data (no ID number, no
    name, no cell value beyond what the user typed as an argument). The CLI maps it to exit 2."""
