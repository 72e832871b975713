"""flexibatch: the batch file-exchange channel for Belgian flexi-job Dimona and Flexi at work."""

__version__ = "0.1.0"
