"""Builds `bench/data/language-samples.tsv`, the labelled short messages `bench/language.py`
measures language detection on.

The text is the test data lingua publishes beside its models (`language-models/<code>/testdata/`
in github.com/pemistahl/lingua-rs, Apache-2.0), itself drawn from the Wortschatz corpora of
Leipzig University (wortschatz.uni-leipzig.de, CC BY): sentences the models were not trained on.
From each served language's sentences the builder keeps, in the file's order, messages shaped
like leads' free text (5–200 characters):

- `short`: the first 3–6 words of a sentence (15–60 characters, "hi, price for teeth?");
- `medium`: whole sentences of 30–100 characters;
- `long`: whole sentences of 100–200 characters;
- `pair`: two-word messages (lingua's word pairs), which the service never detects on
  (MIN_WORDS_FOR_DETECTION): they show what falls back to the country.

    .venv/bin/python bench/language_samples.py PATH-TO-lingua-rs [--per-kind 60]
"""

from __future__ import annotations

import argparse
import csv
import os

LANGUAGES = ("de", "en", "ar", "ru", "fr", "tr", "uk", "kk")
"""The demo organisation's served languages (organisation.yaml and its agents)."""

HERE = os.path.dirname(__file__)
OUTPUT = os.path.join(HERE, "data", "language-samples.tsv")


def lines(root: str, code: str, name: str) -> list[str]:
    path = os.path.join(root, "language-models", code, "testdata", name)
    with open(path, encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip()]


def samples(root: str, code: str, per_kind: int) -> list[tuple[str, str, str]]:
    sentences = lines(root, code, "sentences.txt")
    # Each sentence is used once, so no message is a prefix of another in the set.
    medium = [s for s in sentences if 30 <= len(s) <= 100][:per_kind]
    long = [s for s in sentences if 100 < len(s) <= 200 and s not in medium][:per_kind]
    rest = [s for s in sentences if s not in medium and s not in long]
    short = []
    for index, sentence in enumerate(rest):
        words = sentence.split()[: 3 + index % 4]
        text = " ".join(words)
        if len(words) >= 3 and 15 <= len(text) <= 60:
            short.append(text)
        if len(short) == per_kind:
            break
    pairs = [p for p in lines(root, code, "word-pairs.txt") if len(p) >= 5][: per_kind // 3]
    kinds = (("short", short), ("medium", medium), ("long", long), ("pair", pairs))
    return [(code, kind, text) for kind, texts in kinds for text in texts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lingua_rs", help="a checkout of github.com/pemistahl/lingua-rs")
    parser.add_argument("--per-kind", type=int, default=60)
    args = parser.parse_args()
    rows = [row for code in LANGUAGES for row in samples(args.lingua_rs, code, args.per_kind)]
    with open(OUTPUT, "w", encoding="utf-8", newline="") as handle:
        handle.write(
            "# Lead-like messages from lingua's test data (github.com/pemistahl/lingua-rs,\n"
            "# Apache-2.0), drawn from the Wortschatz corpora, Leipzig University (CC BY).\n"
            "# Built by bench/language_samples.py. language\tkind\ttext\n"
        )
        writer = csv.writer(handle, delimiter="\t", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        writer.writerows(rows)
    print(f"{len(rows)} messages written to {OUTPUT}")


if __name__ == "__main__":
    main()
