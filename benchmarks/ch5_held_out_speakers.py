"""Chapter 5 benchmark (too slow for the page): hold out each FSDD speaker in turn.

For each speaker s: train the chapter's LSTM autoencoder (d = 64, same recipe and epochs as the
notebook) on takes 5-49 of the other five speakers, then classify digits with
utils.recognition.accuracy trained on every recording of the other speakers and tested on all of
s's recordings; same for 13 MFCC means and 20 MFCC means + deviations. Prints one row per speaker
and the mean.

The model and its training constants are taken from the notebook itself (the top-level definitions
of ``sequence_autoencoder`` and the constants it uses), so this script can never drift from the
chapter.

    FSDD_DIR=... .venv/bin/python benchmarks/ch5_held_out_speakers.py
"""

import ast
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import utils  # noqa: E402

utils.setup_notebook(0)
import keras  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers, ops  # noqa: E402

from utils import features  # noqa: E402
from utils.data import load_fsdd  # noqa: E402
from utils.recognition import accuracy, mfcc_statistics  # noqa: E402
from utils.sequences import pad_sequences, trim_silence  # noqa: E402

NOTEBOOK = ROOT / "book" / "05_sequence_autoencoders.ipynb"
WANTED = {
    "sequence_autoencoder",
    "N_MELS",
    "STRIDE",
    "MAX_FRAMES",
    "EPOCHS",
    "BATCH_SIZE",
    "LEARNING_RATE",
}


def definitions_from_notebook(path=NOTEBOOK):
    """Execute only the notebook's top-level definitions named in WANTED; return them as a dict."""
    namespace = {"keras": keras, "layers": layers, "ops": ops, "np": np, "features": features}
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        for node in ast.parse(cell.source).body:
            names = (
                {node.name}
                if isinstance(node, ast.FunctionDef)
                else {
                    t.id
                    for target in getattr(node, "targets", [])
                    for t in ast.walk(target)
                    if isinstance(t, ast.Name)
                }
            )
            if names & WANTED:
                exec(compile(ast.Module([node], []), str(path), "exec"), namespace)
    missing = WANTED - namespace.keys()
    if missing:
        raise RuntimeError(f"{path.name} no longer defines {sorted(missing)} at top level")
    return namespace


def main():
    chapter = definitions_from_notebook()
    sequence_autoencoder = chapter["sequence_autoencoder"]
    MAX_FRAMES, EPOCHS = chapter["MAX_FRAMES"], chapter["EPOCHS"]
    BATCH_SIZE, LEARNING_RATE = chapter["BATCH_SIZE"], chapter["LEARNING_RATE"]
    corpus = load_fsdd()
    words = [trim_silence(S)[:, :MAX_FRAMES] for S in features.corpus_log_mels(corpus)]
    takes = np.array([r.take for r in corpus])
    speakers = np.array([r.speaker for r in corpus])
    digits = corpus.digits
    baselines = {
        "13 MFCC means": mfcc_statistics(corpus, 13, ("mean",)),
        "20 MFCC means+std": mfcc_statistics(corpus, 20, ("mean", "std")),
    }
    rows = []
    for held_out in corpus.speakers:
        start = time.time()
        utils.runtime.seed_everything(0)
        heard, unheard = speakers != held_out, speakers == held_out
        train_rows = heard & (takes >= 5)
        standardizer = features.Standardizer().fit(
            features.frames([w for w, k in zip(words, train_rows, strict=True) if k])
        )
        X, mask = pad_sequences([standardizer.transform(w.T) for w in words], n_steps=MAX_FRAMES)
        autoencoder, encoder = sequence_autoencoder(64)
        autoencoder.compile(
            keras.optimizers.Adam(LEARNING_RATE),
            loss=keras.losses.MeanSquaredError(reduction="mean_with_sample_weight"),
        )
        autoencoder.fit(
            [X[train_rows], mask[train_rows]],
            X[train_rows],
            sample_weight=mask[train_rows],
            epochs=EPOCHS,
            batch_size=BATCH_SIZE,
            verbose=0,
        )
        E = encoder.predict([X, mask], batch_size=512, verbose=0)
        row = {
            "LSTM embedding d=64": accuracy(E[heard], digits[heard], E[unheard], digits[unheard])
        }
        row.update(
            {
                name: accuracy(F[heard], digits[heard], F[unheard], digits[unheard])
                for name, F in baselines.items()
            }
        )
        rows.append(row)
        print(
            f"{held_out:10s} "
            + "  ".join(f"{k}: {100 * v:5.1f} %" for k, v in row.items())
            + f"   ({time.time() - start:.0f} s)",
            flush=True,
        )
    print(
        f"{'mean':10s} "
        + "  ".join(f"{k}: {100 * np.mean([r[k] for r in rows]):5.1f} %" for k in rows[0])
    )


if __name__ == "__main__":
    main()
