"""Writes the PyTorch checkpoints the torch-checkpoint tests read (run with Debian's python3-torch).

Every tensor's values are arange-based so the TypeScript test can recompute them without Python.
"""
import collections
import io
import os
import pickle
import zipfile

import torch

torch.manual_seed(0)
net_g = collections.OrderedDict()
net_g['fc_code.weight'] = torch.arange(12, dtype=torch.float32).reshape(3, 4) * 0.5
net_g['fc_code.bias'] = torch.arange(3, dtype=torch.float32) - 1
# A transposed view: saved with its storage and non-contiguous strides.
net_g['conv.weight'] = (torch.arange(24, dtype=torch.float32).reshape(2, 3, 4)).transpose(0, 2)
net_g['half'] = torch.arange(5, dtype=torch.float16) / 4
net_g['bn.num_batches_tracked'] = torch.tensor(7, dtype=torch.int64)
net_g['shared_view'] = net_g['fc_code.weight'][1]
net_d = collections.OrderedDict(gamma=torch.tensor([0.25]))
adam = torch.optim.Adam([torch.nn.Parameter(torch.zeros(2))], lr=1e-4, betas=(0.0, 0.9))
checkpoint = {
    'model': {'netG': net_g, 'netD': net_d},
    'optimizers': {'optimizer_G': adam.state_dict()},
    'epoch': 5,
}
torch.save(checkpoint, 'tiny_checkpoint.pth')


class Evil:
    def __reduce__(self):
        return (os.system, ('echo owned',))


buffer = io.BytesIO()
with zipfile.ZipFile(buffer, 'w') as archive:
    archive.writestr('evil/data.pkl', pickle.dumps({'x': Evil()}, protocol=2))
    archive.writestr('evil/version', '3\n')
open('evil_checkpoint.pth', 'wb').write(buffer.getvalue())
print('written', os.path.getsize('tiny_checkpoint.pth'), os.path.getsize('evil_checkpoint.pth'))
