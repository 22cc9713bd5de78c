namespace Collect.EndToEnd.Tests;

/// <summary>
/// How a stack picks its host and hands the Functions host the settings the runner gets on its command line. The
/// Functions host itself runs only in the pipeline's FunctionsHost stage (Core Tools cannot be installed here).
/// </summary>
public sealed class ProductHostTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("producthost-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(null, ProductHostKind.Runner)]
    [InlineData("", ProductHostKind.Runner)]
    [InlineData("runner", ProductHostKind.Runner)]
    [InlineData(" Functions ", ProductHostKind.Functions)]
    public void The_runner_is_the_default_and_functions_is_chosen_by_name(string? value, ProductHostKind expected)
    {
        Assert.Equal(expected, ProductHost.Parse(value));
    }

    [Fact]
    public void An_unknown_host_is_refused_rather_than_silently_run_on_the_runner()
    {
        Assert.Contains("COLLECT_E2E_HOST", Assert.Throws<InvalidOperationException>(() => ProductHost.Parse("func")).Message);
    }

    [Fact]
    public void The_functions_host_gets_the_settings_as_app_settings_with_the_sandbox_file_flattened_beneath_them()
    {
        var file = Path.Combine(_folder, "haipay.settings.json");
        File.WriteAllText(file, """
            {
              "HaiPay": {
                "BaseUrl": "http://127.0.0.1:5180/",
                "Credentials": { "HKD": { "AppId": 1001, "SecretKey": "k" } },
                "PaymentMethods": [ { "InBankCode": "ALIPAY_HKD", "Enabled": true } ],
                "Unused": null
              }
            }
            """);

        var environment = ProductHost.FunctionsEnvironment(new Dictionary<string, string>
        {
            ["SettingsFile"] = file,
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["Collect:Deadline"] = "00:10:00",
            ["HaiPay:BaseUrl"] = "http://127.0.0.1:6000/",
            ["Logging:Console:FormatterName"] = "simple",
        });

        Assert.Equal("dotnet-isolated", environment["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("UseDevelopmentStorage=true", environment["AzureWebJobsStorage"]);
        Assert.Equal("00:10:00", environment["Collect__Deadline"]);
        Assert.Equal("http://127.0.0.1:6000/", environment["HaiPay__BaseUrl"]);
        Assert.Equal("1001", environment["HaiPay__Credentials__HKD__AppId"]);
        Assert.Equal("ALIPAY_HKD", environment["HaiPay__PaymentMethods__0__InBankCode"]);
        Assert.Equal("true", environment["HaiPay__PaymentMethods__0__Enabled"]);
        Assert.False(environment.ContainsKey("HaiPay__Unused"));
        Assert.False(environment.ContainsKey("SettingsFile"));
        Assert.DoesNotContain(environment.Keys, key => key.StartsWith("Logging", StringComparison.Ordinal));
    }
}
