"""Lab 03: correct answers written differently from the reference, each keyed by its solution cell's grade_id.

The hidden tests must accept every one of them (other calls, a loop instead of vectorised code, a mask
instead of indexing). Each value is the source of a replacement solution cell.
"""

ANSWERS = {
    # named steps instead of one line; indexing the pair instead of unpacking it
    "swap_routing_sol": '''
def swap_faces(model, crops, to):
    code = model.encoder(crops)
    outputs = model.decoders[to](code)
    return outputs[0]
''',
    # a boolean border mask and masked_fill instead of assigning rows and columns
    "jitter_grid_sol": '''
def jitter_grid(n, points, strength, generator):
    noise = strength * torch.randn((n, 2, points, points), generator=generator)
    border = torch.ones(points, points, dtype=torch.bool)
    border[1:-1, 1:-1] = False
    return noise.masked_fill(border, 0.0)
''',
    # a loop over the colour channels, computed in float64
    "masked_l1_sol": '''
def masked_l1(pred, target, weights):
    total = torch.zeros((), dtype=torch.float64)
    for c in range(pred.shape[1]):
        total = total + (weights[:, 0].double() * (pred[:, c].double() - target[:, c].double()).abs()).sum()
    return total / (weights.double().sum() * pred.shape[1])
''',
}
