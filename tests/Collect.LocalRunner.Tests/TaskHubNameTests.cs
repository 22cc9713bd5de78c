using Collect.LocalRunner.Engine;
using Microsoft.Extensions.Configuration;

namespace Collect.LocalRunner.Tests;

public sealed class TaskHubNameTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("taskhubname-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_literal_hub_name_is_used_as_it_is()
    {
        var hostJson = HostJson("""{ "version": "2.0", "extensions": { "durableTask": { "hubName": "ShopHub" } } }""");

        Assert.Equal("ShopHub", TaskHubName.Resolve(hostJson, Configuration(("TaskHubName", "ignored"))));
    }

    [Fact]
    public void A_setting_reference_is_resolved_from_configuration()
    {
        var hostJson = HostJson("""{ "extensions": { "durableTask": { "hubName": "%TaskHubName%" } } }""");

        Assert.Equal("collectprod", TaskHubName.Resolve(hostJson, Configuration(("TaskHubName", "collectprod"))));
    }

    [Fact]
    public void Host_json_comments_and_trailing_commas_are_accepted()
    {
        var hostJson = HostJson("""
            {
              // Functions host.json allows comments
              "extensions": { "durableTask": { "hubName": "%Hub%", }, },
            }
            """);

        Assert.Equal("fromsetting", TaskHubName.Resolve(hostJson, Configuration(("Hub", "fromsetting"))));
    }

    [Fact]
    public void A_referenced_setting_that_is_not_set_names_the_setting()
    {
        var hostJson = HostJson("""{ "extensions": { "durableTask": { "hubName": "%TaskHubName%" } } }""");

        var error = Assert.Throws<InvalidOperationException>(() => TaskHubName.Resolve(hostJson, Configuration(("TaskHubName", ""))));

        Assert.Contains("'TaskHubName'", error.Message);
    }

    [Fact]
    public void A_host_json_without_a_hub_name_is_an_error_naming_the_file()
    {
        var hostJson = HostJson("""{ "version": "2.0", "extensions": { "durableTask": { "storageProvider": {} } } }""");

        var error = Assert.Throws<InvalidOperationException>(() => TaskHubName.Resolve(hostJson, Configuration()));

        Assert.Contains(hostJson, error.Message);
        Assert.Contains("extensions.durableTask.hubName", error.Message);
    }

    [Fact]
    public void The_repository_host_json_resolves_with_the_runner_appsettings()
    {
        var appSettings = new ConfigurationBuilder()
            .AddJsonFile(TestSupport.RepositoryRoot.Combine("src", "Collect.LocalRunner", "appsettings.json"))
            .Build();

        Assert.Equal("collectlocal", TaskHubName.Resolve(TestSupport.RepositoryRoot.Combine("host.json"), appSettings));
    }

    private string HostJson(string text)
    {
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, text);
        return path;
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
}
