using Makemore.Layers;
using Makemore.Notebook;
using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.Tests;

/// <summary><see cref="ModulePrint"/> against the text PyTorch 1.13 (torchvision 0.14) prints for the same modules.</summary>
[Collection(InProcessTorch.Name)]
public class ModulePrintTests
{
    [Fact]
    public void ResNetBlockPrintsAsPyTorchPrintsIt()
    {
        using var model = torchvision.models.resnet50();
        var block = model.named_modules().First(m => m.name == "layer1.0").module;
        // PyTorch's print(model.layer1[0]), but for the ReLUs: torchvision's block has one `relu`, TorchSharp's two
        Assert.Equal("""
            Bottleneck(
              (conv1): Conv2d(64, 64, kernel_size=(1, 1), stride=(1, 1), bias=False)
              (bn1): BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
              (conv2): Conv2d(64, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
              (bn2): BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
              (conv3): Conv2d(64, 256, kernel_size=(1, 1), stride=(1, 1), bias=False)
              (bn3): BatchNorm2d(256, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
              (relu1): ReLU(inplace=True)
              (relu2): ReLU(inplace=True)
              (downsample): Sequential(
                (0): Conv2d(64, 256, kernel_size=(1, 1), stride=(1, 1), bias=False)
                (1): BatchNorm2d(256, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
              )
            )
            """.ReplaceLineEndings("\n"), ModulePrint.Repr(block));

        string Child(string name) => ModulePrint.Repr(model.named_modules().First(m => m.name == name).module);
        Assert.Equal("Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)", Child("conv1"));
        Assert.Equal("MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)", Child("maxpool"));
        Assert.Equal("AdaptiveAvgPool2d(output_size=(1, 1))", Child("avgpool"));
        Assert.Equal("Linear(in_features=2048, out_features=1000, bias=True)", Child("fc"));
        Assert.Equal("Flatten(start_dim=1, end_dim=-1)", Child("flatten"));
        Assert.Equal("""
            Sequential(
              (0): Conv2d(256, 512, kernel_size=(1, 1), stride=(2, 2), bias=False)
              (1): BatchNorm2d(512, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
            )
            """.ReplaceLineEndings("\n"), Child("layer2.0.downsample"));
    }

    [Fact]
    public void SettingsAwayFromTheDefaultsAreShownAsPyTorchShowsThem()
    {
        Assert.Equal("Conv2d(4, 8, kernel_size=(3, 5), stride=(2, 2), padding=(1, 2), dilation=(2, 2), groups=2, padding_mode=reflect)",
            ModulePrint.Repr(nn.Conv2d(4, 8, (3, 5), stride: (2, 2), padding: (1, 2), dilation: (2, 2), groups: 2, padding_mode: PaddingModes.Reflect)));
        Assert.Equal("BatchNorm2d(8, eps=0.001, momentum=0.01, affine=False, track_running_stats=False)",
            ModulePrint.Repr(nn.BatchNorm2d(8, eps: 1e-3, momentum: 0.01, affine: false, track_running_stats: false)));
        Assert.Equal("Linear(in_features=4, out_features=2, bias=False)", ModulePrint.Repr(nn.Linear(4, 2, hasBias: false)));
        Assert.Equal("ReLU()", ModulePrint.Repr(nn.ReLU()));
        Assert.Equal("Tanh()", ModulePrint.Repr(nn.Tanh()));      // a module with no settings it knows, no children
        Assert.Throws<ArgumentNullException>(() => ModulePrint.Repr(null!));
    }

    [Theory]   // Python's repr() of each
    [InlineData(1e-5, "1e-05")]
    [InlineData(0.1, "0.1")]
    [InlineData(0.001, "0.001")]
    [InlineData(1e-4, "0.0001")]
    [InlineData(0.00012, "0.00012")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(123.456, "123.456")]
    [InlineData(3.0, "3.0")]
    [InlineData(2.5e-7, "2.5e-07")]
    [InlineData(1.0 / 3, "0.3333333333333333")]
    [InlineData(-0.5, "-0.5")]
    [InlineData(0.0, "0.0")]
    public void FloatsPrintAsPythonsRepr(double value, string python) => Assert.Equal(python, ModulePrint.Float(value));
}
