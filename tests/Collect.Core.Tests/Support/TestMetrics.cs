using System.Diagnostics.Metrics;
using Collect.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace Collect.Core.Tests.Support;

/// <summary>A <see cref="CollectMetrics"/> on a meter factory of its own, for classes a test constructs directly.</summary>
public static class TestMetrics
{
    private static readonly ServiceProvider Meters = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public static CollectMetrics Create() => new(Meters.GetRequiredService<IMeterFactory>());
}
