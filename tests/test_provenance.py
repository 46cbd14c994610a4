"""course_lib.provenance: watermarks survive the attacks they claim to, fail where they should, and signatures
(by hand and C2PA, for real, offline) never call an edited, re-encoded or wrongly signed file valid."""
import numpy as np
import pytest

from course_lib import faces, media, provenance as P, synth

KEY = 1234


@pytest.fixture(scope="module")
def faces64():
    return synth.render_batch([synth.identity(i) for i in range(4)], synth.random_states(4, 11), size=64).images


@pytest.fixture(scope="module")
def face256():
    return synth.render_batch([synth.identity(3)], synth.random_states(1, 5), size=256).images[0]


@pytest.fixture(scope="module")
def voice():
    return synth.speak(synth.cast(list(synth.CAST)[0]), " ".join(synth.SENTENCES[:2])).audio


BITS = P.random_bits(32, seed=9)


def test_hamming_corrects_one_flipped_bit_in_every_word():
    coded = P.hamming_encode(BITS).astype(float)
    coded[::7] = 1 - coded[::7]  # one error per 7-bit word
    assert np.array_equal(P.hamming_decode(coded * 2 - 1), BITS), "Hamming(7,4) did not correct single-bit errors"


def test_mark_is_invisible_at_the_target_psnr(faces64, face256):
    for img in [*faces64, face256]:
        assert P.psnr_db(P.embed(img, BITS, KEY, psnr=40), img) >= 39, "the mark is louder than its PSNR target"


@pytest.mark.parametrize("attack", [lambda m: P.jpeg(m, 70), lambda m: P.resize(m, 0.75), lambda m: P.noise(m, 0.01),
                                    lambda m: P.brightness(m, 0.1),
                                    lambda m: P.crop(m, 0.25)],
                         ids=["jpeg70", "resize075", "noise", "brightness", "crop"])
def test_bits_survive_common_attacks_on_small_and_large_faces(faces64, face256, attack):
    for img in [*faces64, face256]:
        attacked = attack(P.embed(img, BITS, KEY))
        acc = P.bit_accuracy(P.decode(attacked, KEY), BITS)
        assert acc >= 0.99, f"after the attack only {acc:.2f} of the bits came back on a {img.shape[0]}px face"


def test_detector_says_marked_only_with_the_right_key(face256):
    marked = P.jpeg(P.embed(face256, BITS, KEY), 70)
    assert P.detect(marked, KEY).marked, "a marked, JPEG-compressed face was not detected"
    assert not P.detect(marked, KEY + 1).marked, "another key's detector claimed the mark"
    assert not P.detect(face256, KEY).marked, "an unmarked face was called marked"


def test_false_positive_rate_on_unmarked_faces_stays_at_the_target():
    imgs = synth.render_batch([synth.identity(i) for i in range(200)], synth.random_states(200, 2), size=64).images
    fixed = np.array([P.detect(img, KEY).score for img in imgs])
    threshold = P.detect(imgs[0], KEY).threshold
    assert np.sum(fixed > threshold) <= 1, f"{np.sum(fixed > threshold)} of 200 unmarked faces passed the 0.1% threshold"
    assert np.mean(fixed > 1.645) <= 0.1, f"{np.mean(fixed > 1.645):.2f} of unmarked faces passed the 5% threshold"
    # Over keys (the normal approximation's own setting) the score is close to N(0, 1).
    by_key = np.array([P.detect(img, 1000 + i).score for i, img in enumerate(imgs[:50])])
    assert abs(by_key.mean()) < 0.35 and 0.6 < by_key.std() < 1.3, "unmarked scores over keys are not about N(0, 1)"


def test_tamper_map_finds_a_pasted_face(face256):
    states = synth.random_states(1, 4)
    r = synth.render_batch([synth.identity(20), synth.identity(21)], [states[0], states[0]], size=256)
    truth = faces.hull_mask(r.landmarks[0], (256, 256))
    marked = P.embed(r.images[0], BITS, KEY)
    fake = P.jpeg(marked * (1 - truth[..., None]) + r.images[1] * truth[..., None], 90)
    assert P.iou(P.tamper_map(fake, KEY), truth) >= 0.7, "the tamper map missed the swapped face region"
    assert not P.tamper_map(P.jpeg(marked, 90), KEY).any(), "the tamper map flagged an untouched marked face"


def test_voice_mark_survives_aac_96k_and_resampling_but_not_another_key(voice):
    marked = P.embed_audio(voice, BITS, KEY)
    assert P.snr_db(marked, voice) > 10, "the voice mark is louder than the course promises"
    assert P.bit_accuracy(P.decode_audio(P.aac(marked, 96), KEY), BITS) >= 0.95, "AAC 96k removed the voice mark"
    assert P.bit_accuracy(P.decode_audio(P.resample(marked, 8000), KEY), BITS) >= 0.95, "resampling removed it"
    assert P.bit_accuracy(P.decode_audio(voice, KEY), BITS) < 0.9, "an unmarked voice decoded to the payload"


