"""Alternative correct answers for lab 04's exercises, written differently from the reference (issue 15)."""
import torch
import torch.nn.functional as F

from course_lib import gan


def discriminator_loss_bce(real_logits, fake_logits):
    """Binary cross-entropy with logits: real faces labelled 1, fakes 0."""
    real = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
    fake = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    return real + fake


def generator_loss_softplus(fake_logits):
    """−log σ(x) written as softplus(−x)."""
    return F.softplus(-fake_logits).mean()


def train_step_zero_grad_first(G, D, opt_g, opt_d, real, z):
    """zero_grad before each forward pass, float() of the detached losses instead of item()."""
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


def slerp_float64(z0, z1, t):
    """Unit vectors and a matrix product, computed and returned in float64."""
    a, b = z0.double(), z1.double()
    cos = torch.clamp((a / a.norm()) @ (b / b.norm()), -1.0, 1.0)
    omega = torch.arccos(cos)
    return (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(omega)


ALTERNATIVES = {
    "discriminator_loss_test": [discriminator_loss_bce],
    "generator_loss_test": [generator_loss_softplus],
    "train_step_test": [train_step_zero_grad_first],
    "slerp_test": [slerp_float64],
}
