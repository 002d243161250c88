"""Chapter 5 benchmark (too slow for the page): hold out each FSDD speaker in turn, full recipe.

For each speaker s: train the chapter's LSTM autoencoder (d = 64, the full recipe of
utils.sequences.train: EPOCHS epochs) on takes 5-49 of the other five speakers, then classify
digits with utils.recognition's classifier trained on every recording of the other speakers and
tested on all of s's recordings; same for 13 MFCC means and 20 MFCC means + deviations, computed
on the same trimmed words the embedding reads (issue 15). The chapter's page
(book/05_sequence_autoencoders.ipynb) runs the same loop with a shorter training (its
LOSO_EPOCHS) to fit its time budget; this script keeps the full recipe. Prints one row per speaker
and the mean.

The model, the data preparation and the recipe come from utils.sequences, the module both parts
of the chapter use, so this script cannot drift from the chapter.

    FSDD_DIR=... .venv/bin/python benchmarks/ch5_held_out_speakers.py
"""

import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import utils  # noqa: E402

utils.setup_notebook(0)
import numpy as np  # noqa: E402

from utils import features  # noqa: E402
from utils.data import load_fsdd  # noqa: E402
from utils.recognition import accuracy, log_mel_mfcc_statistics  # noqa: E402
from utils.sequences import (  # noqa: E402
    MAX_FRAMES,
    join,
    sequence_autoencoder,
    standardize_and_pad,
    train,
    words_from_log_mels,
)


def main():
    corpus = load_fsdd()
    words = words_from_log_mels(features.corpus_log_mels(corpus))
    takes = np.array([r.take for r in corpus])
    speakers = np.array([r.speaker for r in corpus])
    digits = corpus.digits
    baselines = {
        "13 MFCC means": log_mel_mfcc_statistics(words, 13, ("mean",)),
        "20 MFCC means+std": log_mel_mfcc_statistics(words, 20, ("mean", "std")),
    }
    rows = []
    for held_out in corpus.speakers:
        start = time.time()
        utils.runtime.seed_everything(0)
        heard, unheard = speakers != held_out, speakers == held_out
        train_rows = heard & (takes >= 5)
        _, X, mask = standardize_and_pad(words, train_rows)
        # sequence_autoencoder returns (encoder, decoder_for), not (autoencoder, encoder)
        encoder, decoder_for = sequence_autoencoder(64)
        autoencoder = join(encoder, decoder_for(MAX_FRAMES))
        train(autoencoder, [X[train_rows], mask[train_rows]], X[train_rows], mask[train_rows])
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
