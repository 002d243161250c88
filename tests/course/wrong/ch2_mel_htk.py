# task: ch2-mel
# feedback: HTK mel scale
# A typical mistake: the HTK mel scale, not Slaney's (the book's, librosa's default).
import librosa


def mel_filterbank(sample_rate, n_fft, n_mels):
    return librosa.filters.mel(
        sr=sample_rate, n_fft=n_fft, n_mels=n_mels, fmax=sample_rate / 2, htk=True
    )
