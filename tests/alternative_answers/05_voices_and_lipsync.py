"""Lab 05: correct answers written differently from the reference, each keyed by its solution cell's grade_id.

The hidden tests must accept every one of them (positional arguments, np.interp instead of the min/max
formula, float32 and a loop, sliding windows). Each value is the source of a replacement solution cell.
"""

ANSWERS = {
    # positional arguments, power as z times its conjugate
    "power_spectrogram_sol": '''
def power_spectrogram(audio, sr, win, hop, n_fft):
    f, t, z = signal.stft(audio, sr, "hann", win, win - hop, n_fft)
    return f, t, (z * np.conj(z)).real
''',
    # np.interp through (low, 0), (centre, 1), (high, 0), in float32
    "mel_filterbank_sol": '''
def hz_to_mel(f):
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=float) / 700.0)


def mel_to_hz(m):
    return 700.0 * (10.0 ** (np.asarray(m, dtype=float) / 2595.0) - 1.0)


def mel_filterbank(n_mels, n_fft, sr):
    edges = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(sr / 2), n_mels + 2))
    bins = np.fft.rfftfreq(n_fft, 1.0 / sr)
    bank = np.zeros((n_mels, len(bins)), np.float32)
    for i in range(n_mels):
        bank[i] = np.interp(bins, edges[i:i + 3], [0.0, 1.0, 0.0])
    return bank
''',
    # float32 arithmetic, a running sum in a loop
    "yin_cmnd_sol": '''
def cmnd(frame, window, max_lag):
    x = np.asarray(frame, dtype=np.float32)
    d = np.empty(max_lag + 1, np.float32)
    for tau in range(max_lag + 1):
        diff = x[:window] - x[tau:tau + window]
        d[tau] = diff @ diff
    out = np.ones(max_lag + 1, np.float32)
    running = np.float32(0.0)
    for tau in range(1, max_lag + 1):
        running += d[tau]
        out[tau] = d[tau] * tau / running if running > 0 else 1.0
    return out
''',
    # sliding windows and a dictionary of mean distances
    "av_offset_sol": '''
def estimate_offset(video, audio, max_offset=10, window=5):
    v, a = np.asarray(video, dtype=float), np.asarray(audio, dtype=float)
    v, a = (v - v.mean()) / (v.std() + 1e-9), (a - a.mean()) / (a.std() + 1e-9)
    vw = np.lib.stride_tricks.sliding_window_view(v, window)
    aw = np.lib.stride_tricks.sliding_window_view(a, window)
    ts = np.arange(max_offset, len(v) - window + 1 - max_offset)
    means = {k: float(np.linalg.norm(vw[ts] - aw[ts + k], axis=1).mean()) for k in range(-max_offset, max_offset + 1)}
    best = min(means, key=means.get)
    return best, float(np.median(list(means.values())) - means[best])
''',
}
