"""The batch path's old module name: the code is in the package ``compliance.batch``.

temporary: cli.py switches to compliance.batch; removed in issue 21
"""

from compliance.batch import *  # noqa: F403  (the package's public names, __all__)
from compliance.batch import __all__  # noqa: F401
