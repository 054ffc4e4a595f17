using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Makemore.Tests;

/// <summary>Notebook 15's claims about torchvision's ResNet-50 (TorchVision 0.107.0): the published parameter count,
/// added up by hand from the architecture; conv → BatchNorm without a bias everywhere; (N, 1000) logits.</summary>
[Collection(InProcessTorch.Name)]
public class ResNetTests
{
    public ResNetTests() => torch.set_num_threads(1);

    /// <summary>The figure published for torchvision's resnet50 ("25.6M"), to the parameter.</summary>
    const long Published = 25_557_032;

    /// <summary>ResNet-50 counted from its description alone: a 7×7 stem convolution to 64 channels, four stages of
    /// 3, 4, 6, 3 bottleneck blocks (1×1 to the stage's width, 3×3, 1×1 to 4 × width; a 1×1 downsample convolution on
    /// each stage's first block), a BatchNorm (gamma and beta) after every convolution, and fc: Linear(2048, 1000).</summary>
    static long CountedByHand()
    {
        static long Conv(long cin, long cout, long k) => cout * cin * k * k;   // no bias
        static long Bn(long c) => 2 * c;
        long count = Conv(3, 64, 7) + Bn(64);
        long cin = 64;
        foreach (var (width, blocks) in new[] { (64L, 3), (128L, 4), (256L, 6), (512L, 3) })
            for (int b = 0; b < blocks; b++)
            {
                long cout = 4 * width;
                count += Conv(cin, width, 1) + Bn(width) + Conv(width, width, 3) + Bn(width) + Conv(width, cout, 1) + Bn(cout);
                if (b == 0) count += Conv(cin, cout, 1) + Bn(cout);
                cin = cout;
            }
        return count + 2048 * 1000 + 1000;
    }

    [Fact]
    public void ParameterCountIsThePublishedFigureAndAddsUpByHand()
    {
        Assert.Equal(Published, CountedByHand());
        using var model = torchvision.models.resnet50();
        Assert.Equal(Published, model.parameters().Sum(p => p.numel()));
        Assert.All(model.parameters(), p => Assert.True(p.requires_grad));
        // BatchNorm's running statistics are buffers, not parameters: 53 BatchNorms over 26560 channels in all
        var buffers = model.named_buffers().ToList();
        Assert.Equal(26_560, buffers.Where(b => b.name.EndsWith(".running_mean")).Sum(b => b.buffer.numel()));
        Assert.Equal(26_560, buffers.Where(b => b.name.EndsWith(".running_var")).Sum(b => b.buffer.numel()));
        Assert.Equal(53, buffers.Count(b => b.name.EndsWith(".num_batches_tracked")));
        Assert.Equal(3 * 53, buffers.Count);
    }

    [Fact]
    public void EveryConvolutionFeedsABatchNormOfItsChannelsAndHasNoBias()
    {
        using var model = torchvision.models.resnet50();
        model.eval();
        // the leaf modules in the order the forward pass calls them, read by forward hooks
        var calls = new List<nn.Module>();
        foreach (var (_, module) in model.named_modules())
            if (!module.named_children().Any())
                ((nn.Module<Tensor, Tensor>)module).register_forward_hook((m, input, output) => { calls.Add(m); return output; });
        using (no_grad())
        using (var scope = NewDisposeScope())
            model.call(randn(1, 3, 64, 64, generator: new Generator(1)));   // 64×64 is enough to run every layer

        var convs = calls.Select((m, i) => (m, i)).Where(c => c.m is Conv2d).ToList();
        Assert.Equal(53, convs.Count);      // the stem, 3 per block × 16, 4 downsample paths
        Assert.Equal(53, calls.Count(m => m is BatchNorm2d));
        foreach (var (m, i) in convs)
        {
            var conv = (Conv2d)m;
            Assert.Null(conv.bias);
            var next = Assert.IsType<BatchNorm2d>(calls[i + 1]);
            Assert.Equal(conv.out_channels, next.num_features);
        }
    }

    [Fact]
    public void ForwardGivesNBy1000LogitsThroughTheStages()
    {
        using var model = torchvision.models.resnet50();
        model.eval();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var h = randn(3, 3, 224, 224, generator: new Generator(42));
        var shapes = new List<string>();
        foreach (var (name, child) in model.named_children())
        {
            h = ((nn.Module<Tensor, Tensor>)child).call(h);
            shapes.Add($"{name} {string.Join("x", h.shape)}");
        }
        Assert.Equal(new[]
        {
            "conv1 3x64x112x112", "bn1 3x64x112x112", "relu 3x64x112x112", "maxpool 3x64x56x56",
            "layer1 3x256x56x56", "layer2 3x512x28x28", "layer3 3x1024x14x14", "layer4 3x2048x7x7",
            "avgpool 3x2048x1x1", "flatten 3x2048", "fc 3x1000",
        }, shapes);
        Assert.True(model.call(randn(3, 3, 224, 224, generator: new Generator(42))).eq(h).all().item<bool>());
    }
}
