"""The Free Spoken Digit Dataset (FSDD): find, download, verify, load and split.

Introduced in "Listening to the data" (``book/00_data.ipynb``) and used by every chapter.

Where the recordings come from, in this order:

1. a directory passed as ``load_fsdd(directory)``;
2. the directory named by the environment variable ``FSDD_DIR``;
3. a verified copy in the cache (``SPEECH_AE_CACHE``, default: the user cache
   folder given by ``pooch.os_cache("speech-autoencoders")``);
4. a download of the commit-pinned archive of FSDD v1.0.10 with ``pooch``
   (skipped when ``SPEECH_AE_NO_DOWNLOAD=1``), from GitHub or from the mirror
   named by ``SPEECH_AE_FSDD_URL`` (an archive in FSDD's layout: GitHub's own
   zip of the pinned commit, served from a classroom or company server);
5. otherwise the offline fallback corpus of :mod:`utils.synthetic`, announced
   in one visible line. ``SPEECH_AE_SYNTHETIC=1`` asks for it directly.

Before any use, every one of the 3,000 files is checked against the SHA-256
manifest shipped with this package. GitHub does not promise byte-stable zip
archives, so the *files* are checked, never the zip.

``python -m utils.data`` fetches and verifies the dataset once, in a terminal
(``make book`` does it before executing the chapters).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pathlib
import re
import shutil
import tempfile
import textwrap
import wave
import zipfile
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from .download import LINE_WIDTH, explain_download_error, fetch

#: Commit of FSDD tag v1.0.10 (6 speakers, 3,000 recordings).
FSDD_COMMIT = "d6938f9bf1545aa66d8489fc9f1385a7abd64282"
FSDD_URL = f"https://github.com/Jakobovski/free-spoken-digit-dataset/archive/{FSDD_COMMIT}.zip"
#: Folder inside the archive that holds the WAV files.
FSDD_ARCHIVE_FOLDER = f"free-spoken-digit-dataset-{FSDD_COMMIT}/recordings/"
#: Per-file SHA-256 digests of the 3,000 recordings (``sha256sum`` format).
MANIFEST_PATH = pathlib.Path(__file__).with_name("fsdd_sha256sums.txt")
FSDD_CREDIT = (
    "Free Spoken Digit Dataset v1.0.10 (Z. Jackson et al., "
    "github.com/Jakobovski/free-spoken-digit-dataset), CC BY-SA 4.0"
)
#: Takes 0-4 of every digit and speaker form the official test split.
OFFICIAL_TEST_TAKES = range(0, 5)

_FILE_NAME = re.compile(r"^(\d)_([a-z]+)_(\d+)\.wav$")


class DatasetError(RuntimeError):
    """The recordings are missing, incomplete or corrupt. The message says which and what to do."""


@dataclasses.dataclass(frozen=True, eq=False)
class Recording:
    """One utterance of a spoken digit.

    Attributes
    ----------
    audio : float32 array of shape (n_samples,), samples in [-1, 1]
    sample_rate : int, Hz (8,000 for FSDD)
    digit : int, 0-9, the digit that is spoken
    speaker : str, e.g. ``"george"``
    take : int, 0-49, the index of the take (0-4 are the official test split)
    """

    audio: np.ndarray
    sample_rate: int
    digit: int
    speaker: str
    take: int

    @property
    def name(self) -> str:
        """File name in FSDD's scheme, ``{digit}_{speaker}_{take}.wav``."""
        return f"{self.digit}_{self.speaker}_{self.take}.wav"

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.audio.size / self.sample_rate

    def __repr__(self) -> str:
        return f"Recording({self.name}, {self.duration:.2f} s)"


