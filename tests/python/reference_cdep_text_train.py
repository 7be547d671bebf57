#!/usr/bin/env python3
"""Trains Candor's lstm-text net (Embedding(V, 32) -> LSTM(32, 64) -> Linear(64, 2) on the last hidden
state) on a Candor decoy-text folder the way the CDEP reference code trains its SST decoy model
(laura-rieger/deep-explanation-penalization, text/SST/train_with_decoy.py): Adam, batch 64 shuffled per
epoch, a normal forward pass for the cross-entropy, plus lambda times the CDEP text penalty
(src/cd.py::cd_penalty_for_one_decoy_all), which runs the reference's batched LSTM contextual
decomposition (cd_text_irreg_scores, transcribed below: per-sample span start <= t <= stop for the word
inputs, the bias x bias cell term to the relevant part only when start <= t < stop, output gate not
decomposed, scores W_out h without the output bias) and takes -mean log softmax(beta_y, gamma_y)[gamma]
on the true-class logit over the samples that carry the decoy. One backward, one optimizer step. Early
stopping on the (whole) val loss with patience, as the reference does (it used the last dev batch only).
Prints per epoch: train CE, penalty, share mean sigmoid(beta_y - gamma_y) on the train split, val loss
and accuracy, clean test accuracy, and the accuracy on the train split with 'text' and 'video' swapped
(near 0: the net still follows the decoy); at the end the test accuracy at the best-val epoch and the last one.

It answers one question: does the reference algorithm itself remove the decoy-word bias of Candor's
decoy-text dataset (vanilla ~54% clean test, the same net trained without decoys 100%)? Compare with
`candor train --penalty cdep` on the same folder.

Options beyond the reference (for finding what matters): --span single (start = stop = decoy position,
one relevant token, no bias term to beta, as Candor does), --embed-grad (let the penalty's gradient
reach the embedding; the reference detaches it with .data), --penalty allclass (softplus(beta_k -
gamma_k) averaged over both logits instead of the true class only).

Run: /usr/bin/python3 tests/python/reference_cdep_text_train.py --data DIR [--lam 100] [--epochs 10]
     [--patience 3] [--lr 1e-3] [--seed 0] [--span two|single] [--embed-grad]
     [--penalty reference|allclass|centered|margin] [--threads N]
DIR holds {train,val,test}/x.npy (int64 [N, T], padded on the left with 0), y.npy, train/mask.npy
(1 on the decoy word) and meta.json.
"""
import argparse
import json
import time
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class LstmText(nn.Module):
    def __init__(self, vocab, embed=32, hidden=64):
        super().__init__()
        self.hidden_dim = hidden
        self.embed = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden)  # sequence-major, as the reference
        self.hidden_to_label = nn.Linear(hidden, 2)

    def forward(self, x):  # x [B, T]
        out, _ = self.lstm(self.embed(x.t()))
        return self.hidden_to_label(out[-1])


def three(a, b, c, act):
    """The reference's linearisation of act(a + b + c): (relevant, irrelevant, bias) increments."""
    abc, ac, bc, cc = act(a + b + c), act(a + c), act(b + c), act(c)
    return 0.5 * (ac - cc + abc - bc), 0.5 * (bc - cc + abc - ac), cc


def cd_lstm(model, x, start, stop, embed_grad=False):
    """Batched CD of the LSTM as the reference's cd_text_irreg_scores, in [B, H] layout.

    start, stop: long [B]; word t of sample n counts as relevant iff start[n] <= t <= stop[n]; the
    bias x bias cell term goes to beta iff start[n] <= t < stop[n]. Returns beta, gamma [B, 2],
    beta + gamma = logits - output bias."""
    lstm = model.lstm
    W_ii, W_if, W_ig, W_io = lstm.weight_ih_l0.chunk(4, 0)
    W_hi, W_hf, W_hg, W_ho = lstm.weight_hh_l0.chunk(4, 0)
    b_i, b_f, b_g, b_o = (lstm.bias_ih_l0 + lstm.bias_hh_l0).chunk(4)
    vecs = model.embed(x)  # [B, T, E]
    if not embed_grad:
        vecs = vecs.detach()  # the reference's model.embed(...).data
    B, T, _ = vecs.shape
    H = model.hidden_dim
    rel_h = vecs.new_zeros(B, H)
    irr_h = vecs.new_zeros(B, H)
    rel_c = vecs.new_zeros(B, H)
    irr_c = vecs.new_zeros(B, H)
    for t in range(T):
        w = vecs[:, t]
        inside = ((start <= t) & (t <= stop)).float()[:, None]
        bias_inside = ((start <= t) & (t < stop)).float()[:, None]
        xi, xf, xg = w @ W_ii.t(), w @ W_if.t(), w @ W_ig.t()
        rel_i = rel_h @ W_hi.t() + inside * xi
        irr_i = irr_h @ W_hi.t() + (1 - inside) * xi
        rel_g = rel_h @ W_hg.t() + inside * xg
        irr_g = irr_h @ W_hg.t() + (1 - inside) * xg
        rel_f = rel_h @ W_hf.t() + inside * xf
        irr_f = irr_h @ W_hf.t() + (1 - inside) * xf
        ri, ii, bi = three(rel_i, irr_i, b_i, torch.sigmoid)
        rg, ig, bg = three(rel_g, irr_g, b_g, torch.tanh)
        new_rel = ri * (rg + bg) + bi * rg
        new_irr = ii * (rg + ig + bg) + (ri + bi) * ig
        bb = bi * bg
        new_rel = new_rel + bias_inside * bb
        new_irr = new_irr + (1 - bias_inside) * bb
        if t > 0:
            rf, i_f, bf = three(rel_f, irr_f, b_f, torch.sigmoid)
            new_rel = new_rel + (rf + bf) * rel_c
            new_irr = new_irr + (rf + i_f + bf) * irr_c + i_f * rel_c
        o = torch.sigmoid(w @ W_io.t() + (rel_h + irr_h) @ W_ho.t() + b_o)
        th_r, th_i, th_s = torch.tanh(new_rel), torch.tanh(new_irr), torch.tanh(new_rel + new_irr)
        rel_h = o * 0.5 * (th_r + th_s - th_i)
        irr_h = o * 0.5 * (th_i + th_s - th_r)
        rel_c, irr_c = new_rel, new_irr
    W_out = model.hidden_to_label.weight
    return rel_h @ W_out.t(), irr_h @ W_out.t()


