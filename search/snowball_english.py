"""Snowball English stemmer: the same stems as Whoosh-Reloaded 2.7.5's (whoosh/lang/snowball/english.py and the
_StandardStemmer base from bases.py), without its `whoosh.compat` import, which pulls urllib, http and email into
every command line run. Whoosh's port differs from the official Snowball C library (PyStemmer) on some words
("realization", "international", "added"), so the index terms depend on this exact algorithm, quirks included;
tests/test_analysis_imports.py checks it stems like Whoosh's module, on a large vocabulary.

The steps are Whoosh's, statement for statement, with the same R1 and R2 strings; what changed is only how each
is computed: the regions and vowel tests are regular expressions instead of loops over the letters, a step whose
suffixes the word does not end with is skipped by one C call, the letter loop that marks consonant 'y's runs only
for words holding a 'y', and a word that ends in nothing any step acts on is returned as it is. A full rebuild
stems every distinct word it meets, once per worker.

Port of the NLTK Snowball stemmers: Copyright (C) 2001-2012 NLTK Project, Peter Michael Stahl, Peter Ljunglof;
algorithms by Dr Martin Porter. Licensed under the Apache License, Version 2.0
(http://www.apache.org/licenses/LICENSE-2.0); adapted for Whoosh by Matt Chaput (BSD licence).
"""
# flake8: noqa
import re

#: A vowel followed by a non-vowel: R1 is what follows the word's first such pair, R2 what follows R1's first.
_REGION = re.compile("[aeiouy][^aeiouy]")
_VOWEL = re.compile("[aeiouy]")
#: Whoosh maps these apostrophes to "'" with three str.replace calls; one translate does the same.
_APOSTROPHES = str.maketrans({"\u2019": "\x27", "\u2018": "\x27", "\u201b": "\x27"})


class EnglishStemmer(object):
    """The English Snowball stemmer (https://snowballstem.org/algorithms/english/stemmer.html), as Whoosh's."""

    __vowels = "aeiouy"
    __double_consonants = ("bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt")
    __li_ending = "cdeghkmnrt"
    __step0_suffixes = ("'s'", "'s", "'")
    __step1a_suffixes = ("sses", "ied", "ies", "us", "ss", "s")
    __step1b_suffixes = ("eedly", "ingly", "edly", "eed", "ing", "ed")
    __step2_suffixes = (
        "ization",
        "ational",
        "fulness",
        "ousness",
        "iveness",
        "tional",
        "biliti",
        "lessli",
        "entli",
        "ation",
        "alism",
        "aliti",
        "ousli",
        "iviti",
        "fulli",
        "enci",
        "anci",
        "abli",
        "izer",
        "ator",
        "alli",
        "bli",
        "ogi",
        "li",
    )
    __step3_suffixes = (
        "ational",
        "tional",
        "alize",
        "icate",
        "iciti",
        "ative",
        "ical",
        "ness",
        "ful",
    )
    __step4_suffixes = (
        "ement",
        "ance",
        "ence",
        "able",
        "ible",
        "ment",
        "ant",
        "ent",
        "ism",
        "ate",
        "iti",
        "ous",
        "ive",
        "ize",
        "ion",
        "al",
        "er",
        "ic",
    )
    __step5_suffixes = ("e", "l")
    __special_words = {
        "skis": "ski",
        "skies": "sky",
        "dying": "die",
        "lying": "lie",
        "tying": "tie",
        "idly": "idl",
        "gently": "gentl",
        "ugly": "ugli",
        "early": "earli",
        "only": "onli",
        "singly": "singl",
        "sky": "sky",
        "news": "news",
        "howe": "howe",
        "atlas": "atlas",
        "cosmos": "cosmos",
        "bias": "bias",
        "andes": "andes",
        "inning": "inning",
        "innings": "inning",
        "outing": "outing",
        "outings": "outing",
        "canning": "canning",
        "cannings": "canning",
        "herring": "herring",
        "herrings": "herring",
        "earring": "earring",
        "earrings": "earring",
        "proceed": "proceed",
        "proceeds": "proceed",
        "proceeded": "proceed",
        "proceeding": "proceed",
        "exceed": "exceed",
        "exceeds": "exceed",
        "exceeded": "exceed",
        "exceeding": "exceed",
        "succeed": "succeed",
        "succeeds": "succeed",
        "succeeded": "succeed",
        "succeeding": "succeed",
    }

    def stem(self, word):
        """Stem an English word and return the stemmed form."""
        return _stem(word)


