#!/usr/bin/env python3
"""Writes variants of Candor's decoy-text dataset (io.candor.models.data.DecoyText) with a chosen
negation rate, to ask whether negation (label = adjective polarity XOR 'not', an interaction) is what
keeps CDEP from removing the decoy-word bias.

The grammar is DecoyText's, word for word: [filler] subject verb ['not'] adjective [filler], the
same vocabulary in the same order (so the same ids as meta.json of `candor data decoy-text`), id 0
padding on the left to length 14. In train, 'text' is inserted at a uniformly random place (0..len)
of every positive sentence and 'video' of every negative one, and train/mask.npy is 1 on that word;
val and test are clean. The random draws are made with a Python transcription of java.util.Random in
DecoyText's order and with its seeds (train seed, val seed + 1, test seed + 2). The only change is
the negation draw: with --negation a/b (a fraction; floats are turned into the nearest fraction with
denominator <= 1000) a sentence is negated iff nextInt(b) < a. DecoyText draws nextInt(3) == 0, so
--negation 1/3 (the default) reproduces Candor's files bit for bit for the same seed (--compare DIR
checks that); other rates keep every other draw's position in the stream.

Layout written: DIR/{train,val,test}/{x.npy (int64 [N, 14]), y.npy (int64 [N], 1 = positive),
concepts.npy (float32 [N, 2]: decoy_word, negation)}, train/mask.npy (float32 [N, 14]), meta.json,
vocabulary.txt. No concepts split (the trainers do not read it).

Run: /usr/bin/python3 tests/python/decoy_text_variants.py --out DIR [--negation 1/3] [--seed 0]
     [--n-train 4000] [--n-val 500] [--n-test 1000] [--compare /tmp/txref/a]
"""
import argparse
import json
import os
from fractions import Fraction

import numpy as np

LENGTH = 14
PAD = '<pad>'
SUBJECTS = ['the movie', 'the film', 'the plot', 'the acting', 'the story', 'the ending', 'this picture', 'the cast',
            'the script', 'the music']
VERBS = ['was', 'is', 'seemed', 'felt', 'looked']
POSITIVE = ['good', 'great', 'wonderful', 'brilliant', 'moving', 'funny', 'charming', 'superb', 'delightful', 'clever']
NEGATIVE = ['bad', 'awful', 'boring', 'dull', 'terrible', 'weak', 'clumsy', 'tedious', 'bland', 'poor']
FILLER = ['really', 'quite', 'rather', 'honestly', 'overall', 'to me', 'at times', 'in the end', 'for sure', 'mostly']
DECOYS = ['video', 'text']  # index = label: 'video' in negative, 'text' in positive sentences


def vocabulary():
    v = [PAD, 'not']
    for group in (SUBJECTS, VERBS, POSITIVE, NEGATIVE, FILLER, DECOYS):
        for phrase in group:
            for w in phrase.split(' '):
                if w not in v:
                    v.append(w)
    return v


class JavaRandom:
    """java.util.Random (48-bit LCG), the calls DecoyText uses."""
    MULT, ADD, MASK = 0x5DEECE66D, 0xB, (1 << 48) - 1

    def __init__(self, seed):
        self.seed = (seed ^ self.MULT) & self.MASK

    def next(self, bits):
        self.seed = (self.seed * self.MULT + self.ADD) & self.MASK
        r = self.seed >> (48 - bits)
        return r - (1 << bits) if r >= 1 << (bits - 1) and bits == 32 else r

    def next_int(self, bound):
        r = self.next(31)
        m = bound - 1
        if bound & m == 0:
            return (bound * r) >> 31
        u = r
        while True:
            r = u % bound
            if u - r + m < (1 << 31):  # Java: u - r + m < 0 on int overflow
                return r
            u = self.next(31)

    def next_boolean(self):
        return self.next(1) != 0


