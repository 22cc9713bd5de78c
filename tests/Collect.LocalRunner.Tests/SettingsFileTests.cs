using Microsoft.AspNetCore.Builder;

namespace Collect.LocalRunner.Tests;

/// <summary>
/// The sandbox's settings file is the lowest layer of the runner's configuration: appsettings.json, environment
/// variables and the command line all override it (the runner's Program builds its configuration this way).
/// </summary>
public sealed class SettingsFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("settingsfile-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Settings_from_the_file_are_read_when_nothing_overrides_them()
    {
        var file = WriteSettingsFile();

        var builder = Builder("--SettingsFile", file);
        SettingsFile.AddAsLowestLayer(builder.Configuration);

        Assert.Equal("http://127.0.0.1:5180/", builder.Configuration["HaiPay:BaseUrl"]);
        Assert.Equal("1001", builder.Configuration["HaiPay:Credentials:HKD:AppId"]);
        Assert.Equal("ALIPAY_HKD", builder.Configuration["HaiPay:PaymentMethods:0:InBankCode"]);
    }

    [Fact]
    public void Appsettings_environment_and_command_line_override_the_file()
    {
        var file = WriteSettingsFile();
        File.WriteAllText(Path.Combine(_folder, "appsettings.json"),
            """{ "HaiPay": { "AttemptTimeout": "00:00:07", "Credentials": { "HKD": { "AppId": "2002" } } } }""");
        const string environmentKey = "HaiPay__Credentials__USD__AppId";
        Environment.SetEnvironmentVariable(environmentKey, "3003");
        try
        {
            var builder = Builder("--SettingsFile", file, "--HaiPay:BaseUrl", "http://127.0.0.1:6000/");
            SettingsFile.AddAsLowestLayer(builder.Configuration);

            Assert.Equal("00:00:07", builder.Configuration["HaiPay:AttemptTimeout"]);
            Assert.Equal("2002", builder.Configuration["HaiPay:Credentials:HKD:AppId"]);
            Assert.Equal("3003", builder.Configuration["HaiPay:Credentials:USD:AppId"]);
            Assert.Equal("http://127.0.0.1:6000/", builder.Configuration["HaiPay:BaseUrl"]);
            Assert.Equal("hkd-secret", builder.Configuration["HaiPay:Credentials:HKD:SecretKey"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(environmentKey, null);
        }
    }

    [Fact]
    public void A_relative_path_is_read_from_the_current_directory()
    {
        var file = WriteSettingsFile();
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), file);

        var builder = Builder("--SettingsFile", relative);
        SettingsFile.AddAsLowestLayer(builder.Configuration);

        Assert.Equal("1001", builder.Configuration["HaiPay:Credentials:HKD:AppId"]);
    }

    [Fact]
    public void Without_the_setting_nothing_is_added()
    {
        var builder = Builder();
        var sources = builder.Configuration.Sources.Count;

        SettingsFile.AddAsLowestLayer(builder.Configuration);

        Assert.Equal(sources, builder.Configuration.Sources.Count);
        Assert.Null(builder.Configuration["HaiPay:BaseUrl"]);
    }

    [Fact]
    public void A_missing_file_fails_the_start_naming_the_file()
    {
        var missing = Path.Combine(_folder, "nothing-here.json");
        var builder = Builder("--SettingsFile", missing);

        var error = Assert.Throws<FileNotFoundException>(() => SettingsFile.AddAsLowestLayer(builder.Configuration));

        Assert.Contains("nothing-here.json", error.Message);
    }

    private WebApplicationBuilder Builder(params string[] args) =>
        WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = _folder });

    /// <summary>A file shaped like the one the sandbox writes (<c>--write-settings</c>).</summary>
    private string WriteSettingsFile()
    {
        var path = Path.Combine(_folder, "haipay.settings.json");
        File.WriteAllText(path, """
            {
              "HaiPay": {
                "BaseUrl": "http://127.0.0.1:5180/",
                "AttemptTimeout": "00:00:03",
                "Credentials": {
                  "HKD": { "AppId": "1001", "SecretKey": "hkd-secret" },
                  "USD": { "AppId": "1002", "SecretKey": "usd-secret" }
                },
                "PaymentMethods": [ { "Currency": "HKD", "PayType": "EWALLET", "InBankCode": "ALIPAY_HKD" } ]
              }
            }
            """);
        return path;
    }
}