def test_bad_inputs_name_the_argument():
    img = np.zeros((64, 64, 3), np.float32)
    with pytest.raises(ValueError, match="bits"):
        P.embed(img, [0, 1, 2], KEY)
    with pytest.raises(ValueError, match="psnr"):
        P.embed(img, BITS, KEY, psnr=5)
    with pytest.raises(ValueError, match="at least 32"):
        P.embed(np.zeros((16, 16, 3), np.float32), BITS, KEY)
    with pytest.raises(ValueError, match="quality"):
        P.jpeg(img, 0)
    with pytest.raises(ValueError, match="too short"):
        P.embed_audio(np.zeros(1600, np.float32), BITS, KEY)


@pytest.fixture(scope="module")
def files(tmp_path_factory, face256):
    import imageio.v3 as iio

    d = tmp_path_factory.mktemp("prov")
    jpg = d / "face.jpg"
    iio.imwrite(jpg, media.to_uint8(face256), quality=95)
    mp4 = media.write_mp4(d / "clip.mp4", np.repeat(face256[None, :128, :128], 5, axis=0),
                          audio=np.zeros(3200, np.float32))
    return d, jpg, mp4


def test_hand_signed_manifest_tells_valid_changed_and_bad_signature(files):
    d, jpg, _ = files
    key = P.new_signing_key()
    signed = P.sign_manifest(P.make_manifest(jpg, "newsroom", ["created"]), key)
    assert P.verify_manifest(signed, jpg, key.public_key()).status == P.VALID
    reencoded = d / "reencoded.jpg"
    import imageio.v3 as iio

    iio.imwrite(reencoded, iio.imread(jpg), quality=80)
    verdict = P.verify_manifest(signed, reencoded, key.public_key())
    assert verdict.status == P.CHANGED and "same picture" in verdict.detail, verdict
    assert P.verify_manifest(signed, jpg, P.new_signing_key().public_key()).status == P.BAD_SIGNATURE
    forged = {**signed, "manifest": {**signed["manifest"], "creator": "someone else"}}
    assert P.verify_manifest(forged, jpg, key.public_key()).status == P.BAD_SIGNATURE


@pytest.fixture(scope="module")
def credentials():
    return P.make_credentials()


@pytest.mark.parametrize("name", ["face.jpg", "clip.mp4"])
def test_c2pa_roundtrip_is_valid_but_untrusted_until_the_root_is_trusted(files, credentials, name):
    d = files[0]
    signed = P.c2pa_sign(d / name, d / f"signed-{name}", credentials)
    verdict = P.c2pa_verify(signed)
    assert verdict.status == P.VALID and not verdict.trusted, verdict
    assert P.c2pa_verify(signed, trust_root=credentials.root_pem).trusted, "the course's own root was not trusted"
    assert P.c2pa_verify(d / name).status == P.NO_MANIFEST


@pytest.mark.parametrize("name", ["face.jpg", "clip.mp4"])
def test_c2pa_never_calls_an_edited_file_valid(files, credentials, name):
    d = files[0]
    data = P.c2pa_sign(d / name, d / f"s2-{name}", credentials).read_bytes()
    edited = bytearray(data)
    edited[-300] ^= 0xFF  # a change in the picture data, far from the manifest
    (d / f"edited-{name}").write_bytes(bytes(edited))
    assert P.c2pa_verify(d / f"edited-{name}").status == P.CHANGED
    (d / f"forged-{name}").write_bytes(data.replace(b"deepfake-lab", b"deepfake-LAB"))  # a change in the signed claim
    assert P.c2pa_verify(d / f"forged-{name}").status == P.BAD_SIGNATURE


def test_a_full_hd_frame_and_every_frame_of_a_clip_carry_the_mark():
    face = np.kron(synth.render(synth.cast("ada"), size=180)[0], np.ones((6, 6, 1)))  # 1080×1080
    frame = np.clip(np.tile(face, (1, 2, 1))[:, :1920], 0, 1)  # a full-HD frame, 1080×1920
    assert P.bit_accuracy(P.decode(P.jpeg(P.embed(frame, BITS, KEY), 70), KEY), BITS) == 1.0
    clip = P.embed_frames(np.stack([frame[:256, :256]] * 3), BITS, KEY)
    assert all(P.bit_accuracy(P.decode(f, KEY), BITS) == 1.0 for f in clip), "a marked clip frame lost bits"


def test_c2pa_reports_a_reencoded_file_as_unsigned_and_a_strangers_chain_as_untrusted(files, credentials):
    import imageio.v3 as iio

    d, jpg, _ = files
    signed = P.c2pa_sign(jpg, d / "s3-face.jpg", credentials)
    iio.imwrite(d / "reencoded-face.jpg", iio.imread(signed), quality=90)
    assert P.c2pa_verify(d / "reencoded-face.jpg").status == P.NO_MANIFEST, "a re-encoded file kept its manifest"
    stranger = P.c2pa_sign(jpg, d / "stranger-face.jpg", P.make_credentials("Someone Else"))
    verdict = P.c2pa_verify(stranger, trust_root=credentials.root_pem)
    assert verdict.status == P.VALID and not verdict.trusted, f"a stranger's signature was trusted: {verdict}"
