"""Writes the official-format checkpoints the import tests read (run with Debian's python3-torch):

    cd packages/ratlip-gan/src/checkpoint/__fixtures__ && /usr/bin/python3 make_official_checkpoint.py

tiny_official_checkpoint.pth is a `state_epoch_*.pth` as RATLIP's `save_models_opt` writes it after DDP
training: {'model': {'netG', 'netD', 'netC'} (keys prefixed 'module.'), 'optimizers': {'optimizer_G',
'optimizer_D'}, 'epoch'}, for a tiny RATLIP with legacy RAT (nn.LSTM per affine). The modules below only
mirror the official attribute names and registration order (hence state_dict key order and optimizer
parameter indices); their forward passes are not needed. Sizes: CLIP image tower 8 px, patch 4, width 8,
3 blocks, 2 heads (taps 0, 1, 2; prompts before blocks 1, 2); z 4; sentence 8; code 16 x 2 x 2; mid 8; one M-block; LSTM hidden 4; 3 x 3 fuse
convs; ngf 16 and one G-block 16 -> 16 (not the official channel rule, to stay small); NetD out 16; NetC hidden 8 with 2 x 2 and 1 x 1 convs.
evil_official_checkpoint.pth holds a pickle that would call os.system.
"""
import collections
import io
import os
import pickle
import zipfile

import torch
from torch import nn

torch.manual_seed(2024)
COND, HIDDEN, WIDTH, GRID, LAYERS, PROMPTS = 12, 4, 8, 2, 3, 2


def head(inp, ch, named):
    if named:
        return nn.Sequential(collections.OrderedDict(
            linear1=nn.Linear(inp, ch), relu1=nn.ReLU(), linear2=nn.Linear(ch, ch)))
    return nn.Sequential(nn.Linear(inp, ch), nn.ReLU(), nn.Linear(ch, ch))