class Corpus(Sequence):
    """An ordered collection of :class:`Recording` with the metadata of where it came from.

    ``source`` is one of ``"directory"``, ``"cache"``, ``"download"`` or
    ``"synthetic"``; ``is_synthetic`` tells whether it is the offline fallback
    (synthetic speech) rather than the real recordings.
    """

    def __init__(self, recordings: Iterable[Recording], *, source: str, location: str = ""):
        self.recordings = list(recordings)
        self.source = source
        self.location = location

    # Sequence protocol ---------------------------------------------------
    def __len__(self) -> int:
        return len(self.recordings)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Corpus(self.recordings[index], source=self.source, location=self.location)
        return self.recordings[index]

    def __iter__(self) -> Iterator[Recording]:
        return iter(self.recordings)

    def __repr__(self) -> str:
        return (
            f"Corpus({len(self)} recordings, {len(self.speakers)} speakers, "
            f"{self.total_duration / 60:.1f} min, source={self.source!r})"
        )

    # Metadata -------------------------------------------------------------
    @property
    def is_synthetic(self) -> bool:
        """True for the offline fallback corpus, False for real recorded speech."""
        return self.source == "synthetic"

    @property
    def is_real(self) -> bool:
        """True when these are the real FSDD recordings."""
        return not self.is_synthetic

    @property
    def speakers(self) -> list[str]:
        """Speaker names, sorted."""
        return sorted({r.speaker for r in self.recordings})

    @property
    def digits(self) -> np.ndarray:
        """Digit label of each recording, shape (n_recordings,), int."""
        return np.array([r.digit for r in self.recordings], dtype=int)

    @property
    def durations(self) -> np.ndarray:
        """Duration of each recording in seconds, shape (n_recordings,)."""
        return np.array([r.duration for r in self.recordings])

    @property
    def total_duration(self) -> float:
        """Total duration in seconds."""
        return float(self.durations.sum()) if self.recordings else 0.0

    @property
    def sample_rate(self) -> int:
        """The common sample rate in Hz."""
        rates = {r.sample_rate for r in self.recordings}
        if len(rates) != 1:
            raise ValueError(f"the recordings do not share one sample rate: {sorted(rates)} Hz")
        return rates.pop()

    # Selection and splits ---------------------------------------------------
    def where(self, *, digit=None, speaker=None, take=None) -> Corpus:
        """The recordings that match every criterion given (a value or a collection of values)."""

        def matches(value, wanted):
            if wanted is None:
                return True
            if isinstance(wanted, (str, int, np.integer)):
                return value == wanted
            return value in set(wanted)

        for wanted, what, known in ((speaker, "speaker", self.speakers),):
            if isinstance(wanted, str) and wanted not in known:
                raise ValueError(f"unknown {what} {wanted!r}; this corpus has {known}.")
        chosen = [
            r
            for r in self.recordings
            if matches(r.digit, digit) and matches(r.speaker, speaker) and matches(r.take, take)
        ]
        return Corpus(chosen, source=self.source, location=self.location)

    def official_split(self) -> tuple[Corpus, Corpus]:
        """FSDD's official split: ``(train, test)``, takes 5-49 train and takes 0-4 test."""
        test_takes = set(OFFICIAL_TEST_TAKES)
        train = [r for r in self.recordings if r.take not in test_takes]
        test = [r for r in self.recordings if r.take in test_takes]
        return (
            Corpus(train, source=self.source, location=self.location),
            Corpus(test, source=self.source, location=self.location),
        )

    def speaker_split(self, held_out: str | Sequence[str] | None = None) -> tuple[Corpus, Corpus]:
        """A split that holds out whole speakers: ``(train, test)``.

        ``held_out`` is a speaker name or a list of names; by default the last
        speaker in alphabetical order. Every take of the held-out speakers goes
        to ``test``, every take of the others to ``train``.
        """
        if held_out is None:
            held_out = [self.speakers[-1]]
        elif isinstance(held_out, str):
            held_out = [held_out]
        unknown = sorted(set(held_out) - set(self.speakers))
        if unknown:
            raise ValueError(f"unknown speaker(s) {unknown}; this corpus has {self.speakers}.")
        if set(held_out) == set(self.speakers):
            raise ValueError("holding out every speaker leaves nothing to train on.")
        held = set(held_out)
        train = [r for r in self.recordings if r.speaker not in held]
        test = [r for r in self.recordings if r.speaker in held]
        return (
            Corpus(train, source=self.source, location=self.location),
            Corpus(test, source=self.source, location=self.location),
        )

    def describe(self) -> str:
        """One line that says what this corpus is and where it came from."""
        if self.is_synthetic:
            return (
                "OFFLINE FALLBACK: the real recordings could not be found or downloaded, "
                f"so this notebook uses {len(self)} synthetic spoken-digit-like utterances "
                "generated by utils.synthetic. "
                "Figures and audio are not real speech; claims about speech are not checked."
            )
        return (
            f"Free Spoken Digit Dataset: {len(self)} recordings from "
            f"{len(self.speakers)} speakers, {self.total_duration / 60:.1f} minutes, "
            f"loaded from {self.source} ({self.location})."
        )


