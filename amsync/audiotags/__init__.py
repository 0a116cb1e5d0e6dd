"""The audio-tag adapter: the only part of amsync that imports mutagen. It finds audio files
in folders (``folder_walk``), reads their tags (``tag_reading``), reads a beets library
(``beets_library``), and writes tiny tagged sample files for the demo, tests and benchmark
(``sample_files``). ``sources`` offers both kinds of source as
``amsync.domain.ports.LocalFileSource``."""

from amsync.audiotags.beets_library import BeetsLibrarySource
from amsync.audiotags.sources import FolderSource
from amsync.audiotags.tag_reading import MutagenTagReader

__all__ = ["BeetsLibrarySource", "FolderSource", "MutagenTagReader"]
