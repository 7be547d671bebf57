#!/usr/bin/env python3
"""Trains Candor's lstm-text net (Embedding(V, 32) -> LSTM(32, 64) -> Linear(64, 2) on the last hidden
state, the LstmText of reference_cdep_text_train.py) on a Candor decoy-text folder with an input-gradient
penalty on the decoy token's embedding (RRR, "right for the right reasons", Ross et al. 2017; the
`gradient_sum` baseline of the CDEP reference code, laura-rieger/deep-explanation-penalization).

It answers one question: does RRR on the token embeddings remove the decoy-word bias of Candor's
decoy-text dataset ('text' in every positive, 'video' in every negative training sentence; val/test
clean; vanilla ~54% clean test, the same net trained without decoys 100%), i.e. reach >= 75% clean test
accuracy? If it does, an LSTM backward pass for token RRR is worth implementing in Candor.

Each step: e = embedding output (part of the graph), logits = LSTM head(e), CE; g = d(objective)/de with
create_graph=True; penalty over the marked positions (train/mask.npy, 1 on the decoy word), averaged over
the batch's samples:
  sum-then-square  sum over marked positions of (sum over the 32 dims of g)^2, g = dCE/de
                   (the CDEP reference's gradient_sum analogue);
  sqnorm           sum over marked positions of ||g||^2 over the 32 dims, g = dCE/de;
  logprob          as sqnorm, g = d(sum over samples and classes of log softmax)/de (Ross et al.).
Scale (--scale): per-sample (default) takes g of each sample's own objective (CE_n, or sum_k log p_nk)
and averages the penalty over the batch's samples, so all three forms share one lambda scale and the
ratio to the batch-mean CE is Ross et al.'s (both summed over samples there). reference: g of the batch
objective as written (the mean CE, as the CDEP reference's gradient_sum does, or the batch sum of log
softmax) and the penalty summed over the batch; for the CE forms that is 1/B of per-sample (reference lam
64 = per-sample lam 1 at B = 64), for logprob B times per-sample. loss = CE + lam * penalty, one
backward, one Adam step. Early stopping on the whole val loss with patience. Prints per epoch: train CE, penalty, val loss and
accuracy, clean test accuracy, and the accuracy on the train split with 'text' and 'video' swapped (near 1:
the net ignores the decoy; near 0: it follows it); then the embedding norms of 'text', 'video' and the
other words, and one RESULT line.

Run (one core, another process uses core 1):
  taskset -c 0 /usr/bin/python3 tests/python/reference_rrr_text_train.py --data /tmp/txref/a \
      --form sum-then-square|sqnorm|logprob --lam 100 [--epochs 10] [--patience 3] [--lr 1e-3]
      [--seed 0] [--batch 64] [--scale per-sample|reference]
DIR holds {train,val,test}/x.npy (int64 [N, T], padded on the left with 0), y.npy, train/mask.npy
and meta.json.
"""
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_cdep_text_train import LstmText, load_decoy_text, loss_and_accuracy, train_epoch, training_arguments  # noqa: E402


def forward_from_embedding(model, e):
    """e [B, T, E] -> logits [B, 2], the same computation as LstmText.forward."""
    out, _ = model.lstm(e.transpose(0, 1))
    return model.hidden_to_label(out[-1])


def step_loss(model, xb, yb, mb, form, lam, scale='per-sample'):
    """Returns (loss, ce, penalty) for one batch; the penalty is part of the graph."""
    e = model.embed(xb)  # [B, T, E], requires grad through the embedding weights
    logits = forward_from_embedding(model, e)
    ce = F.cross_entropy(logits, yb)
    if lam == 0:
        return ce, ce, ce.new_zeros(())
    if form == 'logprob':
        obj = F.log_softmax(logits, 1).sum()
    else:
        obj = ce * len(yb) if scale == 'per-sample' else ce  # per-sample: g is each sample's own gradient
    g, = torch.autograd.grad(obj, e, create_graph=True)
    if form == 'sum-then-square':
        per_pos = g.sum(2) ** 2
    else:
        per_pos = (g ** 2).sum(2)
    pen = (per_pos * mb).sum()
    if scale == 'per-sample':
        pen = pen / len(yb)
    return ce + lam * pen, ce, pen


def main():
    p = training_arguments()
    p.add_argument('--form', default='sqnorm', choices=['sum-then-square', 'sqnorm', 'logprob'])
    p.add_argument('--scale', default='per-sample', choices=['per-sample', 'reference'])
    a = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    d = load_decoy_text(a.data)
    words, x, y, mask, xv, yv, xt, yt, x_swap = d.words, d.x, d.y, d.mask, d.xv, d.yv, d.xt, d.yt, d.x_swap
    model = LstmText(len(words))
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)

    def evaluate(xs, ys):
        return loss_and_accuracy(model, xs, ys)

    # sanity: the embedding-split forward equals the model's forward
    with torch.no_grad():
        err = (forward_from_embedding(model, model.embed(x[:64])) - model(x[:64])).abs().max().item()
    assert err < 1e-5, err

    print(f'form {a.form} lam {a.lam} lr {a.lr} seed {a.seed} scale {a.scale}')
    print('epoch  train_ce  penalty  val_loss  val_acc  test_acc  swap_acc  sec', flush=True)
    best = (float('inf'), -1, None, None)
    history, patience = [], 0
    for epoch in range(a.epochs):
        t0 = time.time()
        ce_sum, pen_sum, n = train_epoch(len(x), a.batch, opt,
                                         lambda b: step_loss(model, x[b], y[b], mask[b], a.form, a.lam, a.scale))
        if a.lam == 0:  # report the penalty the vanilla net would pay
            pen_sum = 0.0
            for i in range(0, len(x), 500):
                _, _, pen = step_loss(model, x[i:i + 500], y[i:i + 500], mask[i:i + 500], a.form, 1.0, 'per-sample')
                pen_sum += pen.item() * len(x[i:i + 500])  # per-sample scale
        vloss, vacc = evaluate(xv, yv)
        _, tacc = evaluate(xt, yt)
        _, sacc = evaluate(x_swap, y)
        history.append((epoch, ce_sum / n, pen_sum / n, vloss, vacc, tacc, sacc))
        print(f'{epoch:5d}  {ce_sum / n:8.4f}  {pen_sum / n:7.4f}  {vloss:8.4f}  {vacc:7.3f}  {tacc:8.3f}'
              f'  {sacc:8.3f}  {time.time() - t0:4.1f}', flush=True)
        if vloss < best[0]:
            best, patience = (vloss, epoch, tacc, sacc), 0
        else:
            patience += 1
            if patience >= a.patience:
                break
    last = history[-1]
    with torch.no_grad():  # how the net can meet the penalty: decoy embeddings far out, gates saturated
        norms = model.embed.weight.norm(dim=1)
        other = [i for i, w in enumerate(words) if w not in ('<pad>', 'text', 'video')]
        print(f"embedding norms: text {norms[words.index('text')]:.2f} video {norms[words.index('video')]:.2f} "
              f"other words mean {norms[other].mean():.2f} max {norms[other].max():.2f}")
    print(f'RESULT form={a.form} lam={a.lam:g} seed={a.seed} scale={a.scale} epochs={len(history)} best_val_epoch={best[1]} '
          f'test_acc_best_val={best[2]:.3f} test_acc_last={last[5]:.3f} final_penalty={last[2]:.4g} '
          f'swap_acc_best_val={best[3]:.3f} swap_acc_last={last[6]:.3f} final_train_ce={last[1]:.4f}', flush=True)


if __name__ == '__main__':
    main()
