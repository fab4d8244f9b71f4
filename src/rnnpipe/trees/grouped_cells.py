"""The Tree-LSTM's inner cells over a schedule of node groups, as one autograd Function.

Level batching leaves a batch with one cell call per tree height (or, for SPINN, per REDUCE step):
some twenty small groups of ~20 nodes each. Through autograd every group costs ~20 recorded ops
forward and as many backward, and each op's bookkeeping outweighs its arithmetic at this size. Here
the whole schedule is one Function: the forward runs the groups without recording anything, writing
each group's (h, c) into two node-by-hidden buffers, and keeps per group only what the backward
needs (the activations, tanh(c), the children's states); the backward walks the groups in reverse by
hand and computes the composition's weight gradient with one matrix product over every inner node of
the batch instead of one per group. The leaves (one call for the whole batch) stay in ordinary
autograd.

The cell (treelstm.TreeLSTM.inner_states): gates = W [h_l; h_r] + b, split into i, f_l, f_r, o
(sigmoid) and u (tanh); c = i u + f_l c_l + f_r c_r; h = o tanh(c). Its backward, for dh, dc
reaching a node:
  dc += dh o (1 - tanh(c)^2);          do = dh tanh(c)
  d(pre-activation) of i, f_l, f_r, o = (dc u, dc c_l, dc c_r, do) * s (1 - s) for each gate's
  sigmoid s;
  d(pre-activation) of u = dc i (1 - u^2)
  d[h_l; h_r] = dgates W;              dc_l = dc f_l, dc_r = dc f_r;   dW = sum dgates^T [h_l; h_r]
tests/trees/test_treelstm.py checks outputs and gradients against the node-by-node reference in
float64.
"""

from __future__ import annotations

import torch
from torch.autograd.function import once_differentiable


class GroupedTreeCells(torch.autograd.Function):
    """apply(leaf_h, leaf_c, weight, bias, leaves, groups, children, nodes) -> h [nodes, hidden].

    `leaves` [leaves] are the leaf nodes' rows (leaf_h / leaf_c in that order); `groups[k]` the
    nodes of group k and `children[k]` their children interleaved (left of the first node, its
    right, left of the second, ...): every child is a leaf or in an earlier group."""

    @staticmethod
    @torch.amp.custom_fwd(device_type="cuda", cast_inputs=torch.float32)
    def forward(ctx, leaf_h, leaf_c, weight, bias, leaves, groups, children, nodes: int):
        hidden = leaf_h.size(1)
        h = leaf_h.new_zeros(nodes, hidden)
        c = leaf_h.new_zeros(nodes, hidden)
        h.index_copy_(0, leaves, leaf_h)
        c.index_copy_(0, leaves, leaf_c)
        inner = sum(len(group) for group in groups)
        children_h = leaf_h.new_empty(
            inner, 2 * hidden
        )  # every inner node's [h_l; h_r], group after group
        children_c = leaf_h.new_empty(inner, 2 * hidden)
        activations, tanh_cs, start = [], [], 0
        for group, kids in zip(groups, children):
            n = len(group)
            kids_h, kids_c = children_h[start : start + n], children_c[start : start + n]
            torch.index_select(h, 0, kids, out=kids_h.view(2 * n, hidden))
            torch.index_select(c, 0, kids, out=kids_c.view(2 * n, hidden))
            gates = torch.addmm(bias, kids_h, weight.t())
            gates[:, : 4 * hidden].sigmoid_()
            gates[:, 4 * hidden :].tanh_()
            i, f_left, f_right, o, u = gates.split(hidden, dim=1)
            new_c = torch.addcmul(
                torch.addcmul(i * u, f_left, kids_c[:, :hidden]), f_right, kids_c[:, hidden:]
            )
            tanh_c = new_c.tanh()
            h.index_copy_(0, group, o * tanh_c)
            c.index_copy_(0, group, new_c)
            activations.append(gates)
            tanh_cs.append(tanh_c)
            start += n
        ctx.save_for_backward(weight, leaves, children_h, children_c, *groups, *children)
        ctx.activations, ctx.tanh_cs, ctx.count = activations, tanh_cs, len(groups)
        return h

    @staticmethod
    @once_differentiable
    @torch.amp.custom_bwd(device_type="cuda")
    def backward(ctx, grad_h):
        weight, leaves, children_h, children_c, *rest = ctx.saved_tensors
        groups, children = rest[: ctx.count], rest[ctx.count :]
        hidden = grad_h.size(1)
        grad_h = grad_h.contiguous()
        # Every node but a root has exactly one parent, so what a parent sends its children is
        # written, not
        # added (index_add_ is many times slower than index_copy_ on CPU): from_parent_h / _c hold
        # it.
        from_parent_h = torch.zeros_like(grad_h)
        from_parent_c = torch.zeros_like(grad_h)
        dgates_all = grad_h.new_empty(children_h.size(0), 5 * hidden)
        end = children_h.size(0)
        for group, kids, gates, tanh_c in zip(
            reversed(groups), reversed(children), reversed(ctx.activations), reversed(ctx.tanh_cs)
        ):
            n = len(group)
            start = end - n
            kids_c = children_c[start:end]
            i, _, _, o, u = gates.split(
                hidden, dim=1
            )  # the forget gates are read as one block below
            dh_group = grad_h.index_select(0, group) + from_parent_h.index_select(0, group)
            dc_group = from_parent_c.index_select(0, group).addcmul_(
                dh_group * o, 1 - tanh_c * tanh_c
            )
            sigmoids = gates[:, : 4 * hidden]
            dgates = dgates_all[start:end]
            dgates[:, : 4 * hidden] = torch.cat(
                [
                    dc_group * u,
                    (kids_c.view(n, 2, hidden) * dc_group.unsqueeze(1)).view(n, 2 * hidden),
                    dh_group * tanh_c,
                ],
                dim=1,
            ) * (sigmoids - sigmoids * sigmoids)
            dgates[:, 4 * hidden :] = dc_group * i * (1 - u * u)
            from_parent_h.index_copy_(0, kids, (dgates @ weight).view(2 * n, hidden))
            from_parent_c.index_copy_(
                0,
                kids,
                (
                    gates[:, hidden : 3 * hidden].unflatten(1, (2, hidden)) * dc_group.unsqueeze(1)
                ).view(2 * n, hidden),
            )
            end = start
        grad_weight = dgates_all.t() @ children_h
        grad_bias = dgates_all.sum(0)
        return (
            grad_h.index_select(0, leaves) + from_parent_h.index_select(0, leaves),
            from_parent_c.index_select(0, leaves),
            grad_weight,
            grad_bias,
            None,
            None,
            None,
            None,
        )
