"""Lab 04: correct answers written differently from the reference, each keyed by its solution cell's grade_id.

The hidden tests must accept every one of them (binary cross-entropy instead of log-sigmoid, softplus,
another order of calls, float64 arithmetic). Each value is the source of a replacement solution cell.
"""

ANSWERS = {
    # binary cross-entropy with logits: real faces labelled 1, fakes 0
    "discriminator_loss_sol": '''
def discriminator_loss(real_logits, fake_logits):
    real = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
    fake = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    return real + fake
''',
    # -log sigmoid(x) = softplus(-x)
    "generator_loss_sol": '''
def generator_loss(fake_logits):
    return F.softplus(-fake_logits).mean()
''',
    # zero_grad before the forward pass, float() of the detached losses instead of item()
    "train_step_sol": '''
def train_step(G, D, opt_g, opt_d, real, z):
    fake = G(z)
    opt_d.zero_grad()
    d_loss = gan.discriminator_loss(D(real), D(fake.detach()))
    d_loss.backward()
    opt_d.step()
    opt_g.zero_grad()
    g_loss = gan.generator_loss(D(fake))
    g_loss.backward()
    opt_g.step()
    return float(d_loss.detach()), float(g_loss.detach())
''',
    # unit vectors and a matrix product, in float64, returned in float64
    "slerp_sol": '''
def slerp(z0, z1, t):
    a, b = z0.double(), z1.double()
    cos = torch.clamp((a / a.norm()) @ (b / b.norm()), -1.0, 1.0)
    omega = torch.arccos(cos)
    return (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(omega)
''',
}
