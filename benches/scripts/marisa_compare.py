#!/usr/bin/env python3
"""One-off comparison of marisa-trie with hpds-trie on an English word list.

Needs two PyPI packages (no other download):

    pip install marisa-trie==1.4.1 english-words==2.0.2
    python3 benches/scripts/marisa_compare.py /tmp/english.txt
    cargo run --release -p hpds-benches --bin trie_wordlist -- /tmp/english.txt

The first command writes the word list (web2 + GCIDE, as shipped by `english-words`, one word
per line, UTF-8) and prints marisa-trie's size; the second prints hpds's structures on the same
file. The word list is not committed (3.5 MB); it is regenerated from the pinned package.

With `--file WORDS` it measures marisa-trie on an existing list instead (one word per line),
e.g. the synthetic words written by
`cargo run --release -p hpds-benches --bin trie_anatomy -- 100000 /tmp/synthetic-100k.txt`.
"""
import os
import sys
import tempfile
import time

import marisa_trie

if len(sys.argv) > 2 and sys.argv[1] == "--file":
    out = sys.argv[2]
    with open(out, encoding="utf-8") as f:
        words = sorted({line.rstrip("\n") for line in f if line.strip()})
else:
    from english_words import get_english_words_set

    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/english.txt"
    words = sorted(get_english_words_set(["web2", "gcide"]))
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(words))
        f.write("\n")
raw = sum(len(w.encode("utf-8")) for w in words)
print(f"{len(words)} distinct words, {raw / len(words):.2f} bytes mean length -> {out}")

for label, kwargs in [("marisa-trie (default: 3 tries)", {}), ("marisa-trie (num_tries=1)", {"num_tries": 1})]:
    t = time.perf_counter()
    trie = marisa_trie.Trie(words, **kwargs)
    secs = time.perf_counter() - t
    with tempfile.NamedTemporaryFile(delete=False) as tmp:
        path = tmp.name
    trie.save(path)
    size = os.path.getsize(path)
    os.unlink(path)
    print(f"{label:32} {size:>10} bytes  {size / len(words):6.2f} bytes/key  build {secs:.2f} s")
