using System.Text.Json.Nodes;

namespace Makemore.Tests;

[Collection(InProcessTorch.Name)]
public class DataChartsTests
{
    [Fact]
    public void NameLengthsCountsEveryLengthOnce()
    {
        var chart = DataCharts.NameLengths(["ab", "cd", "efg", "a", "hij", "klm"]);
        var trace = JsonNode.Parse(chart.Json())!["data"]![0]!;
        Assert.Equal("bar", (string?)trace["type"]);
        Assert.Equal([1, 2, 3], trace["x"]!.AsArray().Select(v => (int)v!));
        Assert.Equal([1, 2, 3], trace["y"]!.AsArray().Select(v => (int)v!));
        Assert.Contains("Distribution of name lengths", chart.Json());
    }
}
