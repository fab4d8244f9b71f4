"""Typed errors. Library code raises these; stage scripts turn them into one message and exit 1."""


class RnnpipeError(Exception):
    """Base class: the message is meant for a person and says what to do."""


class ParamsError(RnnpipeError):
    """A value in the params file is missing, misspelt, of the wrong type or out of range."""


class DownloadError(RnnpipeError):
    """A dataset or vectors file could not be fetched, verified or unpacked."""


class DataError(RnnpipeError):
    """Input data is malformed: missing columns, empty files, unusable labels."""


class VectorsError(RnnpipeError):
    """A pretrained vectors file is missing, malformed or of the wrong dimension."""


class TrainingError(RnnpipeError):
    """Training cannot go on: diverging loss, impossible device request, shape mismatch."""


class DiskSpaceError(RnnpipeError):
    """The disk where a stage writes has no room for its outputs."""


class ModelFileError(RnnpipeError):
    """A saved model is missing, tampered with, or does not match its vocabulary / labels."""
