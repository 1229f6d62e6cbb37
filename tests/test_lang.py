"""Language detection."""

from __future__ import annotations

import pandas as pd
import pytest

import wirenlp as wn


def test_seeds_languages(seeds_dir):
    files = sorted(seeds_dir.glob("*.txt"))
    texts = pd.Series(
        [p.read_text(encoding="utf-8") for p in files], index=[p.stem[:3] for p in files]
    )
    df = wn.detect_language(texts)
    assert df.index.tolist() == ["000", "001", "002", "003", "004"]
    assert df["lang"].tolist() == ["en", "en", "en", "fr", "en"]
    assert df["reliable"].all()
    assert (df["confidence"] > 0.5).all()


def test_empty_and_short_texts_have_no_language():
    long = "The foreign minister arrived in the capital on Monday for two days of talks."
    df = wn.detect_language(["", "   ", "ok", long])
    assert df["lang"].isna().tolist() == [True, True, True, False]
    assert df["reliable"].tolist() == [False, False, False, True]
    assert df["confidence"].iloc[0] == 0.0


def test_allowlist_restricts_the_answer():
    text = "Der Minister ist am Montag in der Hauptstadt angekommen."
    assert wn.detect_language([text])["lang"].iloc[0] == "de"
    assert wn.detect_language([text], allowlist=["en", "fr"])["lang"].iloc[0] in {"en", "fr"}


def test_bad_input():
    with pytest.raises(ValueError, match="allowlist: unknown"):
        wn.detect_language(["text"], allowlist=["xx"])
    with pytest.raises(TypeError, match=r"texts\[0\]: expected str, got NoneType"):
        wn.detect_language([None])
    s = pd.Series(["ok", 3], index=[10, 20])
    with pytest.raises(TypeError, match=r"index label 20"):
        wn.detect_language(s)


def test_tokenizer_language_agrees_with_whatlang(seeds_dir, news):
    """The tokenizer's fast language choice agrees with whatlang where whatlang is sure."""
    tok = wn.Tokenizer()
    seeds = [p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))]
    assert [tok.language_of(t) for t in seeds] == ["en", "en", "en", "fr", "en"]
    sample = news.iloc[::4]
    ref = wn.detect_language(sample)
    sure = ref["reliable"].to_numpy()
    mine = [tok.language_of(t) for t in sample[sure]]
    agree = sum(a == b for a, b in zip(mine, ref["lang"][sure], strict=True))
    assert agree / sure.sum() >= 0.995


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "Der Minister ist am Montag in der Hauptstadt angekommen, um mit dem Kanzler "
            "über die Lage in der Region zu sprechen, sagte ein Sprecher.",
            "de",
        ),
        (
            "El ministro llegó el lunes a la capital para hablar con el presidente sobre la "
            "situación en la región, dijo un portavoz del gobierno.",
            "es",
        ),
        (
            "Il ministro è arrivato lunedì nella capitale per parlare con il presidente della "
            "situazione nella regione, ha detto un portavoce.",
            "it",
        ),
        (
            "O ministro chegou na segunda-feira à capital para falar com o presidente sobre a "
            "situação na região, disse um porta-voz do governo.",
            "pt",
        ),
    ],
)
def test_tokenizer_language_other_languages(text, lang):
    assert wn.Tokenizer().language_of(text) == lang
    assert wn.detect_language([text])["lang"].iloc[0] == lang
