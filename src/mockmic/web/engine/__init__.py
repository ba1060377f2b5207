"""The web app's one door into the rest of mockmic.

Every call from ``mockmic.web`` into the library goes through this package, so when the
library's folders move only these imports change. :class:`Engine` holds what a server process
shares: one :class:`~mockmic.pipeline.Analyzer` (the model loads once, with the thresholds
``mockmic serve`` was given), a lock that lets one analysis run at a time (two cores: a second
one at once only slows both), and the data home.

One module per page's worth of library calls: :mod:`.uploads` (a file becomes a session),
:mod:`.sessions` (History), :mod:`.practice` (questions and interviews), :mod:`.recordings`
(answers recorded in the page); :mod:`.core` puts them together. Nothing here knows about
HTTP; the routes call these methods on worker threads.
"""

from ...config import SAMPLE_RATE
from ...errors import ConfigError, MockmicError, StoreError
from .core import Engine, Limits
from .practice import interview_stopped
from .recordings import DEVICE_NAME, LIVE_STREAM, Finished, Recording
from .uploads import UPLOADS_DIR, UploadTooLong, safe_file_name

__all__ = [
    "DEVICE_NAME", "LIVE_STREAM", "SAMPLE_RATE", "UPLOADS_DIR", "ConfigError", "Engine", "Finished", "Limits",
    "MockmicError", "Recording", "StoreError", "UploadTooLong", "interview_stopped", "safe_file_name",
]
