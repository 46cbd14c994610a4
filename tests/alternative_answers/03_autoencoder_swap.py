"""Alternative correct answers for lab 03's exercises, written differently from the reference (issue 15)."""
import torch


def swap_faces_in_steps(model, crops, to):
    """Named steps instead of one line, and the pair indexed instead of unpacked."""
    code = model.encoder(crops)
    outputs = model.decoders[to](code)
    return outputs[0]


def jitter_grid_masked_fill(n, points, strength, generator):
    """A boolean border mask and masked_fill instead of assigning rows and columns."""
    noise = strength * torch.randn((n, 2, points, points), generator=generator)
    border = torch.ones(points, points, dtype=torch.bool)
    border[1:-1, 1:-1] = False
    return noise.masked_fill(border, 0.0)


def masked_l1_channel_loop_float64(pred, target, weights):
    """A loop over the colour channels, computed in float64 (the prompt fixes no dtype)."""
    total = torch.zeros((), dtype=torch.float64)
    for c in range(pred.shape[1]):
        total = total + (weights[:, 0].double() * (pred[:, c].double() - target[:, c].double()).abs()).sum()
    return total / (weights.double().sum() * pred.shape[1])


ALTERNATIVES = {
    "swap_routing_test": [swap_faces_in_steps],
    "jitter_grid_test": [jitter_grid_masked_fill],
    "masked_l1_test": [masked_l1_channel_loop_float64],
}