class Affine(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.fc_gamma = head(COND, ch, True)
        self.fc_beta = head(COND, ch, True)


class AffineRnn(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.rnn = nn.LSTM(COND, HIDDEN, batch_first=True)
        self.fc_gamma = head(HIDDEN, ch, False)
        self.fc_beta = head(HIDDEN, ch, False)


class DfBlock(nn.Module):
    def __init__(self, ch, kind):
        super().__init__()
        self.affine0 = kind(ch)
        self.affine1 = kind(ch)


class ShuffleAttention(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.gn = nn.GroupNorm(ch // 16, ch // 16)
        for name in ('cweight', 'cbias', 'sweight', 'sbias'):
            setattr(self, name, nn.Parameter(torch.zeros(1, ch // 16, 1, 1)))


class ConvShuffle(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.se = ShuffleAttention(cout)


class MBlockRat(nn.Module):
    def __init__(self, cin, mid, cout):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, mid, 3, 1, 1)
        self.fuse1 = DfBlock(mid, AffineRnn)
        self.conv2 = ConvShuffle(mid, cout)
        self.fuse2 = DfBlock(cout, AffineRnn)


class GBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.c1 = ConvShuffle(cin, cout)
        self.c2 = ConvShuffle(cout, cout)
        self.fuse1 = DfBlock(cin, Affine)
        self.fuse2 = DfBlock(cout, Affine)
        if cin != cout:
            self.c_sc = nn.Conv2d(cin, cout, 1, 1, 0)


class ResidualAttentionBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(WIDTH, 2)
        self.ln_1 = nn.LayerNorm(WIDTH)
        self.mlp = nn.Sequential(collections.OrderedDict(
            c_fc=nn.Linear(WIDTH, 4 * WIDTH), gelu=nn.GELU(), c_proj=nn.Linear(4 * WIDTH, WIDTH)))
        self.ln_2 = nn.LayerNorm(WIDTH)


class Transformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.resblocks = nn.Sequential(*[ResidualAttentionBlock() for _ in range(LAYERS)])


class ClipMapper(nn.Module):
    """The image tower as RATLIP's CLIP_Mapper holds it: no ln_post, no proj."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, WIDTH, 4, 4, bias=False)
        self.class_embedding = nn.Parameter(torch.randn(WIDTH))
        self.positional_embedding = nn.Parameter(torch.randn(GRID * GRID + 1, WIDTH))
        self.ln_pre = nn.LayerNorm(WIDTH)
        self.transformer = Transformer()


class Adapter(nn.Module):
    def __init__(self):
        super().__init__()
        self.FBlocks = nn.ModuleList([MBlockRat(16, 8, 16)])
        self.conv_fuse = nn.Conv2d(16, WIDTH, 3, 1, 1)
        self.CLIP_ViT = ClipMapper()
        self.conv = nn.Conv2d(WIDTH, 16, 3, 1, 1)
        self.fc_prompt = nn.Linear(COND, WIDTH * PROMPTS)


class NetG(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc_code = nn.Linear(4, 16 * GRID * GRID)
        self.mapping = Adapter()
        self.GBlocks = nn.ModuleList([GBlock(16, 16)])
        self.to_rgb = nn.Sequential(nn.LeakyReLU(0.2), nn.Conv2d(16, 3, 3, 1, 1))


class DBlock(nn.Module):
    def __init__(self, fin, fout, clip_feat):
        super().__init__()
        self.conv_r = nn.Sequential(nn.Conv2d(fin, fout, 3, 1, 1, bias=False), nn.LeakyReLU(0.2),
                                    nn.Conv2d(fout, fout, 3, 1, 1, bias=False), nn.LeakyReLU(0.2))
        self.conv_s = nn.Conv2d(fin, fout, 1, 1, 0)
        self.gamma = nn.Parameter(torch.zeros(1))
        if clip_feat:
            self.beta = nn.Parameter(torch.zeros(1))


class NetD(nn.Module):
    def __init__(self):
        super().__init__()
        self.DBlocks = nn.ModuleList([DBlock(WIDTH, WIDTH, True), DBlock(WIDTH, WIDTH, True)])
        self.main = DBlock(WIDTH, 16, False)


class NetC(nn.Module):
    def __init__(self):
        super().__init__()
        self.joint_conv = nn.Sequential(nn.Conv2d(16 + 8, 8, 2, 1, 0, bias=False), nn.LeakyReLU(0.2),
                                        nn.Conv2d(8, 1, 1, 1, 0, bias=False))


def randomise(module):
    with torch.no_grad():
        for name, tensor in module.state_dict().items():
            if name.endswith('num_batches_tracked'):
                tensor.fill_(3)
            elif name.endswith('running_var'):
                tensor.uniform_(0.5, 1.5)
            else:
                tensor.uniform_(-0.5, 0.5)


net_g, net_d, net_c = NetG(), NetD(), NetC()
for net in (net_g, net_d, net_c):
    randomise(net)
for p in net_g.mapping.CLIP_ViT.parameters():
    p.requires_grad = False

# One Adam step in which only some parameters have gradients, so the optimizer state has entries at
# a few indices (they map to parameters by the order of netG.parameters() / netD + netC parameters()).
optimizer_g = torch.optim.Adam(net_g.parameters(), lr=1e-4, betas=(0.0, 0.9))
optimizer_d = torch.optim.Adam(list(net_d.parameters()) + list(net_c.parameters()), lr=4e-4, betas=(0.0, 0.9))
for p in (net_g.fc_code.weight, net_g.to_rgb[1].weight,
          net_g.mapping.FBlocks[0].fuse1.affine0.rnn.weight_ih_l0, net_g.GBlocks[0].c1.se.cweight):
    p.grad = torch.randn_like(p)
for p in (net_d.main.gamma, net_d.DBlocks[1].beta, net_c.joint_conv[0].weight):
    p.grad = torch.randn_like(p)
for _ in range(2):
    optimizer_g.step()
    optimizer_d.step()


def ddp(module):
    return collections.OrderedDict(('module.' + k, v) for k, v in module.state_dict().items())


state = {'model': {'netG': ddp(net_g), 'netD': ddp(net_d), 'netC': ddp(net_c)},
         'optimizers': {'optimizer_G': optimizer_g.state_dict(), 'optimizer_D': optimizer_d.state_dict()},
         'epoch': 7}
torch.save(state, 'tiny_official_checkpoint.pth')


class Evil:
    def __reduce__(self):
        return (os.system, ('echo owned',))


buffer = io.BytesIO()
with zipfile.ZipFile(buffer, 'w') as archive:
    archive.writestr('state_epoch_001/data.pkl', pickle.dumps({'model': Evil()}, protocol=2))
    archive.writestr('state_epoch_001/version', '3\n')
open('evil_official_checkpoint.pth', 'wb').write(buffer.getvalue())
print('written', os.path.getsize('tiny_official_checkpoint.pth'), os.path.getsize('evil_official_checkpoint.pth'))
