using Collect.Core;
using Collect.Core.Operations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Collect.LocalRunner.Tests;

/// <summary>
/// The product's default leaves the operations API off; the local runner (a developer's machine, callers on loopback)
/// turns it on for this machine only through its appsettings.json, which a command-line or environment setting still overrides.
/// </summary>
public sealed class OpsAccessDefaultTests
{
    private static OpsAccessMode Resolve(params string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["OrderStorage"] = "UseDevelopmentStorage=true",
                ["Collect:NotifyUrl"] = "http://127.0.0.1:7071/api/haipay/notify",
            })
            .AddJsonFile(TestSupport.RepositoryRoot.Combine("src", "Collect.LocalRunner", "appsettings.json"))
            .AddCommandLine(args)
            .Build();
        using var services = new ServiceCollection().AddLogging().AddCollectCore(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<OpsOptions>>().Value.Access;
    }

    [Fact]
    public void The_runner_answers_operations_on_loopback()
    {
        Assert.Equal(OpsAccessMode.Loopback, Resolve());
    }

    [Fact]
    public void A_setting_still_turns_it_off()
    {
        Assert.Equal(OpsAccessMode.Disabled, Resolve("--Ops:Access", "Disabled"));
    }
}
