"""The one exception root for infrastructure failures (business problems are anomalies, not raised)."""


class FlexibatchError(Exception):
    """Something the operator must fix: storage, configuration, the file system."""


class ConfigError(FlexibatchError):
    """A usage or configuration problem: exit status 2."""