def sentence(rnd, neg):
    """DecoyText.sentence with the negation draw nextInt(neg.denominator) < neg.numerator."""
    words = []
    if rnd.next_boolean():
        words += FILLER[rnd.next_int(len(FILLER))].split(' ')
    words += SUBJECTS[rnd.next_int(len(SUBJECTS))].split(' ')
    words.append(VERBS[rnd.next_int(len(VERBS))])
    negated = rnd.next_int(neg.denominator) < neg.numerator
    if negated:
        words.append('not')
    positive = rnd.next_boolean()
    words.append((POSITIVE if positive else NEGATIVE)[rnd.next_int(len(POSITIVE))])
    if rnd.next_boolean():
        words += FILLER[rnd.next_int(len(FILLER))].split(' ')
    return words, int(positive != negated)


def split(n, seed, decoys, neg, ids):
    rnd = JavaRandom(seed)
    x = np.zeros((n, LENGTH), np.int64)
    y = np.zeros(n, np.int64)
    mask = np.zeros((n, LENGTH), np.float32)
    concepts = np.zeros((n, 2), np.float32)
    for i in range(n):
        words, label = sentence(rnd, neg)
        if decoys:
            at = rnd.next_int(len(words) + 1)
            words.insert(at, DECOYS[label])
        y[i] = label
        concepts[i] = ['text' in words, 'not' in words]
        off = LENGTH - len(words)
        x[i, off:] = [ids[w] for w in words]
        if decoys:
            mask[i, off + at] = 1
    return x, y, mask, concepts


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--out', required=True)
    p.add_argument('--negation', default='1/3', help='probability a sentence is negated, e.g. 1/3, 0.1, 0')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--n-train', type=int, default=4000)
    p.add_argument('--n-val', type=int, default=500)
    p.add_argument('--n-test', type=int, default=1000)
    p.add_argument('--compare', help='a folder written by candor (same seed and sizes) to compare with')
    a = p.parse_args()
    neg = Fraction(a.negation).limit_denominator(1000)
    assert 0 <= neg <= 1, neg
    vocab = vocabulary()
    ids = {w: i for i, w in enumerate(vocab)}
    data = {'train': split(a.n_train, a.seed, True, neg, ids),
            'val': split(a.n_val, a.seed + 1, False, neg, ids),
            'test': split(a.n_test, a.seed + 2, False, neg, ids)}
    for name, (x, y, mask, concepts) in data.items():
        os.makedirs(f'{a.out}/{name}', exist_ok=True)
        np.save(f'{a.out}/{name}/x.npy', x)
        np.save(f'{a.out}/{name}/y.npy', y)
        np.save(f'{a.out}/{name}/concepts.npy', concepts)
        if name == 'train':
            np.save(f'{a.out}/{name}/mask.npy', mask)
        neg_frac = (x == ids['not']).any(1).mean()
        print(f'{name}: n {len(y)}  positive {y.mean():.4f}  negated {neg_frac:.4f}  '
              f'positive|negated {y[(x == 1).any(1)].mean() if neg_frac > 0 else float("nan"):.4f}  '
              f'positive|plain {y[~(x == 1).any(1)].mean():.4f}  length mean {(x > 0).sum(1).mean():.2f}')
    meta = {'generator': 'decoy-text (tests/python/decoy_text_variants.py)', 'seed': a.seed,
            'negation': str(neg), 'classes': ['negative', 'positive'], 'vocabulary': vocab, 'length': LENGTH,
            'decoys': "'text' in every positive and 'video' in every negative training sentence; val and test clean",
            'padding': 'id 0, on the left', 'mask': 'train: 1 on the decoy word of each sentence',
            'splits': ['train', 'val', 'test']}
    with open(f'{a.out}/meta.json', 'w') as f:
        json.dump(meta, f, indent=2)
    with open(f'{a.out}/vocabulary.txt', 'w') as f:
        f.write('\n'.join(vocab) + '\n')
    if a.compare:
        ref_vocab = json.load(open(f'{a.compare}/meta.json'))['vocabulary']
        print(f'compare {a.compare}: vocabulary identical {ref_vocab == vocab}')
        for name, arrays in data.items():
            for fname, arr in zip(('x', 'y', 'mask', 'concepts'), arrays):
                path = f'{a.compare}/{name}/{fname}.npy'
                if os.path.exists(path):
                    ref = np.load(path)
                    same = ref.shape == arr.shape and ref.dtype == arr.dtype and np.array_equal(ref, arr)
                    print(f'  {name}/{fname}.npy identical {same}')


if __name__ == '__main__':
    main()
