"""leaflets: translated patient leaflets rendered into branded PDF handouts."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("leaflets")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0"