def span_of(mask, mode):
    """start = first marked position (-1 if none); stop = start + 1 (reference) or start (single)."""
    has = mask.sum(1) > 0
    start = torch.where(has, mask.argmax(1), torch.full_like(has, -1, dtype=torch.long))
    stop = start + 1 if mode == 'two' else start.clone()
    return start, stop, has


def penalty(model, x, y, mask, a):
    start, stop, has = span_of(mask, a.span)
    if not has.any():
        return x.new_zeros((), dtype=torch.float), None
    beta, gamma = cd_lstm(model, x, start, stop, a.embed_grad)
    idx = torch.arange(len(y))
    if a.penalty == 'reference':  # -log softmax(beta_y, gamma_y)[gamma] = softplus(beta_y - gamma_y)
        per = -F.log_softmax(torch.stack((beta[idx, y], gamma[idx, y]), 1), 1)[:, 1]
    elif a.penalty == 'centered':  # the same on beta, gamma centred over the classes: blind to a common offset
        bc, gc = beta - beta.mean(1, keepdim=True), gamma - gamma.mean(1, keepdim=True)
        per = F.softplus(bc[idx, y] - gc[idx, y])
    elif a.penalty == 'margin':  # squared relevant part of the margin: (beta_y - mean_{j != y} beta_j)^2
        by = beta[idx, y]
        per = (by - (beta.sum(1) - by) / (beta.shape[1] - 1)) ** 2
    else:  # allclass
        per = F.softplus(beta - gamma).mean(1)
    share = torch.sigmoid(beta[idx, y] - gamma[idx, y])
    return per[has].mean(), share[has]


def training_arguments():
    """The options both text trainers take (--data, --lam, --epochs, --patience, --lr, --seed, --batch)."""
    p = argparse.ArgumentParser()
    p.add_argument('--data', required=True)
    p.add_argument('--lam', type=float, default=100)
    p.add_argument('--epochs', type=int, default=10)
    p.add_argument('--patience', type=int, default=3)
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--batch', type=int, default=64)
    return p


def train_epoch(samples, batch, opt, step):
    """One epoch over shuffled batches: step(indices) gives (loss, cross-entropy, penalty); one backward
    and one optimizer step each. Returns the sums of cross-entropy and penalty weighted by batch size,
    and the sample count."""
    perm = torch.randperm(samples)
    ce_sum = pen_sum = 0.0
    for i in range(0, samples, batch):
        b = perm[i:i + batch]
        opt.zero_grad()
        loss, ce, pen = step(b)
        loss.backward()
        opt.step()
        ce_sum += ce.item() * len(b)
        pen_sum += pen.item() * len(b)
    return ce_sum, pen_sum, samples


def load_decoy_text(folder):
    """A decoy-text folder's splits as tensors, and the train split with 'text' and 'video' swapped
    (a net's accuracy there near 0 means it still follows the decoy)."""
    def load(split, name):
        return torch.from_numpy(np.load(f'{folder}/{split}/{name}.npy'))

    words = json.load(open(f'{folder}/meta.json'))['vocabulary']
    x = load('train', 'x').long()
    x_swap = x.clone()
    for u, v in (('text', 'video'), ('video', 'text')):
        x_swap[x == words.index(u)] = words.index(v)
    return SimpleNamespace(words=words, x=x, y=load('train', 'y').long(), mask=load('train', 'mask').float(),
                           xv=load('val', 'x').long(), yv=load('val', 'y').long(), xt=load('test', 'x').long(),
                           yt=load('test', 'y').long(), x_swap=x_swap)


