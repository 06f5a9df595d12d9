"""Corpus examples the SDK cannot read or send yet, and what each waits for.

Each entry is a strict xfail: it fails loudly once the SDK handles the example, and must
then be removed. "lenient answers" waits for lenient response decoding (issue 13 part 2);
"field coverage" for the struct or method to take what the docs show (part 3).
"""

PENDING: dict[str, str] = {
}