_VOWELS = EnglishStemmer._EnglishStemmer__vowels
_DOUBLE_CONSONANTS = EnglishStemmer._EnglishStemmer__double_consonants
_LI_ENDING = EnglishStemmer._EnglishStemmer__li_ending
_STEP0 = EnglishStemmer._EnglishStemmer__step0_suffixes
_STEP1A = EnglishStemmer._EnglishStemmer__step1a_suffixes
_STEP1B = EnglishStemmer._EnglishStemmer__step1b_suffixes
_STEP2 = EnglishStemmer._EnglishStemmer__step2_suffixes
_STEP3 = EnglishStemmer._EnglishStemmer__step3_suffixes
_STEP4 = EnglishStemmer._EnglishStemmer__step4_suffixes
_SPECIAL_WORDS = EnglishStemmer._EnglishStemmer__special_words
#: Every ending some step acts on: a suffix of steps 0 to 4, "y" (step 1c), "e" and "l" (step 5, whose regions are
#: endings of the word). A word with none of them goes through every step unchanged, so it is its own stem.
_ACTED_ON = tuple(sorted(set(_STEP0 + _STEP1A + _STEP1B + _STEP2 + _STEP3 + _STEP4) | {"y", "e", "l"}))


def _stem(word):
    """Whoosh's EnglishStemmer.stem, step by step (module globals instead of class attributes: quicker look-ups)."""
    word = word.lower()

    special = _SPECIAL_WORDS.get(word)
    if special is not None:
        return special

    # Map the different apostrophe characters to a single consistent one (none is ASCII)
    if not word.isascii():
        word = word.translate(_APOSTROPHES)

    if word.startswith("\x27"):
        word = word[1:]

    # (many words of a collection end with nothing any step removes or changes: names, numbers, "oil", "market";
    # the 'y's such a word holds would be marked below and unmarked at the end)
    if not word.endswith(_ACTED_ON):
        return word

    if word.startswith("y"):
        word = "".join(("Y", word[1:]))

    # (a word without a 'y' after its first letter has none to mark)
    if "y" in word:
        for i in range(1, len(word)):
            if word[i - 1] in _VOWELS and word[i] == "y":
                word = "".join((word[:i], "Y", word[i + 1 :]))

    step1a_vowel_found = False
    step1b_vowel_found = False

    if word.startswith(("gener", "commun", "arsen")):
        if word.startswith(("gener", "arsen")):
            r1 = word[5:]
        else:
            r1 = word[6:]
        found = _REGION.search(r1)
        r2 = r1[found.end():] if found else ""
    else:
        found = _REGION.search(word)
        if found:
            r1 = word[found.end():]
            found = _REGION.search(r1)
            r2 = r1[found.end():] if found else ""
        else:
            r1 = r2 = ""

    # STEP 0
    # (a word ending in none of a step's suffixes skips its loop: the loop only acts on a match)
    if word.endswith(_STEP0):
        for suffix in _STEP0:
            if word.endswith(suffix):
                word = word[: -len(suffix)]
                r1 = r1[: -len(suffix)]
                r2 = r2[: -len(suffix)]
                break

    # STEP 1a
    if word.endswith(_STEP1A):
        for suffix in _STEP1A:
            if word.endswith(suffix):
                if suffix == "sses":
                    word = word[:-2]
                    r1 = r1[:-2]
                    r2 = r2[:-2]

                elif suffix in ("ied", "ies"):
                    if len(word[: -len(suffix)]) > 1:
                        word = word[:-2]
                        r1 = r1[:-2]
                        r2 = r2[:-2]
                    else:
                        word = word[:-1]
                        r1 = r1[:-1]
                        r2 = r2[:-1]

                elif suffix == "s":
                    # a vowel among the letters before the last two
                    step1a_vowel_found = _VOWEL.search(word, 0, max(len(word) - 2, 0)) is not None

                    if step1a_vowel_found:
                        word = word[:-1]
                        r1 = r1[:-1]
                        r2 = r2[:-1]
                break

    # STEP 1b
    if word.endswith(_STEP1B):
        for suffix in _STEP1B:
            if word.endswith(suffix):
                if suffix in ("eed", "eedly"):
                    if r1.endswith(suffix):
                        word = "".join((word[: -len(suffix)], "ee"))

                        if len(r1) >= len(suffix):
                            r1 = "".join((r1[: -len(suffix)], "ee"))
                        else:
                            r1 = ""

                        if len(r2) >= len(suffix):
                            r2 = "".join((r2[: -len(suffix)], "ee"))
                        else:
                            r2 = ""
                else:
                    # a vowel among the letters before the suffix
                    step1b_vowel_found = _VOWEL.search(word, 0, len(word) - len(suffix)) is not None

                    if step1b_vowel_found:
                        word = word[: -len(suffix)]
                        r1 = r1[: -len(suffix)]
                        r2 = r2[: -len(suffix)]

                        if word.endswith(("at", "bl", "iz")):
                            word = "".join((word, "e"))
                            r1 = "".join((r1, "e"))

                            if len(word) > 5 or len(r1) >= 3:
                                r2 = "".join((r2, "e"))

                        elif word.endswith(_DOUBLE_CONSONANTS):
                            word = word[:-1]
                            r1 = r1[:-1]
                            r2 = r2[:-1]

                        elif (
                            r1 == ""
                            and len(word) >= 3
                            and word[-1] not in _VOWELS
                            and word[-1] not in "wxY"
                            and word[-2] in _VOWELS
                            and word[-3] not in _VOWELS
                        ) or (
                            r1 == ""
                            and len(word) == 2
                            and word[0] in _VOWELS
                            and word[1] not in _VOWELS
                        ):
                            word = "".join((word, "e"))

                            if len(r1) > 0:
                                r1 = "".join((r1, "e"))

                            if len(r2) > 0:
                                r2 = "".join((r2, "e"))
                break

    # STEP 1c
    if len(word) > 2 and word[-1] in "yY" and word[-2] not in _VOWELS:
        word = "".join((word[:-1], "i"))
        if len(r1) >= 1:
            r1 = "".join((r1[:-1], "i"))
        else:
            r1 = ""

        if len(r2) >= 1:
            r2 = "".join((r2[:-1], "i"))
        else:
            r2 = ""

    # STEP 2
    for suffix in _STEP2 if word.endswith(_STEP2) else ():
        if word.endswith(suffix):
            if r1.endswith(suffix):
                if suffix == "tional":
                    word = word[:-2]
                    r1 = r1[:-2]
                    r2 = r2[:-2]

                elif suffix in ("enci", "anci", "abli"):
                    word = "".join((word[:-1], "e"))

                    if len(r1) >= 1:
                        r1 = "".join((r1[:-1], "e"))
                    else:
                        r1 = ""

                    if len(r2) >= 1:
                        r2 = "".join((r2[:-1], "e"))
                    else:
                        r2 = ""

                elif suffix == "entli":
                    word = word[:-2]
                    r1 = r1[:-2]
                    r2 = r2[:-2]

                elif suffix in ("izer", "ization"):
                    word = "".join((word[: -len(suffix)], "ize"))

                    if len(r1) >= len(suffix):
                        r1 = "".join((r1[: -len(suffix)], "ize"))
                    else:
                        r1 = ""

                    if len(r2) >= len(suffix):
                        r2 = "".join((r2[: -len(suffix)], "ize"))
                    else:
                        r2 = ""

                elif suffix in ("ational", "ation", "ator"):
                    word = "".join((word[: -len(suffix)], "ate"))

                    if len(r1) >= len(suffix):
                        r1 = "".join((r1[: -len(suffix)], "ate"))
                    else:
                        r1 = ""

                    if len(r2) >= len(suffix):
                        r2 = "".join((r2[: -len(suffix)], "ate"))
                    else:
                        r2 = "e"

                elif suffix in ("alism", "aliti", "alli"):
                    word = "".join((word[: -len(suffix)], "al"))

                    if len(r1) >= len(suffix):
                        r1 = "".join((r1[: -len(suffix)], "al"))
                    else:
                        r1 = ""

                    if len(r2) >= len(suffix):
                        r2 = "".join((r2[: -len(suffix)], "al"))
                    else:
                        r2 = ""

                elif suffix == "fulness":
                    word = word[:-4]
                    r1 = r1[:-4]
                    r2 = r2[:-4]

                elif suffix in ("ousli", "ousness"):
                    word = "".join((word[: -len(suffix)], "ous"))

                    if len(r1) >= len(suffix):
                        r1 = "".join((r1[: -len(suffix)], "ous"))
                    else:
                        r1 = ""

                    if len(r2) >= len(suffix):
                        r2 = "".join((r2[: -len(suffix)], "ous"))
                    else:
                        r2 = ""

                elif suffix in ("iveness", "iviti"):
                    word = "".join((word[: -len(suffix)], "ive"))

                    if len(r1) >= len(suffix):
                        r1 = "".join((r1[: -len(suffix)], "ive"))
                    else:
                        r1 = ""

                    if len(r2) >= len(suffix):
                        r2 = "".join((r2[: -len(suffix)], "ive"))
                    else:
                        r2 = "e"

                elif suffix in ("biliti", "bli"):
                    word = "".join((word[: -len(suffix)], "ble"))

                    if len(r1) >= len(suffix):
                        r1 = "".join((r1[: -len(suffix)], "ble"))
                    else:
                        r1 = ""

                    if len(r2) >= len(suffix):
                        r2 = "".join((r2[: -len(suffix)], "ble"))
                    else:
                        r2 = ""

                elif suffix == "ogi" and word[-4] == "l":
                    word = word[:-1]
                    r1 = r1[:-1]
                    r2 = r2[:-1]

                elif suffix in ("fulli", "lessli"):
                    word = word[:-2]
                    r1 = r1[:-2]
                    r2 = r2[:-2]

                elif suffix == "li" and word[-3] in _LI_ENDING:
                    word = word[:-2]
                    r1 = r1[:-2]
                    r2 = r2[:-2]
            break

    # STEP 3
    for suffix in _STEP3 if word.endswith(_STEP3) else ():
        if word.endswith(suffix):
            if r1.endswith(suffix):
                if suffix == "tional":
                    word = word[:-2]
                    r1 = r1[:-2]
                    r2 = r2[:-2]

                elif suffix == "ational":
                    word = "".join((word[: -len(suffix)], "ate"))

                    if len(r1) >= len(suffix):
                        r1 = "".join((r1[: -len(suffix)], "ate"))
                    else:
                        r1 = ""

                    if len(r2) >= len(suffix):
                        r2 = "".join((r2[: -len(suffix)], "ate"))
                    else:
                        r2 = ""

                elif suffix == "alize":
                    word = word[:-3]
                    r1 = r1[:-3]
                    r2 = r2[:-3]

                elif suffix in ("icate", "iciti", "ical"):
                    word = "".join((word[: -len(suffix)], "ic"))

                    if len(r1) >= len(suffix):
                        r1 = "".join((r1[: -len(suffix)], "ic"))
                    else:
                        r1 = ""

                    if len(r2) >= len(suffix):
                        r2 = "".join((r2[: -len(suffix)], "ic"))
                    else:
                        r2 = ""

                elif suffix in ("ful", "ness"):
                    word = word[: -len(suffix)]
                    r1 = r1[: -len(suffix)]
                    r2 = r2[: -len(suffix)]

                elif suffix == "ative" and r2.endswith(suffix):
                    word = word[:-5]
                    r1 = r1[:-5]
                    r2 = r2[:-5]
            break

    # STEP 4
    for suffix in _STEP4 if word.endswith(_STEP4) else ():
        if word.endswith(suffix):
            if r2.endswith(suffix):
                if suffix == "ion":
                    if word[-4] in "st":
                        word = word[:-3]
                        r1 = r1[:-3]
                        r2 = r2[:-3]
                else:
                    word = word[: -len(suffix)]
                    r1 = r1[: -len(suffix)]
                    r2 = r2[: -len(suffix)]
            break

    # STEP 5
    if r2.endswith("l") and word[-2] == "l":
        word = word[:-1]
    elif r2.endswith("e"):
        word = word[:-1]
    elif r1.endswith("e"):
        if len(word) >= 4 and (
            word[-2] in _VOWELS
            or word[-2] in "wxY"
            or word[-3] not in _VOWELS
            or word[-4] in _VOWELS
        ):
            word = word[:-1]

    word = word.replace("Y", "y")
    return word
