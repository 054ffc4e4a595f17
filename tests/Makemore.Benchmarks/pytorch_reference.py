"""The lecture's two benchmark models in PyTorch, for the C# benchmark's --compare-pytorch.
A: the Kaiming MLP (30->200->27, batch 32); B: the deep net with BatchNorm (n_hidden 100).
Usage: python3 pytorch_reference.py A|B STEPS WARMUP NAMES_TXT  -> prints one JSON line."""
import json, random, sys, time
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
model, steps, warmup, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
words = open(path).read().splitlines()
chars = sorted(set(''.join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}; stoi['.'] = 0
random.seed(42); random.shuffle(words)
X, Y = [], []
for w in words[:int(0.8 * len(words))]:
    context = [0] * 3
    for ch in w + '.':
        X.append(context); Y.append(stoi[ch]); context = context[1:] + [stoi[ch]]
Xtr, Ytr = torch.tensor(X), torch.tensor(Y)
g = torch.Generator().manual_seed(2147483647)

class Linear:
    def __init__(self, fan_in, fan_out, bias=True):
        self.weight = torch.randn((fan_in, fan_out), generator=g) / fan_in**0.5
        self.bias = torch.zeros(fan_out) if bias else None
    def __call__(self, x):
        self.out = x @ self.weight
        if self.bias is not None: self.out += self.bias
        return self.out
    def parameters(self): return [self.weight] + ([] if self.bias is None else [self.bias])

class BatchNorm1d:
    def __init__(self, dim, eps=1e-5, momentum=0.1):
        self.eps, self.momentum, self.training = eps, momentum, True
        self.gamma, self.beta = torch.ones(dim), torch.zeros(dim)
        self.running_mean, self.running_var = torch.zeros(dim), torch.ones(dim)
    def __call__(self, x):
        xmean, xvar = x.mean(0, keepdim=True), x.var(0, keepdim=True)
        xhat = (x - xmean) / torch.sqrt(xvar + self.eps)
        self.out = self.gamma * xhat + self.beta
        with torch.no_grad():
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean
            self.running_var = (1 - self.momentum) * self.running_var + self.momentum * xvar
        return self.out
    def parameters(self): return [self.gamma, self.beta]

class Tanh:
    def __call__(self, x): self.out = torch.tanh(x); return self.out
    def parameters(self): return []

if model == 'A':
    C = torch.randn((27, 10), generator=g)
    W1 = torch.randn((30, 200), generator=g) * (5/3) / 30**0.5
    b1 = torch.randn(200, generator=g) * 0.01
    W2 = torch.randn((200, 27), generator=g) * 0.01
    b2 = torch.randn(27, generator=g) * 0
    parameters = [C, W1, b1, W2, b2]
    def forward(Xb):
        h = torch.tanh(C[Xb].view(Xb.shape[0], -1) @ W1 + b1)
        return h @ W2 + b2
else:
    C = torch.randn((27, 10), generator=g)
    layers = [Linear(30, 100, bias=False), BatchNorm1d(100), Tanh()]
    for _ in range(4): layers += [Linear(100, 100, bias=False), BatchNorm1d(100), Tanh()]
    layers += [Linear(100, 27, bias=False), BatchNorm1d(27)]
    with torch.no_grad():
        layers[-1].gamma *= 0.1
        for layer in layers[:-1]:
            if isinstance(layer, Linear): layer.weight *= 5/3
    parameters = [C] + [p for layer in layers for p in layer.parameters()]
    def forward(Xb):
        x = C[Xb].view(Xb.shape[0], -1)
        for layer in layers: x = layer(x)
        return x
for p in parameters: p.requires_grad = True

def train(n):
    for i in range(n):
        ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
        loss = F.cross_entropy(forward(Xtr[ix]), Ytr[ix])
        for p in parameters: p.grad = None
        loss.backward()
        lr = 0.1
        for p in parameters: p.data += -lr * p.grad
        lossi = loss.log10().item()
    return loss.item()

train(warmup)
wall, cpu = time.perf_counter(), time.process_time()
last = train(steps)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
print(json.dumps({"model": model, "steps": steps, "wall": wall, "cpu": cpu, "loss": last, "torch": torch.__version__}))
