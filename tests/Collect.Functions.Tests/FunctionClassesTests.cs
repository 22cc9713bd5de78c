using Collect.Core;
using Collect.Functions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Collect.Functions.Tests;

/// <summary>The worker creates the function classes from the container Program.cs builds with AddCollectCore.</summary>
public sealed class FunctionClassesTests
{
    [Fact]
    public void Every_function_class_can_be_created_from_the_products_services()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OrderStorage"] = "UseDevelopmentStorage=true",
            ["Collect:NotifyUrl"] = "https://collect.example.com/api/haipay/notify",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddCollectCore(configuration);
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        Assert.NotNull(ActivatorUtilities.CreateInstance<OrdersFunctions>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<NotifyFunction>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<CollectionActivityFunctions>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<SweepFunction>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<RetentionFunction>(provider));
        Assert.NotNull(ActivatorUtilities.CreateInstance<HealthFunction>(provider));
    }
}