# ----------------------------------------------------------------------------
# Manifest and verification
# ----------------------------------------------------------------------------
def read_manifest(path: str | os.PathLike = MANIFEST_PATH) -> dict[str, str]:
    """Read a ``sha256sum``-style manifest: returns ``{file name: hex digest}``."""
    manifest = {}
    for line_number, line in enumerate(pathlib.Path(path).read_text().splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 2 or len(parts[0]) != 64:
            raise DatasetError(
                f"{path}, line {line_number}: expected '<sha256>  <file name>', got {line!r}"
            )
        manifest[parts[1].lstrip("*")] = parts[0].lower()
    return manifest


def verify_directory(directory: str | os.PathLike, manifest: dict[str, str]) -> dict[str, bytes]:
    """Read every file of ``manifest`` from ``directory`` and check its SHA-256.

    Returns ``{file name: file bytes}``. Raises :class:`DatasetError` naming how
    many files are missing or corrupt (and a few examples).
    """
    directory = pathlib.Path(directory)
    if not directory.is_dir():
        raise DatasetError(f"{directory} is not a directory.")
    contents, missing, corrupt = {}, [], []
    for name, digest in manifest.items():
        path = directory / name
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            missing.append(name)
            continue
        if hashlib.sha256(data).hexdigest() != digest:
            corrupt.append(name)
            continue
        contents[name] = data
    if missing or corrupt:
        problems = []
        if missing:
            problems.append(f"{len(missing)} missing (e.g. {', '.join(missing[:3])})")
        if corrupt:
            problems.append(f"{len(corrupt)} corrupt (e.g. {', '.join(corrupt[:3])})")
        raise DatasetError(
            f"{directory} does not hold a complete, intact copy of FSDD v1.0.10: "
            f"{' and '.join(problems)} of {len(manifest)} files."
        )
    return contents


def decode_wav(data: bytes, name: str = "recording") -> tuple[np.ndarray, int]:
    """Decode 16-bit PCM WAV bytes to ``(audio, sample_rate)``.

    ``audio`` is float32 in [-1, 1], shape (n_samples,); ``sample_rate`` in Hz.

    Multi-channel files are refused with a ``ValueError``.
    """
    try:
        with wave.open(io.BytesIO(data)) as reader:
            channels, width, rate = (
                reader.getnchannels(),
                reader.getsampwidth(),
                reader.getframerate(),
            )
            frames = reader.readframes(reader.getnframes())
    except (wave.Error, EOFError) as error:
        raise DatasetError(f"{name} is not a readable WAV file ({error}).") from error
    if channels != 1:
        raise ValueError(f"{name} has {channels} channels; the book expects mono recordings.")
    if width != 2:
        raise ValueError(f"{name} uses {8 * width}-bit samples; the book expects 16-bit PCM.")
    audio = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    return audio, rate


def recordings_from_files(contents: dict[str, bytes]) -> list[Recording]:
    """Decode ``{file name: WAV bytes}`` into recordings, ordered by speaker, digit and take."""
    recordings = []
    for name, data in contents.items():
        match = _FILE_NAME.match(name)
        if match is None:
            raise DatasetError(
                f"unexpected file name {name!r}; expected '{{digit}}_{{speaker}}_{{take}}.wav'."
            )
        audio, rate = decode_wav(data, name)
        recordings.append(
            Recording(
                audio=audio,
                sample_rate=rate,
                digit=int(match[1]),
                speaker=match[2],
                take=int(match[3]),
            )
        )
    recordings.sort(key=lambda r: (r.speaker, r.digit, r.take))
    return recordings


# ----------------------------------------------------------------------------
# Cache and download
# ----------------------------------------------------------------------------
def default_cache_dir() -> pathlib.Path:
    """Where downloaded data is kept: ``$SPEECH_AE_CACHE`` or the user's cache folder."""
    if os.environ.get("SPEECH_AE_CACHE"):
        return pathlib.Path(os.environ["SPEECH_AE_CACHE"]).expanduser()
    import pooch

    return pathlib.Path(pooch.os_cache("speech-autoencoders"))


def safe_extract(archive: str | os.PathLike, folder: str, target: str | os.PathLike) -> list[str]:
    """Extract the files under ``folder`` of a zip archive into ``target``, refusing unsafe paths.

    A member whose path is absolute, contains ``..``, or would otherwise land
    outside ``target`` raises :class:`DatasetError` before anything of it is
    written. Returns the names of the files written.
    """
    target = pathlib.Path(target).resolve()
    written = []
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = zipped.infolist()
            for member in members:
                name = member.filename
                parts = pathlib.PurePosixPath(name).parts
                if name.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", name):
                    raise DatasetError(
                        f"refusing to extract {name!r}: it points outside the target folder."
                    )
            for member in members:
                if member.is_dir() or not member.filename.startswith(folder):
                    continue
                relative = member.filename[len(folder) :]
                destination = (target / relative).resolve()
                if target not in destination.parents:
                    raise DatasetError(
                        f"refusing to extract {member.filename!r}: it points outside {target}."
                    )
                destination.parent.mkdir(parents=True, exist_ok=True)
                with zipped.open(member) as source, open(destination, "wb") as sink:
                    shutil.copyfileobj(source, sink)
                written.append(relative)
    except zipfile.BadZipFile as error:
        name = pathlib.Path(archive).name
        raise DatasetError(f"{name} is not a valid zip archive ({error}).") from error
    return written


def mirror_url() -> str:
    """The archive to download: ``$SPEECH_AE_FSDD_URL`` (a mirror), else :data:`FSDD_URL`."""
    return os.environ.get("SPEECH_AE_FSDD_URL", "").strip() or FSDD_URL


def _install(staging: pathlib.Path, final: pathlib.Path) -> pathlib.Path:
    """Rename the verified ``staging`` folder to ``final``; an old copy goes once replaced."""
    if final.exists():
        old = final.with_name(f"recordings.old-{os.getpid()}")
        final.rename(old)
        staging.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(final)
    return final


def download_fsdd(
    cache_dir: str | os.PathLike,
    *,
    url: str | None = None,
    folder: str = FSDD_ARCHIVE_FOLDER,
    manifest: dict[str, str] | None = None,
    progressbar: bool = True,
) -> pathlib.Path:
    """Download the pinned FSDD archive, extract, verify, and install it in ``cache_dir``.

    ``url`` defaults to :func:`mirror_url`. The archive is kept in the cache
    (``fsdd.zip``) so a damaged folder can be rebuilt without the network; it
    appears there only once complete (:func:`utils.download.fetch`). Files are
    extracted into a temporary folder beside the cache and verified against
    ``manifest``; only then is the folder renamed to ``cache_dir/recordings``,
    so a failure (or an interruption) never leaves a half-written copy in
    place, and never deletes a good one. A corrupt archive is fetched once
    more before giving up. Returns the path of the verified recordings folder.
    """
    url = mirror_url() if url is None else url
    manifest = read_manifest() if manifest is None else manifest
    cache_dir = pathlib.Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    for pattern in ("recordings.partial-*", "recordings.old-*"):  # left by an interrupted run
        for leftover in cache_dir.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)
    archive = cache_dir / "fsdd.zip"
    last_error = None
    for attempt in range(2):
        if attempt or not archive.exists():
            archive.unlink(missing_ok=True)
            fetch(url, archive, progressbar=progressbar)
        staging = pathlib.Path(tempfile.mkdtemp(prefix="recordings.partial-", dir=cache_dir))
        try:
            safe_extract(archive, folder, staging)
            verify_directory(staging, manifest)
            return _install(staging, cache_dir / "recordings")
        except DatasetError as error:
            if "refusing to extract" in str(error):
                archive.unlink(missing_ok=True)
                raise
            last_error = str(error).replace(str(staging), "the archive")
        finally:  # after the rename nothing is left here; after any failure, nothing half-written
            shutil.rmtree(staging, ignore_errors=True)
    archive.unlink(missing_ok=True)
    raise DatasetError(f"the archive was damaged or incomplete, twice ({last_error})")


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def load_fsdd(
    directory: str | os.PathLike | None = None,
    *,
    cache_dir: str | os.PathLike | None = None,
    download: bool | None = None,
    url: str | None = None,
    archive_folder: str = FSDD_ARCHIVE_FOLDER,
    manifest_path: str | os.PathLike = MANIFEST_PATH,
    verbose: bool = True,
    fallback: bool = True,
) -> Corpus:
    """Load the Free Spoken Digit Dataset (3,000 recordings at 8 kHz), or the offline fallback.

    Parameters
    ----------
    directory : folder with the 3,000 WAV files. Default: ``$FSDD_DIR``.
    cache_dir : where downloads are kept. Default: :func:`default_cache_dir`.
    download : allow a download when no copy is found. Default: true unless
        ``SPEECH_AE_NO_DOWNLOAD=1``.
    url : the archive to download. Default: ``$SPEECH_AE_FSDD_URL`` (a mirror) or GitHub's.
    archive_folder, manifest_path : the folder of WAV files inside the archive and the
        SHA-256 manifest (tests point these at data they make).
    verbose : print one line saying what was loaded (always printed for the fallback, with
        the reason the real recordings could not be had).
    fallback : return the offline fallback corpus when no real copy can be had (else raise).

    Returns
    -------
    Corpus of :class:`Recording`, ordered by speaker, digit and take. Use
    ``corpus.official_split()`` and ``corpus.speaker_split(name)`` for splits.

    Raises
    ------
    DatasetError
        when a directory was named but is incomplete or corrupt (a named
        directory is never silently replaced by other data).
    """
    manifest = read_manifest(manifest_path)
    explicit = directory is not None
    if directory is None and not _flag("SPEECH_AE_SYNTHETIC"):
        directory = os.environ.get("FSDD_DIR") or None

    corpus = None
    if directory is not None:
        contents = verify_directory(directory, manifest)
        corpus = Corpus(
            recordings_from_files(contents), source="directory", location=str(directory)
        )
    elif not _flag("SPEECH_AE_SYNTHETIC"):
        cache_dir = pathlib.Path(cache_dir) if cache_dir is not None else default_cache_dir()
        cached = cache_dir / "recordings"
        if cached.is_dir():
            try:
                contents = verify_directory(cached, manifest)
                corpus = Corpus(
                    recordings_from_files(contents), source="cache", location=str(cached)
                )
            except DatasetError as error:
                say(f"The cached copy of FSDD is damaged ({error}); fetching it again.")
        if corpus is None:
            allowed = (not _flag("SPEECH_AE_NO_DOWNLOAD")) if download is None else download
            url = mirror_url() if url is None else url
            if allowed:
                try:
                    folder = download_fsdd(
                        cache_dir, url=url, folder=archive_folder, manifest=manifest
                    )
                    contents = verify_directory(folder, manifest)
                    corpus = Corpus(
                        recordings_from_files(contents), source="download", location=str(folder)
                    )
                except Exception as error:  # no network, server error, bad archive: say so
                    say(download_failure(error, url))
    if corpus is None:
        if explicit:
            raise DatasetError(f"no recordings found in {directory}")
        if not fallback:
            raise DatasetError("No verified copy of FSDD could be found or downloaded.")
        from .synthetic import synthetic_corpus

        corpus = synthetic_corpus()
        say(corpus.describe())
        return corpus
    if verbose:
        say(corpus.describe())
    return corpus


def say(message: str) -> None:
    """Print ``message`` wrapped to the width of the web page's code column (no sideways scroll)."""
    print(textwrap.fill(message, LINE_WIDTH, break_long_words=True, break_on_hyphens=False))


def download_failure(error: BaseException, url: str) -> str:
    """What went wrong with a download, and what the reader can do about it, in plain words."""
    if isinstance(error, DatasetError):
        host = url.split("//", 1)[-1].split("/", 1)[0]
        reason = f"Could not download FSDD from {host}: {error}."
    else:
        reason = explain_download_error(error, url)
    return f"{reason} To use a mirror, set SPEECH_AE_FSDD_URL; to use a copy on disk, set FSDD_DIR."


def main() -> int:
    """``python -m utils.data``: find, download and verify FSDD once (progress in the terminal).

    Exits with 0 even when no copy can be had (the book then builds on the fallback), unless
    ``SPEECH_AE_REQUIRE_DATA=1``.
    """
    try:
        load_fsdd(fallback=False)
    except DatasetError as error:
        say(f"{error} The book will use its offline fallback corpus.")
        return 1 if _flag("SPEECH_AE_REQUIRE_DATA") else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
