using System.Text.Json.Nodes;

namespace Infra.Tests;

/// <summary>What infra/main.dev.bicepparam and infra/main.prod.bicepparam give the template.</summary>
public sealed class ParameterFileTests
{
    private const string Dev = "infra/main.dev.bicepparam";
    private const string Prod = "infra/main.prod.bicepparam";

    /// <summary>A variable group that also sets every optional variable.</summary>
    private static readonly Dictionary<string, string> Everything = new()
    {
        ["HAIPAY_PLATFORM_PUBLIC_KEY"] = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
        ["KEYVAULT_SECRETS_OFFICERS"] = "aaaaaaaa-0000-0000-0000-000000000001,aaaaaaaa-0000-0000-0000-000000000002",
        ["DFMON_ENTRA_CLIENT_ID"] = "11111111-2222-3333-4444-555555555555",
        ["DFMON_ALLOWED_USER_NAMES"] = "ops@merchant.example",
        ["DFMON_ALLOWED_APP_ROLES"] = "DurableFunctionsMonitor.ReadOnly",
    };

    [Fact]
    public void Each_environment_has_its_own_name_and_task_hub()
    {
        var dev = CompiledTemplates.ParameterValues(Dev);
        var prod = CompiledTemplates.ParameterValues(Prod);

        Assert.Equal("dev", Value<string>(dev, "environmentName"));
        Assert.Equal("prod", Value<string>(prod, "environmentName"));
        Assert.NotEqual(Value<string>(dev, "taskHubName"), Value<string>(prod, "taskHubName"));
        Assert.Matches("^[A-Za-z][A-Za-z0-9]{2,44}$", Value<string>(dev, "taskHubName"));
        Assert.Matches("^[A-Za-z][A-Za-z0-9]{2,44}$", Value<string>(prod, "taskHubName"));
    }

    [Fact]
    public void Dev_talks_to_HaiPay_UAT_and_prod_to_the_configured_production_URL()
    {
        var dev = CompiledTemplates.ParameterValues(Dev);
        var prod = CompiledTemplates.ParameterValues(Prod);

        Assert.Equal("https://uat-interface.haipay.asia", Value<string>(dev, "haiPayBaseUrl"));
        Assert.Equal(BicepCli.RequiredParameterEnvironment["HAIPAY_BASE_URL"], Value<string>(prod, "haiPayBaseUrl"));
    }

    [Theory]
    [InlineData(Dev)]
    [InlineData(Prod)]
    public void HaiPay_app_ids_come_from_the_environment_and_no_secret_is_a_parameter(string file)
    {
        var values = CompiledTemplates.ParameterValues(file);

        Assert.Equal("100001", Value<string>(values, "haiPayHkdAppId"));
        Assert.Equal("100002", Value<string>(values, "haiPayUsdAppId"));
        Assert.Equal("", Value<string>(values, "haiPayPlatformPublicKey"));
        Assert.Equal(Everything["HAIPAY_PLATFORM_PUBLIC_KEY"], Value<string>(CompiledTemplates.ParameterValues(file, Everything), "haiPayPlatformPublicKey"));
        Assert.DoesNotContain(values, parameter => parameter.Key.Contains("secret", StringComparison.OrdinalIgnoreCase)
            && parameter.Key != "keyVaultSecretsOfficerPrincipalIds");
    }

    [Fact]
    public void Prod_keeps_warm_instances_and_dev_scales_to_zero()
    {
        var dev = CompiledTemplates.ParameterValues(Dev);
        var prod = CompiledTemplates.ParameterValues(Prod);

        Assert.Equal(0, Value<int>(dev, "alwaysReadyHttpInstanceCount"));
        Assert.Equal(0, Value<int>(dev, "alwaysReadyDurableInstanceCount"));
        Assert.True(Value<int>(prod, "alwaysReadyHttpInstanceCount") >= 1);
        Assert.True(Value<int>(prod, "alwaysReadyDurableInstanceCount") >= 1);
    }

    [Theory]
    [InlineData(Dev)]
    [InlineData(Prod)]
    public void DfMon_is_deployed_only_when_an_Entra_app_registration_is_configured(string file)
    {
        var without = CompiledTemplates.ParameterValues(file);
        var with = CompiledTemplates.ParameterValues(file, Everything);

        Assert.False(Value<bool>(without, "deployDfMon"));
        Assert.Equal("", Value<string>(without, "dfMonEntraClientId"));
        Assert.True(Value<bool>(with, "deployDfMon"));
        Assert.Equal("11111111-2222-3333-4444-555555555555", Value<string>(with, "dfMonEntraClientId"));
        Assert.Equal("ops@merchant.example", Value<string>(with, "dfMonAllowedUserNames"));
        Assert.Equal("DurableFunctionsMonitor.ReadOnly", Value<string>(with, "dfMonAllowedAppRoles"));
    }

    [Theory]
    [InlineData(Dev)]
    [InlineData(Prod)]
    public void Secrets_officers_are_a_comma_separated_list_and_none_by_default(string file)
    {
        var none = CompiledTemplates.ParameterValues(file);
        var two = CompiledTemplates.ParameterValues(file, Everything);

        Assert.Empty(none["keyVaultSecretsOfficerPrincipalIds"]!["value"]!.AsArray());
        Assert.Equal(
            ["aaaaaaaa-0000-0000-0000-000000000001", "aaaaaaaa-0000-0000-0000-000000000002"],
            two["keyVaultSecretsOfficerPrincipalIds"]!["value"]!.AsArray().Select(id => id!.GetValue<string>()));
    }

    [Fact]
    public void Prod_always_deploys_the_alerts_to_the_configured_address()
    {
        var prod = CompiledTemplates.ParameterValues(Prod);

        Assert.True(Value<bool>(prod, "deployAlerts"));
        Assert.Equal(BicepCli.RequiredParameterEnvironment["ALERT_EMAIL"], Value<string>(prod, "alertEmail"));
    }

    [Fact]
    public void Prod_refuses_to_build_without_an_alert_address()
    {
        var environment = BicepCli.RequiredParameterEnvironment.Where(variable => variable.Key != "ALERT_EMAIL").ToDictionary();

        var result = BicepCli.Run(environment, "build-params", Prod, "--stdout");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("ALERT_EMAIL", result.StandardError);
    }

    [Fact]
    public void Dev_deploys_the_alerts_only_when_an_alert_address_is_configured()
    {
        var environment = BicepCli.RequiredParameterEnvironment.Where(variable => variable.Key != "ALERT_EMAIL").ToDictionary();
        var without = BicepCli.Run(environment, "build-params", Dev, "--stdout");
        var with = CompiledTemplates.ParameterValues(Dev);

        Assert.True(without.ExitCode == 0, without.Output);
        var withoutValues = JsonNode.Parse(JsonNode.Parse(without.StandardOutput)!["parametersJson"]!.GetValue<string>())!["parameters"]!.AsObject();
        Assert.False(Value<bool>(withoutValues, "deployAlerts"));
        Assert.Equal("", Value<string>(withoutValues, "alertEmail"));
        Assert.True(Value<bool>(with, "deployAlerts"));
        Assert.Equal(BicepCli.RequiredParameterEnvironment["ALERT_EMAIL"], Value<string>(with, "alertEmail"));
    }

    private static T Value<T>(JsonObject parameters, string name) =>
        (parameters[name] ?? throw new KeyNotFoundException($"The parameter file does not set '{name}'."))["value"]!.GetValue<T>();
}