def loss_and_accuracy(model, xs, ys):
    """Cross-entropy and accuracy in evaluation mode; the model is left in training mode."""
    model.eval()
    with torch.no_grad():
        out = model(xs)
    model.train()
    return F.cross_entropy(out, ys).item(), (out.argmax(1) == ys).float().mean().item()


def main():
    p = training_arguments()
    p.add_argument('--span', default='two', choices=['two', 'single'],
                   help="two: the reference's stop = start + 1; single: start = stop = decoy")
    p.add_argument('--embed-grad', action='store_true', help='let the penalty reach the embedding')
    p.add_argument('--penalty', default='reference', choices=['reference', 'allclass', 'centered', 'margin'])
    p.add_argument('--threads', type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    d = load_decoy_text(a.data)
    words, x, y, mask, xv, yv, xt, yt, x_swap = d.words, d.x, d.y, d.mask, d.xv, d.yv, d.xt, d.yt, d.x_swap
    model = LstmText(len(words))
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)

    def check_cd():
        with torch.no_grad():
            xb, mb = x[:256], mask[:256]
            want = model(xb) - model.hidden_to_label.bias
            for mode in ('two', 'single'):
                s, e, _ = span_of(mb, mode)
                beta, gamma = cd_lstm(model, xb, s, e)
                err = (beta + gamma - want).abs().max().item()
                assert err < 1e-4, f'CD check failed ({mode}): {err}'
            full = cd_lstm(model, xb, torch.zeros(256, dtype=torch.long), torch.full((256,), 99, dtype=torch.long))
            err_full = (full[0] - want).abs().max().item()  # every word and bias relevant: gamma = 0
            assert err_full < 1e-4, f'CD full-span check failed: {err_full}'
        return err

    print(f'CD check: |beta + gamma - (logits - b_out)| max {check_cd():.2e}', flush=True)

    def evaluate(xs, ys):
        return loss_and_accuracy(model, xs, ys)

    def train_share():
        with torch.no_grad():
            shares = []
            for i in range(0, len(x), 500):
                _, s = penalty(model, x[i:i + 500], y[i:i + 500], mask[i:i + 500], a)
                if s is not None:
                    shares.append(s)
            return torch.cat(shares).mean().item()

    print(f'lam {a.lam} lr {a.lr} seed {a.seed} span {a.span} embed_grad {a.embed_grad} penalty {a.penalty}')
    print('epoch  train_ce  penalty  share  val_loss  val_acc  test_acc  swap_acc  sec', flush=True)
    best = (float('inf'), -1, None)
    history, patience = [], 0
    for epoch in range(a.epochs):
        t0 = time.time()
        def step(b):
            ce = F.cross_entropy(model(x[b]), y[b])
            if a.lam == 0:
                return ce, ce, ce.new_zeros(())
            pen, _ = penalty(model, x[b], y[b], mask[b], a)
            return ce + a.lam * pen, ce, pen

        ce_sum, pen_sum, n = train_epoch(len(x), a.batch, opt, step)
        if a.lam == 0:  # still report the penalty the vanilla net would pay
            with torch.no_grad():
                pen_sum = sum(penalty(model, x[i:i + 500], y[i:i + 500], mask[i:i + 500], a)[0].item() * len(x[i:i + 500])
                              for i in range(0, len(x), 500))
        vloss, vacc = evaluate(xv, yv)
        _, tacc = evaluate(xt, yt)
        _, sacc = evaluate(x_swap, y)
        share = train_share()
        history.append((epoch, ce_sum / n, pen_sum / n, share, vloss, vacc, tacc, sacc))
        print(f'{epoch:5d}  {ce_sum / n:8.4f}  {pen_sum / n:7.4f}  {share:5.3f}  {vloss:8.4f}  {vacc:7.3f}  {tacc:8.3f}'
              f'  {sacc:8.3f}  {time.time() - t0:4.1f}', flush=True)
        if vloss < best[0]:
            best, patience = (vloss, epoch, tacc), 0
        else:
            patience += 1
            if patience >= a.patience:
                break
    print(f'CD check after training: max error {check_cd():.2e}')
    last = history[-1]
    print(f'RESULT lam={a.lam} lr={a.lr} seed={a.seed} span={a.span} embed_grad={a.embed_grad} penalty={a.penalty} '
          f'epochs={len(history)} best_val_epoch={best[1]} test_acc_best_val={best[2]:.3f} '
          f'test_acc_last={last[6]:.3f} final_penalty={last[2]:.4f} final_share={last[3]:.3f} swap_acc_last={last[7]:.3f}')


if __name__ == '__main__':
    main()
