"""Name generators for the fake library: ordinary titles and hostile strings.

Hostile names cover many scripts (CJK, Arabic RTL, Hebrew, Devanagari, Thai, combining marks),
emoji and ZWJ sequences, every ASCII control character, path separators and traversal,
spreadsheet formula prefixes, 500-character names, Windows device names and duplicates.
They are handed out round-robin so that any run with enough hostile items contains every kind.
"""

from __future__ import annotations

import random

ADJECTIVES = [
    "Golden",
    "Silent",
    "Electric",
    "Broken",
    "Midnight",
    "Crimson",
    "Endless",
    "Quiet",
    "Neon",
    "Wild",
    "Lonely",
    "Hidden",
    "Velvet",
    "Frozen",
    "Burning",
    "Distant",
    "Sweet",
    "Heavy",
    "Paper",
    "Glass",
    "Silver",
    "Northern",
    "Summer",
    "Winter",
    "Lost",
    "Young",
    "Ancient",
]
NOUNS = [
    "River",
    "Heart",
    "Dream",
    "Light",
    "City",
    "Ocean",
    "Fire",
    "Road",
    "Sky",
    "Rain",
    "Garden",
    "Mirror",
    "Shadow",
    "Echo",
    "Train",
    "Moon",
    "Storm",
    "Island",
    "Letter",
    "Window",
    "Highway",
    "Horizon",
    "Bridge",
    "Forest",
    "Signal",
    "Machine",
    "Harbor",
    "Song",
    "Season",
]
GIVEN = [
    "Ava",
    "Leo",
    "Mia",
    "Noah",
    "Zoe",
    "Omar",
    "Ines",
    "Kenji",
    "Priya",
    "Sven",
    "Lucia",
    "Marco",
    "Yara",
    "Tomas",
    "Nia",
    "Felix",
    "Ada",
    "Ravi",
]
FAMILY = [
    "Stone",
    "Rivers",
    "Okafor",
    "Tanaka",
    "Novak",
    "Silva",
    "Berg",
    "Haddad",
    "Kowalski",
    "Moreau",
    "Reyes",
    "Lind",
    "Osei",
    "Park",
    "Ito",
]
BAND_WORDS = [
    "Collective",
    "Brothers",
    "Orchestra",
    "Club",
    "Project",
    "Quartet",
    "Sound",
    "System",
    "Society",
    "Kids",
]
SUFFIXES = ("", "", "", "", "", " (Remastered)", " (Live)", " - Single", " (feat. Ada Stone)")
GENRES = [
    "Pop",
    "Rock",
    "Alternative",
    "Hip-Hop/Rap",
    "Electronic",
    "Jazz",
    "Classical",
    "Country",
    "R&B/Soul",
    "Latin",
    "Indie",
    "Soundtrack",
    "Dance",
    "Metal",
    "Folk",
    "Blues",
    "Reggae",
    "K-Pop",
]

HOSTILE_NAMES: tuple[str, ...] = (
    "東京の夜 (Tōkyō no Yoru) 夜曲",
    "مرحبا بالعالم — أغنية",
    "שיר השירים",
    "संगीत की दुनिया",
    "เพลงรักฤดูร้อน",
    "Ça̧ va̸ Z̴a̷l̶g̵o̸ t̷e̶x̵t̸",
    "한국어 노래 제목",
    "Привет, мир",
    "👩‍👩‍👧‍👦 Family 🏳️‍🌈 Pride 👍🏽",
    "🎵🎶🎸🔥💯",
    "Line\nBreak\rCarriage\tTab",
    "Nul\x00Byte\x01\x02\x1f and DEL\x7f",
    "AC/DC/Back/Slash\\Mixed",
    "..",
    "../../etc/passwd",
    "..\\..\\Windows\\System32",
    '=HYPERLINK("http://evil.example","click")',
    "+1 Plus Start",
    "-2 Minus Start",
    "@SUM(A1:A9)",
    "CON",
    "NUL.txt",
    "com1",
    "LPT9.m3u8",
    "L" + "o" * 497 + "ng",
    "‮Right-to-left override‬ txt.exe",
    "Zero\u200bWidth\u200cJoiner\u200dMarks\ufeff",
    "   leading and trailing spaces   ",
    "\"Quoted\" 'name'; DROP TABLE songs;--",
    "<script>alert(1)</script>",
    'Tab\tSeparated,Comma,"Quote"',
    "Duplicate Name",
    "Duplicate Name",
)


class NameMaker:
    """Seeded name source; hostile names come round-robin from :data:`HOSTILE_NAMES`."""

    def __init__(self, rng: random.Random, hostile_fraction: float) -> None:
        self._rng = rng
        self._hostile_fraction = hostile_fraction
        self._hostile_index = 0

    def _hostile(self) -> str | None:
        if self._rng.random() < self._hostile_fraction:
            name = HOSTILE_NAMES[self._hostile_index % len(HOSTILE_NAMES)]
            self._hostile_index += 1
            return name
        return None

    def title(self) -> str:
        """A song, album or playlist title."""
        hostile = self._hostile()
        if hostile is not None:
            return hostile
        rng = self._rng
        return f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}{rng.choice(SUFFIXES)}"

    def artist(self) -> str:
        """An artist or band name."""
        hostile = self._hostile()
        if hostile is not None:
            return hostile
        rng = self._rng
        if rng.random() < 0.5:
            return f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
        return f"The {rng.choice(ADJECTIVES)} {rng.choice(BAND_WORDS)}"

    def genre(self) -> str:
        """One genre name."""
        return self._rng.choice(GENRES)
